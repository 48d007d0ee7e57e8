# Two commands on a fresh machine: `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test

.PHONY: site test test-lowest check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TESTSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP) $@

site: $(STAMP)
	$(BIN)/mentorkit build program.yml -o site

check: $(STAMP)
	$(BIN)/mentorkit check program.yml

test: $(TESTSTAMP)
	$(BIN)/python -m pytest

# the whole suite again with the lowest version of every runtime dependency (constraints/lowest.txt)
LOW := .venv-lowest
$(LOW)/.installed: pyproject.toml constraints/lowest.txt
	$(PYTHON) -m venv $(LOW)
	$(LOW)/bin/python -m pip install --quiet --upgrade pip
	$(LOW)/bin/pip install --quiet -c constraints/lowest.txt -e '.[test]'
	touch $@

test-lowest: $(LOW)/.installed
	$(LOW)/bin/python -m pytest -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(LOW) site .mentorkit-cache
