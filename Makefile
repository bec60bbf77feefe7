# Every target that needs the project creates .venv and installs into it first,
# so on a fresh machine `make demo` or `make test` is the only command needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test test-protocol test-rest check lint typecheck imports bench screenshots fuzz clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/ssm-tui --demo

# The protocol core is held to 100 % branch coverage; the rest of the suite runs without
# coverage overhead.
test: $(STAMP)
	bash scripts/test-deps
	$(PY) -m pytest tests/protocol -p no:randomly --cov=ssm_tui.protocol --cov-branch \
		--cov-report=term-missing:skip-covered --cov-fail-under=100
	$(PY) -m pytest --ignore=tests/protocol

lint: $(STAMP)
	$(VENV)/bin/ruff check ssm_tui tests bench fuzz
	$(VENV)/bin/ruff format --check ssm_tui tests bench fuzz

typecheck: $(STAMP)
	$(VENV)/bin/mypy

imports: $(STAMP)
	$(VENV)/bin/lint-imports

check: lint typecheck imports test

bench: $(STAMP)
	for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

screenshots: $(STAMP)
	$(PY) -m ssm_tui.ui.screenshots screenshots

fuzz: $(STAMP)
	$(PY) -m pip install --quiet atheris
	$(PY) fuzz/fuzz_decoder.py -max_total_time=60

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
