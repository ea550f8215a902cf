# week4: the menu. `make check` and `make test` are all a student or CI needs;
# each sets up .venv on first use (and again whenever pyproject.toml or uv.lock changes).

PYTHON ?= python3
# pytest workers for `make test` (pytest-xdist; tests/conftest.py says how the work is shared
# out); TEST_JOBS=0 runs the suite in one process.
TEST_JOBS ?= 2
# the check whose code-level hint `make hint` shows, e.g. `make hint CHECK=freeze-pins`
CHECK ?=
# extra arguments for `uv lock`, e.g. `make lock LOCK_ARGS=--upgrade` to move every pin.
LOCK_ARGS ?=
VENV   := .venv
BIN    := $(VENV)/bin
TOPICS := $(notdir $(wildcard solutions/[0-9]*))
# Every Python package is pinned, with hashes, in uv.lock; requirements/ holds the same pins
# exported for pip, used only when uv cannot be installed. uv itself is pinned here.
UV_VERSION := 0.13.9
UV     := $(VENV)/uv/bin/uv
# Tools that call other tools by name (nbgrader runs `alembic`) must find ours first.
export PATH := $(abspath $(BIN)):$(PATH)
# uv uses the Python that made .venv; it never downloads one.
export UV_PYTHON_DOWNLOADS := never

.DEFAULT_GOAL := help
.PHONY: help setup setup-dev check hint test lock i18n bwrap release lab docs docs-build bench-check bench-serving bench-grade grade-demo clean

help: ## show this menu
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "week4 needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv --without-pip $(VENV)

# The pinned uv, installed into .venv/uv/ by the pip the student's Python already has (no
# installer script, nothing outside .venv). .venv itself is made without pip: uv installs
# everything, and making pip is most of `python3 -m venv`'s time. If uv cannot be had, setup
# goes on with pip (ensurepip puts it into .venv) and the same pins. (A Python without pip of
# its own gets uv from the pip that ensurepip puts into .venv.)
$(VENV)/.uv-$(UV_VERSION): | $(BIN)/python
	@$(call uv_from,$(PYTHON)) || { $(PIP_IN_VENV) && $(call uv_from,$(BIN)/python); } || true
	@touch $@
uv_from = $(1) -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
  --target $(VENV)/uv --upgrade uv==$(UV_VERSION) >/dev/null 2>&1

# uv's sync is --inexact: it leaves what it did not install in .venv (and, for `make check`, the dev
# tools a `make test` installed); every locked package gets exactly its locked version. Without
# uv, pip installs the same pins, checking the hashes uv exported to requirements/.
UV_SYNC = $(UV) sync --locked --inexact --quiet
# Bytecode: a sandbox mounts .venv read-only and runs with PYTHONDONTWRITEBYTECODE, so a module
# without its .pyc file is compiled from source on every import: 4 s of every grading went to
# compiling pandas, scikit-learn and the rest again. `make check` compiles what a grading can
# import (autograder/precompile.py), `make test` all of site-packages (uv --compile-bytecode).
PIP_IN_VENV = $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null
LOCK_HINT = { echo "(changed pyproject.toml? 'make lock' updates uv.lock and requirements/)"; exit 1; }
NO_UV = uv $(UV_VERSION) is unavailable: installing the locked versions with pip from

# Student tools: the package, its checks, JupyterLab.
$(VENV)/.student: pyproject.toml uv.lock requirements/student.txt | $(VENV)/.uv-$(UV_VERSION)
	@if [ -x $(UV) ]; then $(UV_SYNC) --extra lab || $(LOCK_HINT); else \
	  echo "$(NO_UV) requirements/student.txt"; $(PIP_IN_VENV); \
	  $(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/student.txt && \
	  $(BIN)/python -m pip install --quiet -e '.[lab]' --no-deps; fi
	@$(BIN)/python -m autograder.precompile
	@touch $@

# Everything: instructor (nbgrader), docs and test tools, plus the npm tools.
$(VENV)/.dev: pyproject.toml uv.lock requirements/dev.txt $(VENV)/.student node_modules/.installed
	@if [ -x $(UV) ]; then $(UV_SYNC) --all-extras --compile-bytecode || $(LOCK_HINT); else \
	  echo "$(NO_UV) requirements/dev.txt"; $(PIP_IN_VENV); \
	  $(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/dev.txt && \
	  $(BIN)/python -m pip install --quiet -e '.[lab,instructor,docs,dev]' --no-deps; fi
	@touch $@

# What a student reads, in Korean and English: gettext catalogs under week4/locale, managed with
# Babel, one per domain: week4 (the command line, scoreboard and the grader's shared sentences)
# and one per topic (its checks' messages and hints). `make i18n` extracts the messages, updates
# each language's .po and compiles; the .mo files are compiled here and never committed.
PO := $(wildcard week4/locale/*/LC_MESSAGES/*.po)
MO := $(PO:.po=.mo)
%.mo: %.po | $(VENV)/.student
	@$(BIN)/pybabel -q compile --domain $(basename $(notdir $<)) --input-file $< --output-file $@

i18n: | $(VENV)/.student ## extract the messages, update the catalogs, compile them
	@mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -o build/week4.pot --project=week4 --version=0.1 \
	  --no-wrap --sort-by-file .
	$(BIN)/pybabel update -i build/week4.pot -d week4/locale -D week4 --no-wrap --ignore-obsolete
	@set -e; for topic in $(TOPICS); do n=$${topic%%-*}; name=$${topic#*-}; \
	  $(BIN)/pybabel extract -o build/$$topic.pot --project=week4 --version=0.1 --no-wrap \
	    --sort-by-file autograder/checks/test_$${n}_$$(echo $$name | tr - _).py; \
	  test -f week4/locale/ko/LC_MESSAGES/$$topic.po || \
	    $(BIN)/pybabel init -i build/$$topic.pot -d week4/locale -D $$topic -l ko --no-wrap; \
	  $(BIN)/pybabel update -i build/$$topic.pot -d week4/locale -D $$topic --no-wrap \
	    --ignore-obsolete; done
	$(BIN)/pybabel compile -d week4/locale -D week4 --statistics
	@for topic in $(TOPICS); do $(BIN)/pybabel compile -d week4/locale -D $$topic --statistics; done

# newman (runs the Postman collection), mermaid and katex (offline docs site).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Debian packages, installed without their recommended extras when missing (CI runs as root).
# $(call apt,PACKAGES,WHAT NEEDS THEM,WHAT TO DO WITHOUT THEM): a package counts as present
# when its command (bwrap, chromium) or, for fonts, its dpkg entry is there.
define apt
missing=""; for p in $(1); do \
  case $$p in bubblewrap) command -v bwrap ;; chromium) command -v chromium ;; *) dpkg -s $$p ;; esac \
    >/dev/null 2>&1 || missing="$$missing $$p"; done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
    export DEBIAN_FRONTEND=noninteractive; echo "apt-get install$$missing"; \
    apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; }; \
  else \
    echo "$(2) needs$$missing: sudo apt-get install --no-install-recommends$$missing"; $(3); \
  fi; \
fi
endef

# The grader runs student code inside bubblewrap (bwrap) when it is there; without it, it
# falls back to its plain sandbox and says so. Looked for on every run (it takes no time).
bwrap:
	@$(call apt,bubblewrap,the grader's bubblewrap sandbox,true)

# The docs' browser test drives Debian's chromium (no browser download) and needs CJK fonts
# for the Korean pages.
$(VENV)/.browser: | $(BIN)/python
	@$(call apt,chromium fonts-noto-cjk,the browser test,exit 1)
	@touch $@

setup: $(VENV)/.student ## create .venv with the student tools
setup-dev: $(VENV)/.dev ## create .venv with every tool (instructor, docs, tests)

check: $(VENV)/.student $(MO) bwrap ## grade your exercises/ and print the scoreboard
	@$(BIN)/week4 check

hint: $(VENV)/.student $(MO) ## the code-level hint of one check: make hint CHECK=freeze-pins
	@$(BIN)/week4 hint $(if $(CHECK),$(CHECK),$(error say which check: make hint CHECK=<id from the scoreboard>))

test: $(VENV)/.dev $(MO) bwrap $(VENV)/.browser ## run the whole test suite (docs build and browser test included)
	$(BIN)/python -m pytest --durations=15 $(if $(filter-out 0,$(TEST_JOBS)),-n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder)

lock: | $(VENV)/.uv-$(UV_VERSION) ## pin every dependency again: uv.lock, and its pip export in requirements/
	@[ -x $(UV) ] || { echo "make lock needs uv $(UV_VERSION) in $(VENV)/uv (pip could not install it)"; exit 1; }
	$(UV) lock $(LOCK_ARGS)
	$(UV) export --frozen --quiet --no-emit-project --extra lab -o requirements/student.txt
	$(UV) export --frozen --quiet --no-emit-project --all-extras -o requirements/dev.txt

release: $(VENV)/.dev ## regenerate exercises/ from solutions/ with nbgrader
	$(BIN)/python -m week4.release $(TOPICS)

lab: $(VENV)/.student $(MO) ## open JupyterLab on the exercises (in Korean unless WEEK4_LANG=en)
	$(BIN)/python -m week4.lab exercises

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
