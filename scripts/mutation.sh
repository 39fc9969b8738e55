#!/usr/bin/env bash
# Mutation testing of the rules (issue 14): `make mutation`, not part of `make test`.
#
#   scripts/mutation.sh                 # rules/charging, rules/ledger, rules/pb, rules/ras, apps
#   scripts/mutation.sh charging ras    # some of them
#
# `apps` is the permission and ledger code of the Django apps: every app's role predicates
# (permissions.py or access.py), the roles a user holds and the audit trail (accounts/models.py),
# and the apps' ledger writes (timebank/services/ledger.py and credits.py,
# budgets/services/accounts.py). Their tests need Django and a database: they run on SQLite in
# memory, tables made without migrations (each mutant's test run makes its own database).
#
# Each rule package is copied into var/mutation/<package>/ with scripts/mutation.cfg as its
# setup.cfg (the apps part: the project into var/mutation/apps/ with scripts/mutation-apps.cfg)
# and mutated there by mutmut (one package at a time, one test process at a time: the machine is
# shared), so the checkout is never changed. Only the package's own fast pure tests (for apps:
# the tests of permissions and ledgers, listed in apps_tests below) run against its mutants. Prints per package the mutants, killed, timeouts, survivors, equivalent ones, the
# score, the duration and the machine load, lists the survivors, and exits 1 if any package scores
# under MUTATION_THRESHOLD percent (default 90), 2 if mutmut itself fails.
#
# Equivalent mutants (changes that cannot alter any result) count as killed when they are listed
# with the reason in docs/mutation.md, in a table whose header row starts
# `| equivalent mutant |` (first column the mutant's name in backquotes).
#
#   MUTATION_CHILDREN=2     mutants run at once (default 1: the machine is shared)
#   MUTATION_RERUN=1        keep var/mutation/<package>/, copy the current package and tests into
#                           it and run again only the mutants that were not killed last time (to
#                           confirm that new tests kill them); the score is then over all mutants
#   MUTATION_MODULES="greedy.py mes.py"
#                           mutate only these modules of the (one) package named, in their own
#                           work folder var/mutation/<package>-<modules> (a big package in parts:
#                           rules/pb has 2,739 mutants); the score is then over those modules only.
#                           For apps, paths from the project root: "timebank/permissions.py"
#   MUTATION_NICE=19        niceness of mutmut and its tests (default 19: the machine is shared)
#   MUTATION_TIMEOUT_MULTIPLIER=5
#                           mutmut's timeout_multiplier (default 15, mutmut's own): a mutant's
#                           tests may use (their time + 1 s) x this x 2 CPU seconds; lower stops
#                           mutants that loop for ever sooner (they count as timeouts, i.e. killed)
#   MUTATION_SAVE_STATE=0   do not copy mutmut's results back into scripts/mutation-state/
#   MUTATION_POSTGRES=0     leave out the apps part's PostgreSQL pass (postgres_pass below: the
#                           ledger's mutants SQLite cannot reach, run again on PostgreSQL)
#
# A run can be carried over to another machine (a part of rules/pb takes longer than a working
# session here): mutmut keeps each mutant's result in mutants/<module>.meta beside a hash of each
# function's source, and on the next run keeps the results of every function whose source is
# unchanged and runs only the rest. The script copies those .meta files into
# scripts/mutation-state/<work folder name>/ (same paths as under mutants/) when a run ends
# (commit them to carry the run over) and back into a new work folder before the next run. A run
# stopped by hand leaves them in the work folder: copy them yourself with
#   (cd var/mutation/<work>/mutants && find . -name '*.py.meta' | cpio -pdm ../../../../scripts/mutation-state/<work>)
# A survivor's result is kept too; MUTATION_RERUN=1 runs the survivors again with the current tests.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV_BIN=${VENV_BIN:-$ROOT/.venv/bin}
THRESHOLD=${MUTATION_THRESHOLD:-90}
CHILDREN=${MUTATION_CHILDREN:-1}
if [ "$#" -gt 0 ]; then PACKAGES=("$@"); else PACKAGES=(charging ledger pb ras apps); fi
export WELLBEING_SHARED=${WELLBEING_SHARED:-$(cd "$ROOT/.." && pwd)/shared}
EQUIVALENT_DOC=$ROOT/docs/mutation.md
RERUN=${MUTATION_RERUN:-0}

# The rule modules of each package: what is mutated. Left out: command-line front ends, input
# readers and validation messages, file readers, result serialisers (see docs/mutation.md).
rule_modules() {
    case "$1" in
        charging) echo allowances.py calculator.py capital.py income.py money.py pension_age.py parameters.py ;;
        ledger) echo balances.py book.py invariants.py limits.py transactions.py units.py formatting.py ;;
        pb) echo greedy.py mes.py mes_engine.py mes_batch.py tally.py outcome.py profile.py ;;
        ras) echo budget.py compare.py money.py answers.py ;;
        # Paths from the project root. accounts/roles.py is only the list of roles (no code):
        # who holds which is User.roles and has_role in accounts/models.py.
        apps) echo accounts/models.py accounts/audit_digest.py befriending/access.py budgets/access.py connect/permissions.py \
            directory/permissions.py evidence/access.py outcomes/access.py participation/permissions.py \
            sharedlives/access.py timebank/permissions.py voice/permissions.py \
            timebank/services/ledger.py timebank/services/credits.py budgets/services/accounts.py ;;
        *) echo "*.py" ;;
    esac
}

# The tests run against the apps' mutants: each app's table of every role against every service
# that changes data, its table of each predicate against each kind of actor, and the tests of the
# ledgers, limits and the audit trail.
apps_tests() {
    local tests=""
    for module in "$@"; do
        local app=${module%%/*}
        tests="$tests $app/tests/test_permissions.py $app/tests/test_permission_predicates.py"
        case "$module" in
            accounts/*) tests="$tests accounts/tests/test_accounts.py accounts/tests/test_audit_digest.py accounts/tests/test_role_predicates.py" ;;
            timebank/services/*) tests="$tests timebank/tests/test_one_rule.py timebank/tests/test_limit_rules.py timebank/tests/test_services.py timebank/tests/test_ledger_edges.py" ;;
            budgets/services/*) tests="$tests budgets/tests/test_issue19_money.py budgets/tests/test_issue14_boundaries.py budgets/tests/test_services.py budgets/tests/test_account_edges.py" ;;
        esac
    done
    for test in $tests; do [ -f "$ROOT/$test" ] && echo "$test"; done | sort -u
}

# The apps part's PostgreSQL pass: the ledger's mutants that SQLite could not kill (the
# PostgreSQL-only statement, the row locks' arguments, the PostgreSQL branch) run again against
# the ledger's tests on a throwaway PostgreSQL server (scripts/with-postgres.sh), one at a time
# (one test database). Its work folder is var/mutation/apps-postgresql; a mutant it kills counts
# as killed in the apps part's score. MUTATION_POSTGRES=0 leaves it out.
postgres_pass() {
    local sqlite_work=$1 pg_work=$ROOT/var/mutation/apps-postgresql module=timebank/services/ledger.py
    local names=() pg_tests=""
    mapfile -t names < <(sed -n 's/^ *\(timebank\.services\.ledger\.[^: ]*__mutmut_[0-9]*\): \(survived\|no tests\|not checked\|suspicious\|segfault\)$/\1/p' "$sqlite_work/results.txt" \
        | grep -vxF -f <(sed -n 's/^| `\([a-z_][^`]*__mutmut_[0-9]*\)` |.*/\1/p' "$EQUIVALENT_DOC" | grep . || echo "-") || true)
    if [ "$RERUN" = 1 ] && [ -f "$pg_work/mutants/$module.meta" ]; then
        # Not again the ones it has already killed, in a function unchanged since (the function's
        # hash in its last run's state is the one the SQLite part has just read from the source).
        mapfile -t names < <(printf '%s\n' "${names[@]}" | "$VENV_BIN/python" -c '
import json, sys
from mutmut.stats import status_by_exit_code
now = json.load(open(sys.argv[1]))["hash_by_function_name"]
before = json.load(open(sys.argv[2]))
for name in sys.stdin.read().split():
    function = name.rpartition(".")[2].rpartition("__mutmut_")[0]
    done = status_by_exit_code[before["exit_code_by_key"].get(name)] in ("killed", "timeout")
    if not (done and before["hash_by_function_name"].get(function) == now.get(function)):
        print(name)
' "$sqlite_work/mutants/$module.meta" "$pg_work/mutants/$module.meta")
    fi
    if [ "${#names[@]}" -eq 0 ] || [ -z "${names[0]}" ]; then
        echo "== apps on PostgreSQL: nothing to run"
        return 0
    fi
    mkdir -p "$pg_work"
    local pg_state=$ROOT/scripts/mutation-state/apps-postgresql
    if [ -d "$pg_state" ] && [ -z "$(find "$pg_work/mutants" -name '*.py.meta' 2> /dev/null | head -1)" ]; then
        mkdir -p "$pg_work/mutants"
        (cd "$pg_state" && find . -name '*.py.meta' -print0 | tar --null -T - -cf -) | (cd "$pg_work/mutants" && tar -xf -)
    fi
    (cd "$ROOT" && tar --exclude=./.venv --exclude=./node_modules --exclude=./var --exclude=./.git \
        --exclude=__pycache__ --exclude=./e2e --exclude=./bench --exclude=./docs --exclude=./scripts \
        --exclude=./setup.cfg -cf - .) | (cd "$pg_work" && tar -xf -)
    for test in $(apps_tests $module); do pg_tests="$pg_tests    $test"$'\n'; done
    ONLY="    $module"$'\n' TESTS="$pg_tests" TIMEOUT_MULTIPLIER="${MUTATION_TIMEOUT_MULTIPLIER:-15}" "$VENV_BIN/python" -c '
import os, sys
text = open(sys.argv[1], encoding="utf-8").read()
text = text.replace("@ONLY_MUTATE@\n", os.environ["ONLY"]).replace("@TESTS@\n", os.environ["TESTS"])
text = text.replace("@TIMEOUT_MULTIPLIER@", os.environ["TIMEOUT_MULTIPLIER"])
open(sys.argv[2], "w", encoding="utf-8").write(text)
' "$ROOT/scripts/mutation-apps.cfg" "$pg_work/setup.cfg"
    echo "== apps on PostgreSQL: re-running ${#names[@]} mutants of $module (work folder $pg_work)"
    local started=$(date +%s)
    (cd "$pg_work" && PATH="$VENV_BIN:$PATH" nice -n "${MUTATION_NICE:-19}" "$ROOT/scripts/with-postgres.sh" \
        "$VENV_BIN/mutmut" run --max-children 1 "${names[@]}" > mutmut-run.log 2>&1) || {
        echo "mutmut failed on PostgreSQL; see $pg_work/mutmut-run.log" >&2
        tail -20 "$pg_work/mutmut-run.log" >&2
        exit 2
    }
    if [ "${MUTATION_SAVE_STATE:-1}" = 1 ]; then
        mkdir -p "$pg_state"
        (cd "$pg_work/mutants" && find . -name '*.py.meta' -print0 | tar --null -T - -cf -) | (cd "$pg_state" && tar -xf -)
    fi
    (cd "$pg_work" && "$VENV_BIN/mutmut" results --all true > results.txt 2>&1)
    echo "== apps on PostgreSQL: $(grep -c ': killed$\|: timeout$' "$pg_work/results.txt" || true) killed of ${#names[@]} in $(( ($(date +%s) - started) / 60 )) min"
}

# Where a package's sources sit in the work folder, and what its mutants' names start with.
source_dir() { if [ "$1" = apps ]; then echo .; else echo "rules/$1"; fi; }

failed=0
summary=""
for pkg in "${PACKAGES[@]}"; do
    if [ "$pkg" != apps ] && [ ! -d "$ROOT/rules/$pkg" ]; then
        echo "mutation.sh: no package rules/$pkg (nor apps)" >&2
        exit 2
    fi
    src=$(source_dir "$pkg")
    label=rules/$pkg
    [ "$pkg" = apps ] && label="apps (permissions and ledgers)"
    work=$ROOT/var/mutation/$pkg
    modules=$(rule_modules "$pkg")
    if [ -n "${MUTATION_MODULES:-}" ]; then
        modules=$MUTATION_MODULES
        work=$work-$(echo "$modules" | sed 's/\.py//g; s/\//_/g; s/  */-/g')
    fi
    again=()
    if [ "$RERUN" = 1 ] && [ -f "$work/results.txt" ]; then
        # Only the mutants that were not killed last time, leaving out the known equivalent ones
        # (each of those costs every test that reaches it, and none can be killed).
        mapfile -t again < <(sed -n 's/^ *\([a-z_][^: ]*__mutmut_[0-9]*\): \(survived\|no tests\|not checked\|suspicious\|segfault\)$/\1/p' "$work/results.txt" \
            | grep -vxF -f <(sed -n 's/^| `\([a-z_][^`]*__mutmut_[0-9]*\)` |.*/\1/p' "$EQUIVALENT_DOC" | grep . || echo "-") || true)
        [ "$pkg" = apps ] || rm -rf "${work:?}/$src"
    else
        rm -rf "$work"
    fi
    mkdir -p "$work"
    state=$ROOT/scripts/mutation-state/$(basename "$work")
    if [ -d "$state" ] && [ -z "$(find "$work/mutants" -name '*.py.meta' 2> /dev/null | head -1)" ]; then
        mkdir -p "$work/mutants"
        (cd "$state" && find . -name '*.py.meta' -print0 | tar --null -T - -cf -) | (cd "$work/mutants" && tar -xf -)
        echo "== $label: results carried over from ${state#"$ROOT"/} (kept for every function unchanged since)"
    fi
    only=""
    if [ "$pkg" = apps ]; then
        # The whole project but what the tests do not need (the virtualenv, node modules, work
        # folders, browser journeys, benchmarks, docs).
        (cd "$ROOT" && tar --exclude=./.venv --exclude=./node_modules --exclude=./var --exclude=./.git \
            --exclude=__pycache__ --exclude=./e2e --exclude=./bench --exclude=./docs --exclude=./scripts \
            --exclude=./setup.cfg -cf - .) | (cd "$work" && tar -xf -)
        for module in $modules; do only="$only    $module"$'\n'; done
        tests=""
        for test in $(apps_tests $modules); do tests="$tests    $test"$'\n'; done
        config=$ROOT/scripts/mutation-apps.cfg
    else
        mkdir -p "$work/rules"
        cp "$ROOT/conftest.py" "$work/"
        cp "$ROOT/rules/__init__.py" "$ROOT/rules/money.py" "$work/rules/"
        (cd "$ROOT/rules" && tar --exclude=__pycache__ -cf - "$pkg") | (cd "$work/rules" && tar -xf -)
        for module in $modules; do only="$only    rules/$pkg/$module"$'\n'; done
        tests=""
        config=$ROOT/scripts/mutation.cfg
    fi
    ONLY="$only" TESTS="$tests" PKG="$pkg" TIMEOUT_MULTIPLIER="${MUTATION_TIMEOUT_MULTIPLIER:-15}" "$VENV_BIN/python" -c '
import os, sys
text = open(sys.argv[1], encoding="utf-8").read()
text = text.replace("@ONLY_MUTATE@\n", os.environ["ONLY"]).replace("@PACKAGE@", os.environ["PKG"])
text = text.replace("@TESTS@\n", os.environ["TESTS"])
text = text.replace("@TIMEOUT_MULTIPLIER@", os.environ["TIMEOUT_MULTIPLIER"])
open(sys.argv[2], "w", encoding="utf-8").write(text)
' "$config" "$work/setup.cfg"
    load_before=$(uptime | sed 's/.*load average: //')
    started=$(date +%s)
    if [ "$RERUN" = 1 ] && [ "${#again[@]}" -eq 0 ] && [ -f "$work/results.txt" ]; then
        echo "== $label: nothing left to re-run"
    else
        echo "== $label: mutating (work folder $work${again:+, re-running ${#again[@]} mutants})"
    fi
    (cd "$work" && PATH="$VENV_BIN:$PATH" nice -n "${MUTATION_NICE:-19}" "$VENV_BIN/mutmut" run --max-children "$CHILDREN" "${again[@]}" > mutmut-run.log 2>&1) || {
        echo "mutmut failed for $label; see $work/mutmut-run.log" >&2
        tail -20 "$work/mutmut-run.log" >&2
        exit 2
    }
    seconds=$(( $(date +%s) - started ))
    if [ "${MUTATION_SAVE_STATE:-1}" = 1 ] && [ -n "$(find "$work/mutants" -name '*.py.meta' | head -1)" ]; then
        mkdir -p "$state"
        (cd "$work/mutants" && find . -name '*.py.meta' -print0 | tar --null -T - -cf -) | (cd "$state" && tar -xf -)
    fi
    load_after=$(uptime | sed 's/.*load average: //')
    (cd "$work" && "$VENV_BIN/mutmut" results --all true > results.txt 2>&1 || "$VENV_BIN/mutmut" results > results.txt 2>&1)
    also_killed=/dev/null
    if [ "$pkg" = apps ] && [ "${MUTATION_POSTGRES:-1}" = 1 ] && [ -z "${MUTATION_MODULES:-}" ]; then
        postgres_pass "$work"
        also_killed=$ROOT/var/mutation/apps-postgresql/results.txt
    fi
    line=$("$VENV_BIN/python" - "$work/results.txt" "$THRESHOLD" "$label${MUTATION_MODULES:+ ($modules)}" "$EQUIVALENT_DOC" \
        "$seconds" "$load_before" "$load_after" "$CHILDREN" "$also_killed" <<'PY'
import re
import sys
from collections import Counter
from pathlib import Path

results, threshold, pkg = sys.argv[1], float(sys.argv[2]), sys.argv[3]
equivalent_doc = Path(sys.argv[4])
seconds, load_before, load_after, children = int(sys.argv[5]), sys.argv[6], sys.argv[7], sys.argv[8]
status: dict[str, str] = {}
for raw in Path(results).read_text().splitlines():
    name, sep, state = raw.strip().rpartition(": ")
    if sep and "__mutmut_" in name:
        status[name] = state.strip()
# The PostgreSQL pass (apps only): the same mutants of the ledger, killed by the same tests on
# PostgreSQL, where the statements SQLite never runs are reached.
on_postgresql = 0
for raw in Path(sys.argv[9]).read_text().splitlines():
    name, sep, state = raw.strip().rpartition(": ")
    if sep and name in status and state.strip() in ("killed", "timeout") and status[name] not in ("killed", "timeout"):
        status[name] = state.strip()
        on_postgresql += 1
equivalent = set()
if equivalent_doc.exists():
    in_table = False
    for raw in equivalent_doc.read_text(encoding="utf-8").splitlines():
        if raw.startswith("| equivalent mutant |"):
            in_table = True
        elif not raw.startswith("|"):
            in_table = False
        elif in_table:
            found = re.match(r"\| `([^`]+)`", raw)
            if found:
                equivalent.add(found.group(1))
total = len(status)
counts = Counter(status.values())
killed = sum(1 for s in status.values() if s in ("killed", "timeout", "caught by type check"))
survivors = sorted(n for n, s in status.items() if s not in ("killed", "timeout", "caught by type check"))
excused = [n for n in survivors if n in equivalent]
left = [n for n in survivors if n not in equivalent]
raw_score = 100.0 * killed / total if total else 100.0
score = 100.0 * (killed + len(excused)) / total if total else 100.0
for name in left:
    print(f"   survived: {name} ({status[name]})", file=sys.stderr)
verdict = "ok" if score >= threshold else f"UNDER {threshold:g}%"
others = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s not in ("killed", "timeout"))
print(f"{pkg}: {total} mutants, {counts['killed']} killed, {counts['timeout']} timeouts "
      f"({killed}/{total} = {raw_score:.1f}%{f', {on_postgresql} of them on PostgreSQL' if on_postgresql else ''}); {len(excused)} equivalent -> score {score:.1f}%; "
      f"{len(left)} other survivors ({others or 'none'}); {seconds // 60} min {seconds % 60} s with "
      f"{children} child(ren), load {load_before} before, {load_after} after; {verdict}")
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
