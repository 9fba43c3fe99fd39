# Two commands do everything on a fresh Debian machine with Python 3.11:
#   make report   set up .venv (when missing or out of date) and render the default report
#   make test     set up .venv and run every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test venv clean browser

report: $(STAMP)
	$(BIN)/python -m pipeline run

test: $(STAMP) browser
	$(BIN)/python -m pytest

# The accessibility tests drive Debian's Chromium (Playwright never downloads a browser here).
# As root (CI, a fresh Debian machine) it is installed when missing; otherwise those tests say why they skip.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the accessibility tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: chromium is not installed and cannot be installed here; accessibility tests will be skipped"; fi; }

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Outputs and processed data are disposable: this removes them (data/raw/ is never touched).
clean:
	rm -rf outputs/*/ data/processed/*/
