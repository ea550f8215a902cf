# week4: the menu. `make check` and `make test` are all a student or CI needs;
# each sets up .venv on first use (and again whenever pyproject.toml changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
TOPICS := $(notdir $(wildcard solutions/[0-9]*))
# Tools that call other tools by name (nbgrader runs `alembic`) must find ours first.
export PATH := $(abspath $(BIN)):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help setup setup-dev check test release lab docs docs-build bench-check bench-serving bench-grade grade-demo clean

help: ## show this menu
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "week4 needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Student tools: the package, its checks, JupyterLab.
$(VENV)/.student: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	@touch $@

# Everything: instructor (nbgrader), docs and test tools, plus the npm tools.
$(VENV)/.dev: pyproject.toml $(VENV)/.student node_modules/.installed
	$(BIN)/python -m pip install --quiet -e '.[lab,instructor,docs,dev]'
	@touch $@

# newman (runs the Postman collection), mermaid and katex (offline docs site).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The docs' browser test drives Debian's chromium (no browser download) and needs CJK fonts
# for the Korean pages. Installed here when missing; CI runs as root.
$(VENV)/.browser: | $(BIN)/python
	@if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; \
	  else \
	    echo "the browser test needs chromium and fonts-noto-cjk: sudo apt-get install chromium fonts-noto-cjk"; exit 1; \
	  fi; \
	fi
	@touch $@

# Student code is graded in a bubblewrap sandbox (autograder/jail.py). Installed here when
# missing and running as root; otherwise one line says how, and grading falls back to a plain
# child process (week4 check says so; week4 grade then needs --allow-unisolated).
$(VENV)/.sandbox: | $(BIN)/python
	@if ! command -v bwrap >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap; \
	  else \
	    echo "no sandbox for student code: install bubblewrap (sudo apt-get install bubblewrap); grading falls back to a plain process"; \
	  fi; \
	fi
	@touch $@

setup: $(VENV)/.student ## create .venv with the student tools
setup-dev: $(VENV)/.dev ## create .venv with every tool (instructor, docs, tests)

check: $(VENV)/.student $(VENV)/.sandbox ## grade your exercises/ and print the scoreboard
	@$(BIN)/week4 check

test: $(VENV)/.dev $(VENV)/.sandbox $(VENV)/.browser ## run the whole test suite (docs build and browser test included)
	$(BIN)/python -m pytest

release: $(VENV)/.dev ## regenerate exercises/ from solutions/ with nbgrader
	$(BIN)/python -m week4.release $(TOPICS)

lab: $(VENV)/.student ## open JupyterLab on the exercises
	$(BIN)/jupyter lab --port 8888 exercises

docs: docs-build ## build both languages and serve them on http://127.0.0.1:8000
	@echo "English: http://127.0.0.1:8000/   한국어: http://127.0.0.1:8000/ko/"
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory site

docs-build: $(VENV)/.dev ## build the site into site/ (English) and site/ko/ (Korean), strict
	$(BIN)/mkdocs build --strict
	$(BIN)/mkdocs build --strict -f mkdocs.ko.yml

bench-check: $(VENV)/.dev ## benchmark: week4 check vs a bare nbclient run of topic 01
	$(BIN)/python -m week4.bench check

bench-serving: $(VENV)/.dev ## benchmark: the model service over HTTP (gunicorn; scikit-learn vs ONNX)
	$(BIN)/python -m week4.bench_serving

bench-grade: $(VENV)/.dev ## benchmark: serial nbgrader autograde vs week4 grade --jobs 2
	$(BIN)/python -m week4.bench grade

grade-demo: $(VENV)/.dev ## build a synthetic class in demo-class/ and grade it
	$(BIN)/python -m week4.grading.demo build demo-class
	$(BIN)/week4 grade --submissions demo-class/submitted --jobs 2 --out demo-class/grading
	@echo "open demo-class/grading/report.html; expected scores: demo-class/expected.json"

clean: ## remove .venv and build outputs
	rm -rf $(VENV) site .nbgrader build *.egg-info demo-class grading-out
