# The README's two commands are `make tutorial` and `make test`; both build .venv first.
# `make execute` is the maintainers' way to refresh the committed notebooks' outputs.

# The first python3 that is 3.11 or newer (override: make PYTHON=/path/to/python3.12).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
            && command -v $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
OUT := outputs
# The helpers write figures to $CAM_OUTPUT_DIR, else to outputs/ in the current folder (beside
# the notebook); every target here sends them to the repository's outputs/.
export CAM_OUTPUT_DIR ?= $(CURDIR)/$(OUT)
# The model the committed outputs were produced with; `make test` pins it so that
# strict nbval compares like with like on any machine.
TEST_MODEL := efficientnet_lite0
# A cell that runs longer than CELL_TIMEOUT seconds fails instead of hanging the run.
CELL_TIMEOUT := 600
NBCONVERT := $(BIN)/jupyter nbconvert --ExecutePreprocessor.timeout=$(CELL_TIMEOUT) \
             --ExecutePreprocessor.record_timing=False --log-level=WARN
# Tests run on WORKERS pytest-xdist workers, each notebook on one worker (notebooks/conftest.py),
# every worker and its kernels on one thread, so that workers do not fight over the cores.
WORKERS ?= 2
ONE_THREAD := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
NBVAL := $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --no-loadscope-reorder \
         --nbval --nbval-sanitize-with notebooks/sanitize.cfg --nbval-cell-timeout=$(CELL_TIMEOUT)
# `make execute` runs natively (the CPU's best kernels, every core). `make test` runs on a
# second code path: PyTorch's portable kernels and one thread per worker, about what another
# CPU does to the last digits. So every run, CI's included, checks outputs made on one code
# path against another: a notebook passes only if its compared outputs do not depend on float noise.
PORTABLE := ATEN_CPU_CAPABILITY=default

.PHONY: help venv tutorial test test-quick test-native test-resnet50 claim-spread lint execute bench clean student test-student book test-book test-cloud test-docs

help:
	@echo "make tutorial  build .venv, run every notebook into $(OUT)/ (notebooks, HTML, figures)"
	@echo "make test      build .venv, run the unit tests and strict nbval (CAM_MODEL=$(TEST_MODEL)),"
	@echo "               on two workers, PyTorch's portable kernels, one thread each"
	@echo "make test-quick   the inner loop: unit tests not marked slow, no notebooks (under a minute)"
	@echo "make test-native  maintainers: strict nbval of the notebooks on this CPU's native kernels"
	@echo "make test-resnet50  every notebook top to bottom under CAM_MODEL=resnet50 with random weights (code paths; CI runs it)"
	@echo "make claim-spread   maintainers: every checked number on native and portable kernels at 1 and 2 threads"
	@echo "make lint      ruff and mypy (configured in pyproject.toml); CI runs it before the tests"
	@echo "make execute   maintainers: re-execute the committed notebooks in place"
	@echo "make bench     speed ratios of CAM, SeCAM, Grad-CAM and LIME, measured side by side"
	@echo "make student   student notebooks in $(OUT)/student/: exercises kept, solutions removed, outputs cleared"
	@echo "make test-student  run every student notebook top to bottom (CI runs it after make test)"
	@echo "make book      the series as a website that reads offline, in $(OUT)/book/ (needs npm)"
	@echo "make test-book    open every page of the book in headless Chromium (needs Debian's chromium)"
	@echo "make test-docs    run the example in every public docstring of helpers (CI runs it)"
	@echo "make test-cloud   every notebook and its student copy alone in an empty folder, from the wheel, in a fresh venv (CI)"
	@echo "make clean     remove .venv and generated outputs"

venv: $(STAMP)

# torch and torchvision come first and alone, so pip takes the builds pinned in constraints.txt
# rather than resolving them as someone else's dependency.
$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "No Python 3.11 or newer found (tried python3, python3.13, python3.12, python3.11)."; \
	  echo "Install one, or name it: make PYTHON=/path/to/python3.12"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt torch torchvision
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,lint]'
	@touch $(STAMP)

tutorial: $(STAMP)
	@mkdir -p $(OUT)/notebooks $(OUT)/html
	@for notebook in $(NOTEBOOKS); do \
	  start=$$(date +%s); \
	  $(NBCONVERT) --to notebook --execute --output-dir $(OUT)/notebooks $$notebook || exit 1; \
	  echo "$$notebook: $$(( $$(date +%s) - start )) s"; \
	done
	$(NBCONVERT) --to html --output-dir $(OUT)/html $(OUT)/notebooks/*.ipynb
	@echo
	@echo "Executed notebooks: $(OUT)/notebooks/"
	@echo "HTML to read:       $(OUT)/html/"
	@echo "Figures:            $(OUT)/*.png"

test: $(STAMP)
	CAM_MODEL=$(TEST_MODEL) $(PORTABLE) $(ONE_THREAD) $(NBVAL) tests $(NOTEBOOKS)

test-quick: $(STAMP)
	CAM_MODEL=$(TEST_MODEL) $(ONE_THREAD) $(BIN)/python -m pytest -n $(WORKERS) -m "not slow" tests

test-native: $(STAMP)
	CAM_MODEL=$(TEST_MODEL) $(ONE_THREAD) $(NBVAL) $(NOTEBOOKS)

# Under ResNet50 every notebook must still run: its weights need a network, so random ones stand in.
test-resnet50: $(STAMP)
	$(BIN)/python -m tools.random_resnet50 $(NOTEBOOKS) --out $(OUT)/resnet50_random

# How far every checked number moves between code paths (tools/claim_spread.py): about 30 minutes.
claim-spread: $(STAMP)
	$(BIN)/python -m tools.claim_spread $(NOTEBOOKS) --out $(OUT)/claim_spread

# The helpers, the tools, the tests and the notebooks' conftest; ruff and mypy read pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check helpers tools tests notebooks
	$(BIN)/mypy

execute: $(STAMP)
	CAM_MODEL=$(TEST_MODEL) $(NBCONVERT) --to notebook --execute --inplace $(NOTEBOOKS)

bench: $(STAMP)
	$(BIN)/python -m tools.bench

# The committed notebooks are the answer key; tools/student.py says how solutions are marked.
student: $(STAMP)
	$(BIN)/python -m tools.student $(OUT)/student

# Without their solutions, the student notebooks must still run top to bottom.
test-student: student
	@mkdir -p $(OUT)/student/executed
	CAM_MODEL=$(TEST_MODEL) $(NBCONVERT) --to notebook --execute --output-dir $(OUT)/student/executed $(OUT)/student/[0-9]*.ipynb

# The book: Sphinx with MyST-NB and the book theme, from the committed notebooks (nothing is
# executed). The sources are staged in the repository's layout (README.md beside notebooks/) so
# README's links work in the book. Every build starts clean, so no page outlives its source.
BOOK_STAMP := $(VENV)/.installed-book
BOOK_SRC := $(OUT)/.book-src
MATHJAX := book/node_modules/mathjax/es5/tex-chtml.js

$(BOOK_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[book]'
	@touch $(BOOK_STAMP)

$(MATHJAX): book/package.json book/package-lock.json
	npm ci --prefix book --no-audit --no-fund --loglevel=error
	@touch $(MATHJAX)

book: $(BOOK_STAMP) $(MATHJAX)
	@rm -rf $(BOOK_SRC) $(OUT)/book && mkdir -p $(BOOK_SRC)/notebooks $(BOOK_SRC)/images $(BOOK_SRC)/_static
	@cp -p README.md book/*.md $(BOOK_SRC)/ && cp -p $(NOTEBOOKS) $(BOOK_SRC)/notebooks/ && cp -p images/SOURCES.md $(BOOK_SRC)/images/ && cp -p book/custom.css $(BOOK_SRC)/_static/
	@cp -pR book/node_modules/mathjax/es5 $(BOOK_SRC)/_static/mathjax
	$(BIN)/sphinx-build -q -W --keep-going -j 2 -c book -b html $(BOOK_SRC) $(OUT)/book
	@echo "The book: $(OUT)/book/index.html (open it in a browser; it needs no network)"

# Debian's Chromium drives the test (sudo apt-get install chromium); no browser is downloaded.
test-book: book
	$(BIN)/python -m pytest -p no:cacheprovider -o addopts= tests/browser

# The examples in the docstrings (the book's API page shows them) must run as printed.
test-docs: $(STAMP)
	CAM_MODEL=$(TEST_MODEL) $(ONE_THREAD) $(BIN)/python -m pytest -p no:cacheprovider -o addopts= --doctest-modules helpers \
	  --ignore=helpers/__main__.py -q

# As on Colab: the wheel in a fresh venv, each notebook alone with only what its install cell installs.
test-cloud: $(STAMP)
	env -u CAM_OUTPUT_DIR $(BIN)/python -m tools.cloud_lane

clean:
	rm -rf $(VENV) $(OUT)/notebooks $(OUT)/html $(OUT)/*.png $(OUT)/book $(OUT)/.book-src book/node_modules \
	  $(OUT)/resnet50_random $(OUT)/claim_spread
