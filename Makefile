# The README's two commands, from a fresh clone:  make book  and  make test.
# Python packages only go into .venv; `make deps` is the one target that
# installs system packages (and says so before it does).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# PyTorch is installed first, on its own. On the project's CI machines
# torch==2.13.0 resolves to a local CPU wheel; elsewhere pip takes PyPI's
# default build for the platform (on Linux x86-64 that is the CUDA build,
# gigabytes). On a CPU-only Linux machine use the CPU wheels instead:
#   make book TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH ?= torch==2.13.0
TORCH_INDEX ?=
# The exact versions CI and make install (refresh with `make lock`).
CONSTRAINTS ?= constraints.txt
JB_FLAGS ?= -W --keep-going
REPO_URL ?=
# `make deps PDF=1` also installs TeX and the tools that `make pdf` needs.
PDF ?=
REMOTE ?= origin
LINTED := d2lmini _ext tests benchmarks scripts
# The chapters as plain-Markdown notebooks, written by `make book`.
NOTEBOOKS := _build/jupyter
# Each framework runs in a Jupyter kernel of the book's environment, made by
# scripts/kernels.py from d2lmini/core/registry.py: in the book's own
# environment (TensorFlow's), or in one of its own where the framework needs an
# older Python (MXNet's, made with MXNET_PYTHON, by default the newest Python it
# runs on, at MXNET_VENV). PyTorch runs in python3.
KERNELS := $(VENV)/share/jupyter/kernels
KERNELS_IN = $(shell $(PYTHON) scripts/kernels.py list $(1) $(KERNELS) \
  2>/dev/null)
BOOK_KERNELS := $(call KERNELS_IN,book)
OWN_KERNELS := $(call KERNELS_IN,own)

.PHONY: book pdf pdf-tools test check lint jb-flags deps setup kernels lab \
  bench publish lock clean

$(STAMP): pyproject.toml requirements.txt requirements-dev.txt $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "'$(PYTHON) \
	-m venv' failed: on Debian/Ubuntu, apt-get install python3-venv"; exit 1; }
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q \
	  $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) "$(TORCH)"
	$(BIN)/pip install -q -c $(CONSTRAINTS) -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

# A kernel in the book's environment sets the framework's variables: for
# TensorFlow, those that keep its C++ start-up lines off stderr, where they
# would fail the strict build (a cell's stderr is a warning there).
$(BOOK_KERNELS): $(KERNELS)/%/kernel.json: $(STAMP)
	$(BIN)/python scripts/kernels.py install $* $(VENV)

# A kernel in its own environment: where it cannot be made, one line says why
# and the framework's tabs say that this build did not run it. The kernel is
# the target: a new .venv, without it, makes it again.
$(OWN_KERNELS): $(KERNELS)/%/kernel.json: pyproject.toml constraints-*.txt
	@$(PYTHON) scripts/kernels.py install $* $(VENV)

# Every kernel of the book (python3's too) starts with CurveZMQ keys, so that
# ipykernel does not warn, once per notebook, that it runs over plain TCP.
kernels: $(BOOK_KERNELS) $(OWN_KERNELS)
	$(BIN)/python -m d2lmini.core.kernel $(KERNELS)

# The site, then the chapters as notebooks (both strict; see the script).
book: $(STAMP) kernels
	BOOK_REPO_URL=$(REPO_URL) $(BIN)/python scripts/build_book.py . $(JB_FLAGS)

# The strict build flags, for the tests that build throwaway books.
jb-flags:
	@echo $(JB_FLAGS)

# The PDF edition, _build/latex/d2lmini.pdf, typeset with XeLaTeX from the
# execution cache that `make book` filled (a chapter the cache holds is not run
# again); then the site again, which copies the PDF into _build/html and links
# it (its pages are rewritten, nothing is re-read). Without TeX it stops with
# one line that names the packages (`make deps PDF=1` installs them).
PDF_MISSING = $(shell bash scripts/system-deps.sh --check-pdf 2>&1)
pdf-tools:
	$(if $(PDF_MISSING),$(error $(PDF_MISSING)))

pdf: pdf-tools $(STAMP)
	BOOK_REPO_URL=$(REPO_URL) $(BIN)/jupyter-book build . --builder pdflatex $(JB_FLAGS)
	BOOK_REPO_URL=$(REPO_URL) $(BIN)/python scripts/build_book.py . $(JB_FLAGS)

deps:
	PDF=$(PDF) bash scripts/system-deps.sh

# The whole suite: the system packages (the tests build the PDF too, so
# they need the PDF's), lint, then every test (the book is built if needed).
test: $(STAMP) kernels
	$(MAKE) deps PDF=1
	$(MAKE) lint
	$(BIN)/python -m pytest

# Everyday work: the package's unit tests and the chapters' code, in a minute.
check: $(STAMP) kernels
	$(BIN)/python -m pytest -m "not slow and not browser" tests/package \
	  tests/chapters

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

# Each framework's train_ch11 against its standard pipeline and a lean loop
# (benchmarks/train_speed.py), in the environment its kernel runs in.
bench: $(STAMP) kernels
	$(BIN)/python scripts/kernels.py run $(VENV) benchmarks/train_speed.py

# JupyterLab on the rendered notebooks (built first if missing).
lab: $(STAMP) kernels
	$(BIN)/python -c "import jupyterlab" 2>/dev/null || \
	  $(BIN)/pip install -q -c $(CONSTRAINTS) "jupyterlab>=4"
	test -f $(NOTEBOOKS)/chapters/minibatch_sgd.ipynb || $(MAKE) book
	$(BIN)/jupyter lab --ServerApp.root_dir=$(NOTEBOOKS) \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

# Push the built site to the gh-pages branch of $(REMOTE); run `make book` first.
publish:
	@test -f _build/html/index.html || { echo "make publish: _build/html has \
	no index.html; run 'make book' first"; exit 1; }
	$(BIN)/ghp-import --no-jekyll --push --force --remote $(REMOTE) \
	  --branch gh-pages --message "Publish the book" _build/html

# Refresh $(CONSTRAINTS) from a fresh environment with the newest versions that
# requirements-dev.txt allows (torch is pinned by TORCH instead).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q $(if $(TORCH_INDEX),--index-url \
	  $(TORCH_INDEX)) "$(TORCH)"
	.lock-venv/bin/pip install -q -r requirements-dev.txt
	{ echo "# Exact versions for CI and make (made by 'make lock'; torch is"; \
	  echo "# installed on its own, see the Makefile)."; \
	  .lock-venv/bin/pip freeze --exclude-editable --exclude torch; } \
	  > $(CONSTRAINTS)
	rm -rf .lock-venv

clean:
	rm -rf _build
