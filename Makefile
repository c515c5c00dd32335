# regiobench: every command a newcomer needs. Only Python 3.11 and make are assumed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test test-fast lint serve bench validate lock clean browser office

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

## Run the whole pipeline on the shipped returns in data/raw.
run: $(STAMP)
	$(BIN)/regiobench run

## Run the test suite (browser tests need Debian's chromium: `make browser`; the template's round trip and
## the spreadsheet downloads' tests need LibreOffice Calc: `make office`).
test: $(STAMP)
	$(BIN)/python -m pytest -q

## The quick tests (under 90 s): no browser, no `dagster dev`, no Great Expectations (the staged data is
## checked by the SQL checks), no end-to-end, scale or size runs. `make test` runs every test. Both cores,
## an idle worker takes tests from the other (worksteal): 85-87 s at load 1.6-2.1 for 672 tests, where a file per
## worker (loadfile) took 90-93 s because tests/site/test_site.py kept one worker busy alone.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser and not serve" -n 2 --dist worksteal

## Style and type checks (config in pyproject.toml and .sqlfluff); .ci/run runs this before the tests.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint pipelines/sql
	$(BIN)/mypy

## Dagster UI and daemon on 127.0.0.1:3000 (schedule and sensor run); instance kept in .dagster/.
## Stop with Ctrl-C, or from elsewhere: kill "$(cat .dagster/serve.pid)" (dagster dev stops its children)
## SERVE_HOME and PORT may be overridden (the test of this target does).
SERVE_HOME ?= $(CURDIR)/.dagster
PORT       ?= 3000
serve: $(STAMP)
	mkdir -p $(SERVE_HOME)
	cp config/dagster.yaml $(SERVE_HOME)/dagster.yaml
	echo $$$$ > $(SERVE_HOME)/serve.pid; DAGSTER_HOME=$(SERVE_HOME) exec $(BIN)/dagster dev -m pipelines.definitions -h 127.0.0.1 -p $(PORT)

## Benchmarks, not tests (bench/README.md): whole runs on four data sets, then the engine alone at scale
## (build_marts on 2,500 regions x 10 waves), each reported with the machine's load.
bench: $(STAMP)
	$(BIN)/python bench/run_bench.py
	$(BIN)/python -m bench.engine_scale
	$(BIN)/python bench/page_bench.py

## Install Debian's chromium for the browser tests (root, apt).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

## Install Debian's LibreOffice Calc (no GUI) for the template's round trip and the spreadsheet downloads' tests
## (root, apt).
office:
	command -v soffice >/dev/null || (apt-get update -qq && apt-get install -y -qq libreoffice-calc-nogui)

## Re-resolve the lock file after a change of dependencies in pyproject.toml.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	  --generate-hashes --no-header --custom-compile-command "make lock" -o requirements.lock

## The region reports as PDF (two A4 pages each) from the published marts and site, into rapporten/
## (Debian's chromium: `make browser`). REGION=VR01 and WAVE=2024 narrow it down.
.PHONY: rapport screenshots
rapport: $(STAMP)
	$(BIN)/regiobench rapport --out rapporten $(if $(REGION),--region $(REGION)) $(if $(WAVE),--wave $(WAVE))

## The README's pictures (docs/img/): the overview and a region report, from the published site (run `make run`
## first; Debian's chromium: `make browser`).
screenshots: $(STAMP)
	$(BIN)/python -m pipelines.app.screenshots

clean:
	rm -rf $(VENV) data/warehouse.duckdb data/marts/* dashboards/*
