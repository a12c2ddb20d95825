# sigma's front door: `make run` to try it, `make test` to check it.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test test-fast lint format install chromium oidc-provider bench screenshots

$(INSTALLED): requirements/dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	touch $@

# var/ holds the development database and mail folder.
install: $(INSTALLED)
	mkdir -p var

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo
	@echo "sigma tourne sur http://127.0.0.1:8000 (courriels envoyés : http://127.0.0.1:8000/dev/mail/)"
	@echo "Comptes de démonstration, mot de passe commun : Demo-Sigma-2026!"
	@echo "  66bdj5zw4x        compte principal de ORGANISME TEST PRF 23 (Mme BLA PAU)"
	@echo "  8wwapv3bzk        compte secondaire (M. GU Be)"
	@echo "  test.identifiant  compte secondaire (Mme NOM TEST COMPTE PRENOM TEST COMPTE)"
	@echo "  durand.fdm        compte principal de FORMATIONS DU MIDI (M. DURAND Marc)"
	@echo "  agent.region      agent de la Région (Mme MARTIN Claire)"
	@echo "    double authentification : clé TOTP SIGMAFPDEMOAGENTREGIONOCCITANIE2, codes de secours demo-code-0001 à demo-code-0010"
	@echo
	@echo "Le processus d'envoi des courriels (db_worker) tourne à côté du serveur ; Ctrl+C arrête les deux."
	@$(BIN)/python manage.py db_worker --queue-name '*' --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The end-to-end tests drive Debian's Chromium (never a browser download).
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# The tests' OpenID provider (tests/oidc_provider/, ProConnect-like), from its lock.
OIDC_PROVIDER := tests/oidc_provider
$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error

oidc-provider: $(OIDC_PROVIDER)/node_modules/.package-lock.json

# Each pytest worker imports every module and rewrites every test's assertions:
# about 5 CPU-s a process when nothing is cached, so the tests keep Python's
# bytecode (under var/pycache/) even where PYTHONDONTWRITEBYTECODE is set.
TEST_ENV := SIGMA_ENV=test PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/var/pycache

test: install chromium oidc-provider
	$(TEST_ENV) $(BIN)/pytest -n auto

# The inner loop: everything but the browser walks (e2e), the tests that
# start processes or services or wait (slow) and the walks of every URL, form
# or screen (sweep); see the markers in pyproject.toml. `make test` runs all.
# tests/e2e/ (all e2e) is not even collected: no Playwright to import.
# Output is captured at Python's level (sys), not by redirecting the process's
# file descriptors for each test (fd): about 6 % of the run, and no test of the
# fast loop writes from a child process.
test-fast: install oidc-provider
	$(TEST_ENV) $(BIN)/pytest -n auto --capture=sys -m "not e2e and not slow and not sweep" --ignore=tests/e2e

# A PNG of each main page at 1280 and 320 px, from the demo data on a temporary database.
screenshots: install chromium
	$(BIN)/python tests/e2e/screenshots.py

# Style, the layer contracts and types of pyproject.toml (import-linter, mypy
# with django-stubs), then migrations.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	SIGMA_ENV=test $(BIN)/mypy
	SIGMA_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Load test under gunicorn and wrk at 100 and 10,000 organismes, written to
# docs/benchmarks.md: PostgreSQL when DATABASE_URL is set (a database whose
# name contains "bench": it is dropped and recreated), SQLite otherwise.
bench: install
	$(BIN)/python bench/run.py
