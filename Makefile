# formgen: `make help` lists the targets.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help setup serve test lint bench clean lock test-tools browser-tools

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# Exactly the locked set (requirements.lock: every runtime, test and build dependency, with hashes),
# then formgen itself without dependencies. The dry run fails loudly when pyproject.toml names a
# dependency the lock lacks or pins it at a version pyproject.toml does not allow: run `make lock`.
LOCK := requirements.lock
$(STAMP): pyproject.toml $(LOCK)
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/pip install --quiet --no-index --dry-run --no-build-isolation -e '.[test]' >$(VENV)/lock-check.log 2>&1 || \
	  { grep ERROR $(VENV)/lock-check.log >&2; \
	    echo "make: requirements.lock does not hold every dependency pyproject.toml names: run 'make lock'" >&2; exit 1; }
	touch $(STAMP)

lock:  ## regenerate requirements.lock (with hashes) from pyproject.toml: runtime, test and build deps
	@test -x $(BIN)/pip-compile || { $(PY) -m venv $(VENV) && $(BIN)/pip install --quiet pip-tools; }
	$(BIN)/pip-compile --quiet --generate-hashes --extra test --all-build-deps --allow-unsafe --strip-extras \
	  --no-emit-index-url --output-file $(LOCK) pyproject.toml

# GOV.UK Frontend (the web pages' CSS, JavaScript, fonts), Swagger UI (/api/docs) and axe-core (browser tests)
# from npm, as locked. Static files only: no package's install script runs (swagger-ui-dist's @scarf/scarf
# would otherwise report the install to its vendor).
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NODE_STAMP)

setup: $(STAMP) $(NODE_STAMP)  ## create .venv, install formgen with its test tools, and the web assets (npm ci)

serve: setup  ## set up and serve the API on http://127.0.0.1:8000
	$(BIN)/formgen serve --host 127.0.0.1 --port 8000

# LibreOffice (writer, no GUI) counts the DOCX's pages in tests (tests/formgen/test_page_oracle.py);
# never used at run time. PostgreSQL's server binaries let the tests start a throwaway server for the
# PostgreSQL audit trail (tests/formgen/store/test_audit_pg.py); no server is left running or enabled.
# poppler's pdfinfo reads the PDFs' structure trees as a second reader (tests/formgen/documents/test_tagging.py).
# None is used at run time. Each is installed from Debian when missing and we may (root).
test-tools:  ## install LibreOffice writer, Liberation fonts, PostgreSQL's server binaries and poppler-utils for the tests (Debian)
	@command -v soffice >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  libreoffice-writer-nogui fonts-liberation >/dev/null) || echo "LibreOffice not installed: the page oracle test will skip"; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  postgresql >/dev/null) || echo "PostgreSQL not installed: the PostgreSQL audit tests will skip (and fail under CI)"; }
	@command -v pdfinfo >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  poppler-utils >/dev/null) || echo "poppler-utils not installed: the second structure reader test will skip"; }

# Debian's Chromium for the Playwright browser tests (tests/formgen/service/web/test_browser.py); Playwright's own browser
# download is never used. Installed when missing and we may (root).
browser-tools:  ## install Debian's chromium for the browser tests
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  chromium >/dev/null) || echo "chromium not installed: the browser tests will skip (and fail under CI)"; }

test: setup test-tools browser-tools  ## set up and run the linters, the layering check, the type checker and the tests
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy formgen forms api.py
	$(BIN)/python -m pytest

lint: setup  ## ruff, the layering check (import-linter) and mypy
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy formgen forms api.py

# Carbone, a peer the benchmarks compare with (benchmarks/peers.py), from npm in its own folder as locked, only
# for `make bench` (never `make test`), with no install script run. Its converter drives LibreOffice through a
# Python with LibreOffice's uno module: Debian's python3-uno, installed when LibreOffice is here, the module
# is missing and we may (root). Without either, Carbone's row says why and the other figures are measured.
CARBONE_STAMP := benchmarks/carbone/node_modules/.package-lock.json
$(CARBONE_STAMP): benchmarks/carbone/package.json benchmarks/carbone/package-lock.json
	cd benchmarks/carbone && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(CARBONE_STAMP)

bench: setup $(CARBONE_STAMP)  ## run the benchmarks, formgen beside its peers in one run (writes benchmarks/results.json)
	@! command -v soffice >/dev/null 2>&1 || /usr/bin/python3 -c "import uno" 2>/dev/null || { [ "$$(id -u)" = 0 ] && \
	  command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  --no-install-recommends python3-uno >/dev/null) || echo "python3-uno not installed: Carbone's row will say why"; }
	$(BIN)/python benchmarks/run.py

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
