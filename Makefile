# Two commands do everything on a fresh Debian machine with Python 3.11:
#   make report   set up .venv (when missing or out of date) and render the default report
#   make test     set up .venv and run every test (ruff, the notebook-output check, pytest and nbval)
#   make test-fast  the unit tier only (pytest -m "not slow"), in under a minute
# And for the analyst and the maintainer:
#   make lab      open JupyterLab on notebooks/ (saving there keeps notebooks free of outputs)
#   make lock     regenerate requirements.lock (with hashes) from pyproject.toml, and environment.yml from it
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test test-fast lint venv clean browser lab lock

report: $(STAMP)
	$(BIN)/python -m pipeline run

test: $(STAMP) browser lint
	$(BIN)/python -m pytest

# The unit tier: no kernel, no whole render, no browser, no pipeline in a process of its own (under a minute).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" tests

# Lint and format check (ruff, configured in pyproject.toml), and no notebook in the repo holds outputs.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pipeline.run.notebooks --check notebooks

# JupyterLab with the repo's server config (jupyter_server_config.py): its save hook strips outputs.
lab: $(STAMP)
	JUPYTER_CONFIG_PATH=$(CURDIR)/.jupyter $(BIN)/jupyter lab --notebook-dir=notebooks

# The lock is resolved under the oldest Python the project supports (Debian 12's own 3.11.2, pyproject.toml's
# requires-python), so that every pinned release installs there as well as on a newer 3.11.
OLDEST_PYTHON ?= /usr/bin/python3.11
lock: $(STAMP)
	@test -x $(OLDEST_PYTHON) || { echo "make lock needs $(OLDEST_PYTHON) (Debian's python3.11); set OLDEST_PYTHON"; exit 2; }
	@test -x .venv-lock/bin/pip-compile || { $(OLDEST_PYTHON) -m venv .venv-lock && \
	  .venv-lock/bin/pip install --disable-pip-version-check --quiet "pip-tools==$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("pip-tools"))')"; }
	.venv-lock/bin/pip-compile --quiet --generate-hashes --all-extras --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/python tools/environment_yml.py

# Debian's programs the tests drive: Chromium for the accessibility tests (Playwright never downloads a browser
# here), ssh-keygen (openssh-client) for signed manifests, pdftotext (poppler-utils) to read the PDF as a reader's
# tools do, LibreOffice Writer (libreoffice-writer-nogui) to check that report.docx opens. As root (CI, a fresh Debian machine) each is installed when missing; otherwise those tests say why
# they skip.
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v ssh-keygen >/dev/null 2>&1 || missing="$$missing openssh-client"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's$$missing for the tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note:$$missing not installed and cannot be installed here; the tests that need them will be skipped"; fi; \
	fi

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Outputs and processed data are disposable: this removes them (data/raw/ is never touched).
clean:
	rm -rf outputs/*/ data/processed/*/
