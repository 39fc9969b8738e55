#!/usr/bin/env bash
# Mutation testing of the pure rule packages (issue 14): `make mutation`, not part of `make test`.
#
#   scripts/mutation.sh                 # rules/charging, rules/ledger, rules/pb, rules/ras
#   scripts/mutation.sh charging ras    # some of them
#
# Each package is copied into var/mutation/<package>/ with scripts/mutation.cfg as its setup.cfg
# and mutated there by mutmut (one package at a time, one test process at a time: the machine is
# shared), so the checkout is never changed. Only the package's own fast pure tests run against
# its mutants. Prints killed/total per package, lists the survivors, and exits 1 if any package
# scores under MUTATION_THRESHOLD percent (default 90). Survivors that are equivalent mutants are
# listed with the reason in docs/mutation.md and counted as killed when named in
# scripts/mutation-equivalent.txt (one mutant name a line, `#` comments).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV_BIN=${VENV_BIN:-$ROOT/.venv/bin}
THRESHOLD=${MUTATION_THRESHOLD:-90}
CHILDREN=${MUTATION_CHILDREN:-1}
if [ "$#" -gt 0 ]; then PACKAGES=("$@"); else PACKAGES=(charging ledger pb ras); fi
export WELLBEING_SHARED=${WELLBEING_SHARED:-$(cd "$ROOT/.." && pwd)/shared}
EQUIVALENT=$ROOT/scripts/mutation-equivalent.txt

# The rule modules of each package: what is mutated. Left out: command-line front ends, input
# readers and validation messages, file readers, result serialisers (see docs/mutation.md).
rule_modules() {
    case "$1" in
        charging) echo allowances.py calculator.py capital.py income.py money.py pension_age.py parameters.py ;;
        ledger) echo balances.py book.py invariants.py limits.py transactions.py units.py formatting.py ;;
        pb) echo greedy.py mes.py mes_engine.py mes_batch.py tally.py outcome.py ;;
        ras) echo budget.py compare.py money.py answers.py ;;
        *) echo "*.py" ;;
    esac
}

failed=0
summary=""
for pkg in "${PACKAGES[@]}"; do
    if [ ! -d "$ROOT/rules/$pkg" ]; then
        echo "mutation.sh: no package rules/$pkg" >&2
        exit 2
    fi
    work=$ROOT/var/mutation/$pkg
    rm -rf "$work"
    mkdir -p "$work/rules"
    cp "$ROOT/conftest.py" "$work/"
    cp "$ROOT/rules/__init__.py" "$ROOT/rules/money.py" "$work/rules/"
    (cd "$ROOT/rules" && tar --exclude=__pycache__ -cf - "$pkg") | (cd "$work/rules" && tar -xf -)
    only=""
    for module in $(rule_modules "$pkg"); do only="$only    rules/$pkg/$module"$'\n'; done
    ONLY="$only" PKG="$pkg" "$VENV_BIN/python" -c '
import os, sys
text = open(sys.argv[1], encoding="utf-8").read()
text = text.replace("@ONLY_MUTATE@\n", os.environ["ONLY"]).replace("@PACKAGE@", os.environ["PKG"])
open(sys.argv[2], "w", encoding="utf-8").write(text)
' "$ROOT/scripts/mutation.cfg" "$work/setup.cfg"
    echo "== rules/$pkg: mutating (work folder $work)"
    (cd "$work" && PATH="$VENV_BIN:$PATH" "$VENV_BIN/mutmut" run --max-children "$CHILDREN" > mutmut-run.log 2>&1) || {
        echo "mutmut failed for rules/$pkg; see $work/mutmut-run.log" >&2
        tail -20 "$work/mutmut-run.log" >&2
        exit 2
    }
    (cd "$work" && "$VENV_BIN/mutmut" results --all true > results.txt 2>&1 || "$VENV_BIN/mutmut" results > results.txt 2>&1)
    line=$("$VENV_BIN/python" - "$work/results.txt" "$EQUIVALENT" "$THRESHOLD" "$pkg" <<'PY'
import sys
from pathlib import Path

results, equivalent_file, threshold, pkg = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
status: dict[str, str] = {}
for raw in Path(results).read_text().splitlines():
    name, sep, state = raw.strip().rpartition(": ")
    if sep and name.startswith("rules."):
        status[name] = state.strip()
equivalent = set()
if equivalent_file.exists():
    for raw in equivalent_file.read_text().splitlines():
        name = raw.split("#", 1)[0].strip()
        if name:
            equivalent.add(name)
total = len(status)
killed = sum(1 for s in status.values() if s in ("killed", "timeout", "caught by type check"))
survivors = sorted(n for n, s in status.items() if s not in ("killed", "timeout", "caught by type check"))
excused = [n for n in survivors if n in equivalent]
left = [n for n in survivors if n not in equivalent]
raw_score = 100.0 * killed / total if total else 100.0
score = 100.0 * (killed + len(excused)) / total if total else 100.0
for name in left:
    print(f"   survived: {name} ({status[name]})", file=sys.stderr)
verdict = "ok" if score >= threshold else f"UNDER {threshold:g}%"
print(f"rules/{pkg}: {killed}/{total} killed = {raw_score:.1f}%; with {len(excused)} equivalent = {score:.1f}%; "
      f"{len(left)} other survivors; {verdict}")
PY
)
    echo "$line"
    summary="$summary$line"$'\n'
    case "$line" in *UNDER*) failed=1 ;; esac
done
echo
echo "Mutation scores (threshold ${THRESHOLD}%):"
printf '%s' "$summary"
exit "$failed"
