# Two commands on a fresh machine: `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test

.PHONY: site test test-lowest environments check bench clean translations

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

# the test files spread over every core (pytest-xdist); a file's tests stay in one process, so a
# module's built program is built once; the longest files go first (tests/conftest.py)
PARALLEL := -n auto --dist loadfile --no-loadscope-reorder
# mentorkit's bytecode first: the suite starts many Python processes (the command, each build's
# fork server and site engine), and where PYTHONDONTWRITEBYTECODE is set each would compile the
# package again (pip compiles the installed packages, not an editable checkout)
BYTECODE = -m compileall -q mentorkit
test: $(TESTSTAMP)
	$(BIN)/python $(BYTECODE) >/dev/null
	$(BIN)/python -m pytest $(PARALLEL)

# the whole suite again with the lowest version of every runtime dependency (constraints/lowest.txt)
LOW := .venv-lowest
$(LOW)/.installed: pyproject.toml constraints/lowest.txt
	$(PYTHON) -m venv $(LOW)
	$(LOW)/bin/python -m pip install --quiet --upgrade pip
	$(LOW)/bin/pip install --quiet -c constraints/lowest.txt -e '.[test]'
	touch $@

# both test environments, e.g. `make -j2 environments` (CI installs them side by side)
environments: $(TESTSTAMP) $(LOW)/.installed

test-lowest: $(LOW)/.installed
	$(LOW)/bin/python $(BYTECODE) >/dev/null
	$(LOW)/bin/python -m pytest -p no:cacheprovider $(PARALLEL)

# interface strings -> mentorkit/locales/mentorkit.pot -> each language's .po (new strings empty,
# changed ones fuzzy); a build reads the .po files directly (i18n.py compiles them in memory)
LOCALES := mentorkit/locales
LANGS   := en_US fr de es
translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg --project=mentorkit --copyright-holder="mentorkit contributors" \
		--msgid-bugs-address="" --add-comments=Translators: --sort-by-file --width=100 -o $(LOCALES)/mentorkit.pot .
	@for lang in $(LANGS); do \
		if [ -f $(LOCALES)/$$lang/LC_MESSAGES/mentorkit.po ]; then \
			$(BIN)/pybabel -q update -D mentorkit -i $(LOCALES)/mentorkit.pot -d $(LOCALES) -l $$lang \
				--width=100 --ignore-obsolete --no-fuzzy-matching; \
		else \
			$(BIN)/pybabel -q init -D mentorkit -i $(LOCALES)/mentorkit.pot -d $(LOCALES) -l $$lang --width=100; \
		fi; \
	done
	$(BIN)/python $(LOCALES)/en_us.py $(LOCALES)/en_US/LC_MESSAGES/mentorkit.po

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(LOW) site .mentorkit-cache
