# Russia in Central Asia: one-command set-up, build and tests.
#   make book    set up .venv from requirements.txt, install coursekit, build _build/html (strict)
#   make test    set up, build the book and run every test (unit, data checks, nbval, browser);
#                the tests that need no book run while it builds
#   make serve   serve the built book on http://127.0.0.1:8000
#   make check   validate datasets, excerpts and quizzes
#   make test-fast  unit, data and doctests only: no browser, no built book (works on a fresh clone)
#   make bench   measure build, test and page-weight figures (writes bench/results.json);
#                builds the book first if it is missing
#   make bench-tests  only the test command's wall time: make test in a fresh clone of HEAD
#   make bench-pages  only the page weights of _build/html (budgets: chapters <= 700 KB gzip, 1.5 MB raw)
#   make student-edition [SOLUTIONS=collapsed|removed]   make instructor-edition
#   make takeaway  the student edition (solutions removed) as a zip that works opened from disk
#                  and as a printable PDF, in _build/takeaway (takeaway-zip, takeaway-pdf: one each)

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.coursekit-installed
UV := $(BIN)/uv pip install --quiet --python $(BIN)/python
# Bytecode, compiled once at set-up: uv, unlike pip, leaves it to the first import, and where
# PYTHONDONTWRITEBYTECODE is set (as on the CI machine) every process would compile from source.
# Not for the packages' own test suites or pip, which nothing here imports (a fifth of the files).
COMPILE := $(BIN)/python -m compileall -q -j 0 -x 'site-packages/(pip|.+/tests?)/'
JB_FLAGS := -W -n --keep-going
PORT ?= 8000
# make test's pytest options: two workers, one test file at a time each, longest files first
# (tests/conftest.py orders them from tests/durations.json; xdist must not reorder them)
PARALLEL := -n 2 --dist loadfile --no-loadscope-reorder

.PHONY: setup book book-if-missing sandbox-deps test test-fast serve check lint bench bench-tests bench-pages binder-check browser-deps clean student-edition instructor-edition takeaway takeaway-edition takeaway-zip takeaway-pdf

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv (its version pinned in requirements.txt) installs the pinned set from its cache in seconds
	$(BIN)/python -m pip install --quiet "$$(grep -E '^uv==' requirements.txt)"
	$(UV) -r requirements.txt
	$(UV) --no-deps -e .
	$(COMPILE) "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" src
	@touch $(STAMP)

setup: $(STAMP)

book: setup
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo
	@echo "The book is in _build/html. Open _build/html/index.html in a browser,"
	@echo "or run 'make serve' and visit http://127.0.0.1:$(PORT)/"

book-if-missing: setup
	@test -f _build/html/index.html || $(MAKE) book

browser-deps:
	@bash scripts/ensure_browser_deps.sh

test: setup browser-deps
	@# the book builds in the background while the tests that do not need it run (scripts/run_tests.py)
	$(BIN)/python scripts/run_tests.py --build="$(BIN)/jupyter-book build . $(JB_FLAGS)" -- $(PARALLEL)

sandbox-deps:
	@bash scripts/ensure_browser_deps.sh --sandbox-only

test-fast: setup sandbox-deps
	$(BIN)/python -m pytest -m "not browser and not slow and not book"

serve:
	@test -f _build/html/index.html || { echo "No book yet: run 'make book' first"; exit 1; }
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

check: setup
	$(BIN)/coursekit check

lint: setup
	$(BIN)/ruff check src tests scripts data/scripts

bench: setup browser-deps book-if-missing
	$(BIN)/python bench/run.py
	$(BIN)/python bench/grading.py

bench-pages: setup browser-deps book-if-missing
	$(BIN)/python bench/run.py --pages-only _build/html

bench-tests: setup
	$(BIN)/python bench/run.py --tests-only

binder-check: setup
	$(BIN)/python scripts/binder_check.py

student-edition: setup
	$(BIN)/coursekit edition student --solutions $(or $(SOLUTIONS),removed) --strict --force

instructor-edition: setup
	$(BIN)/coursekit edition instructor --strict --force

TAKEAWAY := _build/takeaway
TAKEAWAY_SITE := _build/takeaway-student

takeaway: takeaway-zip takeaway-pdf

takeaway-edition: setup
	$(BIN)/coursekit edition student --solutions removed --strict --force --out $(TAKEAWAY_SITE)

takeaway-zip: takeaway-edition
	$(BIN)/python scripts/takeaway.py zip $(TAKEAWAY_SITE) $(TAKEAWAY)/russia-in-central-asia-student.zip

takeaway-pdf: browser-deps takeaway-edition
	$(BIN)/python scripts/takeaway.py pdf $(TAKEAWAY_SITE) $(TAKEAWAY)/russia-in-central-asia-student.pdf

clean:
	rm -rf _build
