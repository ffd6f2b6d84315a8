# evaluering: the two commands are `make report` and `make test` (see README.md).
# Both set everything up on a fresh machine with only Python 3.11 and pip.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
YEAR   ?= 2020
PLAN   ?=

.PHONY: setup data report test bench lab chromium clean distclean help

help:
	@echo "make report   set up, build data/processed/ and write the yearly report(s) to reports/$(YEAR)/"
	@echo "make test     set up and run the test suite"
	@echo "make bench    run the benchmarks (prints BENCH lines)"
	@echo "make lab      start JupyterLab in the project folder on the project's kernel (evaluering)"

# The virtual environment: reinstalled only when pyproject.toml changes.
setup: $(STAMP)
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name evaluering --display-name "Python (evaluering)" >/dev/null
	touch $(STAMP)

# Headless Chromium for PDF output and the rendering tests (Debian package `chromium`).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { echo "installing Debian package chromium (for PDF reports)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null) \
	    || echo "WARNING: could not install chromium; PDF output and browser tests will be skipped"; }

# data/processed/ from data/raw/ (synthetic register data and count cells); skipped when up to date.
data: $(STAMP)
	$(BIN)/evaluering build

report: data chromium
	$(BIN)/evaluering batch --year $(YEAR) $(if $(PLAN),--plans $(PLAN))

# the bundled data first: the tests on the bundled plans (CS with covariates, synthdid, the
# effect notebook, the report marks) run on it instead of being skipped
test: data chromium
	$(BIN)/python -m pytest

# JupyterLab on the project's kernel ("Python (evaluering)", installed by setup); the
# notebooks find the project folder themselves (project_root ""), from notebooks/ or the root.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=. \
	  --MappingKernelManager.default_kernel_name=evaluering notebooks/yearly_report.ipynb

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf reports/[0-9]* data/processed/*.parquet data/raw/synthetic .pytest_cache

distclean: clean
	rm -rf $(VENV)
