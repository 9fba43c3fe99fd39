# Two commands do everything on a fresh Debian machine with Python 3.11:
#   make report   set up .venv (when missing or out of date) and render the default report
#   make test     set up .venv and run every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test venv clean

report: $(STAMP)
	$(BIN)/python -m pipeline run

test: $(STAMP)
	$(BIN)/python -m pytest

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Outputs and processed data are disposable: this removes them (data/raw/ is never touched).
clean:
	rm -rf outputs/*/ data/processed/*/
