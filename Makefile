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
# Each framework runs in a Jupyter kernel of the book's environment. Their
# names, environments and limits come from d2lmini/core/registry.py.
KERNELS := $(VENV)/share/jupyter/kernels
# Where $(PYTHON) is missing a placeholder stands in (the venv step says why).
FACT = $(shell $(PYTHON) -m d2lmini.core.registry $(1) $(2) 2>/dev/null \
  || echo unknown-$(1)-$(2))
TF_NAME := $(call FACT,tensorflow,kernel)
TF_KERNEL := $(KERNELS)/$(TF_NAME)/kernel.json
# MXNet runs only on an older Python, with an older numpy: it gets an
# environment of its own, and its own kernel.
MXNET_NAME := $(call FACT,mxnet,kernel)
MXNET_MAX := $(call FACT,mxnet,max_python)
MXNET_PYTHON ?= python$(MXNET_MAX)
MXNET_VENV ?= $(call FACT,mxnet,environment)
MXNET_KERNEL := $(KERNELS)/$(MXNET_NAME)/kernel.json

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

# TensorFlow runs in the book's environment. Its kernel sets the variables
# that keep TensorFlow's C++ start-up lines off stderr, where they would fail
# the strict build (a cell's stderr is a warning there).
$(TF_KERNEL): $(STAMP)
	$(BIN)/python -m ipykernel install --prefix "$(abspath $(VENV))" \
	  --name $(TF_NAME) \
	  --display-name "$(call FACT,tensorflow,kernel_display)" \
	  $(call FACT,tensorflow,kernel_env) > /dev/null

# Where MXNet cannot be installed, one line says why and the book's MXNet
# tabs say that this build did not run it.
# The kernel is the target: a new .venv, without it, makes it again.
$(MXNET_KERNEL): pyproject.toml constraints-mxnet.txt
	@rm -rf "$(KERNELS)/$(MXNET_NAME)"
	@if ! $(MXNET_PYTHON) -m d2lmini.core.registry mxnet fits 2>/dev/null; then \
	  echo "MXNet: not installed: it needs $(call FACT,mxnet,python), and \
	'$(MXNET_PYTHON)' is not (set MXNET_PYTHON=...); the MXNet tabs say so"; \
	elif ! { $(MXNET_PYTHON) -m venv $(MXNET_VENV) && \
	    $(MXNET_VENV)/bin/pip install -q -c constraints-mxnet.txt \
	      -r constraints-mxnet.txt && \
	    $(MXNET_VENV)/bin/pip install -q --no-deps -e . && \
	    $(MXNET_VENV)/bin/python -m ipykernel install \
	      --prefix "$(abspath $(VENV))" --name $(MXNET_NAME) \
	      --display-name "$(call FACT,mxnet,kernel_display)" \
	      > $(MXNET_VENV)/kernel.log 2>&1; }; then \
	  rm -rf "$(KERNELS)/$(MXNET_NAME)"; \
	  echo "MXNet: not installed: making $(MXNET_VENV) failed (see above, or \
	$(MXNET_VENV)/kernel.log); the MXNet tabs say so"; \
	fi

# Every kernel of the book (python3's too) starts with CurveZMQ keys, so that
# ipykernel does not warn, once per notebook, that it runs over plain TCP.
kernels: $(TF_KERNEL) $(MXNET_KERNEL)
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
# (benchmarks/train_speed.py); TensorFlow as the book's kernel runs it.
bench: $(STAMP) kernels
	$(BIN)/python benchmarks/train_speed.py --framework pytorch
	TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0 \
	  $(BIN)/python benchmarks/train_speed.py --framework tensorflow
	test ! -x $(MXNET_VENV)/bin/python || \
	  $(MXNET_VENV)/bin/python benchmarks/train_speed.py --framework mxnet

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
