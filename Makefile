# Tongchou: `make demo` runs the whole thing on SQLite with a synthetic city; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PERSONS ?= 20000
SEED ?= 2020
PYTEST_ARGS ?=
# Two workers: CI machines have two cores. `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2

.PHONY: demo setup test lint bench messages mutation

demo: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_city --persons $(PERSONS) --seed $(SEED)
	@echo "Serving http://127.0.0.1:8000/ with the background worker and the scheduler (Ctrl-C stops all three)"
	trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py db_worker & \
	$(BIN)/python manage.py run_scheduler & \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

setup: $(VENV)/.installed assets/node_modules/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# Front-end libraries come from the npm registry at setup and are served locally: no CDN at run time.
assets/node_modules/.installed: assets/package.json assets/package-lock.json
	cd assets && npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy core
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

# The compiled catalogues are committed; they are recompiled when gettext is here, so an edited .po is what the tests see
# (every one: compilemessages skips a .po older than its .mo, which a merge can leave stale).
test: lint
	if command -v msgfmt >/dev/null; then git ls-files '*.po' | while read -r po; do msgfmt -o "$${po%.po}.mo" "$$po" || exit 1; done; fi
	$(BIN)/python -m pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

bench: setup
	bash bench/run.sh

# Mutation testing of core/ (mutmut, see mutation/run.py and mutation/equivalent.md): one module at a time
# against its own tests, printing the score per module without message-only mutants. About an hour on two
# cores; not part of `make test`. `make mutation MUTATION_MODULES="idnum sla" MUTATION_WORKERS=1`.
MUTATION_MODULES ?=
MUTATION_WORKERS ?= 2
mutation: $(VENV)/.installed-dev
	$(BIN)/python mutation/run.py --workers $(MUTATION_WORKERS) $(MUTATION_MODULES)

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Regenerate the message catalogues after changing UI text (needs gettext).
messages:
	for d in apps/*/; do if [ -d $$d/locale ]; then (cd $$d && $(CURDIR)/$(BIN)/django-admin makemessages -l zh_Hans); fi; done
	$(BIN)/django-admin makemessages -l zh_Hans --ignore='apps/*' --ignore='.venv/*' --ignore='assets/*' \
		--ignore='tests/*' --ignore='bench/*' --ignore='core/*'
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=assets
