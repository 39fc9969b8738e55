# Wellbeing Hub. `make demo` runs the demo area at http://127.0.0.1:8000; `make test` runs everything.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON_FOR_VENV := $(shell scripts/find-python.sh)
PY311 := $(shell $(PYTHON_FOR_VENV) -c 'import sys; print("" if sys.version_info >= (3, 12) else "-py311")')
LOCK := requirements/lock$(PY311).txt
PYTEST := $(BIN)/python -m pytest

.PHONY: install demo serve test lint types unit postgres e2e mutation lock clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --config-settings editable_mode=compat -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: install
	WELLBEING_ENV=demo $(BIN)/wellbeing-hub demo

serve: install
	WELLBEING_ENV=demo $(BIN)/wellbeing-hub serve

test: install
	scripts/install-system-deps.sh
	$(MAKE) --no-print-directory lint types unit postgres e2e

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# mypy strict with the Django plugin over the whole project, against Django 6.1's stubs (the Python
# 3.12+ lock). On the Python 3.11 fallback (Django 5.2 and its older stubs) only the pure rule
# packages are checked, since the app code is typed against the newer stubs.
types:
ifeq ($(PY311),)
	$(BIN)/mypy
else
	@echo "Python 3.11 (Django 5.2 lock): checking the pure rules only; the whole project is checked on Python 3.12+."
	$(BIN)/mypy --config-file /dev/null --strict --exclude '/tests/' rules
endif

# Everything but the browser journeys, on SQLite.
unit:
	$(PYTEST) -m "not e2e" -p xdist -n 2 --dist loadscope

# The Django tests again on a real PostgreSQL server started for the run (pure rule tests don't
# touch a database, so they are not repeated). Two workers, each with its own test database.
postgres:
	scripts/with-postgres.sh $(PYTEST) -m "not e2e and not pure" -p xdist -n 2 --dist loadscope

e2e:
	$(PYTEST) e2e -m e2e

# Mutation testing of the pure rule packages (slow, so not in `make test`): each package must keep
# 90% of its mutants killed; survivors and why some are equivalent are in docs/mutation.md.
mutation: install
	scripts/mutation.sh

# Re-resolve the pinned versions from requirements/direct.txt in a clean virtualenv.
lock:
	rm -rf var/lock-venv && $(PYTHON_FOR_VENV) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet -r requirements/direct$(PY311).txt
	var/lock-venv/bin/pip freeze --exclude-editable > $(LOCK)
	rm -rf var/lock-venv

clean:
	rm -rf $(VENV) node_modules var
