#!/usr/bin/env bash
# Print a Python for the virtualenv: the oldest 3.12+ found (Django 6.1 needs 3.12; the oldest has the
# widest choice of prebuilt wheels), else a Python 3.11, for which the Makefile installs the Django
# 5.2 LTS lock instead.
set -u
candidates=(python3.14 python3.13 python3.12)
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for v in "$root"/versions/3.1[2-9]*; do [ -x "$v/bin/python" ] && candidates+=("$v/bin/python"); done
fi
candidates+=(python3 python3.11)
best=""; best_minor=0
rank() { if [ "$1" -ge 12 ]; then echo $((100 - $1)); elif [ "$1" -eq 11 ]; then echo 1; else echo 0; fi; }
for c in "${candidates[@]}"; do
  exe=$(command -v "$c" 2>/dev/null) || continue
  minor=$("$exe" -c 'import sys; print(sys.version_info[1] if sys.version_info[0] == 3 else 0)' 2>/dev/null) || continue
  if [ "$(rank "$minor")" -gt "$(rank "$best_minor")" ]; then best=$exe; best_minor=$minor; fi
done
if [ -z "$best" ]; then
  echo "Wellbeing Hub needs Python 3.11 or newer; none was found." >&2
  exit 1
fi
echo "$best"
