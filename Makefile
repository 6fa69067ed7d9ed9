# Two commands from a fresh clone:  make book  (build the site)  and  make test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JB_FLAGS ?= -W --keep-going
REPO_URL ?=

.PHONY: book test setup system-deps clean bench lab

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "'$(PYTHON) -m venv' failed: on Debian/Ubuntu, apt-get install python3-venv"; exit 1; }
	# The CPU wheel of torch first: a bare range would pull CUDA packages (see the README).
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

book: $(STAMP) system-deps
	BOOK_REPO_URL=$(REPO_URL) $(BIN)/jupyter-book build . $(JB_FLAGS)

system-deps:
	bash scripts/system-deps.sh

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -ra

bench: $(STAMP)
	$(BIN)/python benchmarks/train_speed.py

lab: $(STAMP)
	$(BIN)/python -c "import jupyterlab" 2>/dev/null || $(BIN)/pip install -q "jupyterlab>=4"
	$(BIN)/jupyter lab chapters/

clean:
	rm -rf _build
