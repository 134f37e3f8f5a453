# The Model analytics: the commands a newcomer and CI run.
#   make demo   build the demo company's warehouse on DuckDB and print a summary
#   make test   lint, build on a fresh database with every data and unit test, pytest, validation,
#               and the same marts on a throwaway PostgreSQL (make test-postgres) and on local
#               Spark (make test-spark), those two side by side (make test-targets)
#   make docs   dbt docs for the demo warehouse: target/ and one static page, warehouse/docs/index.html
#   make report the HTML funnel and KPI report of the demo warehouse, warehouse/report/
#   make doctor EXPORTS=DIR  check an export folder before its first build (reads files only)
#   make run EXPORTS=DIR     what a scheduled job calls: doctor, build, tests and validation
#               into a candidate, published by an atomic rename only when all pass
#   make bench  time a scale-200 build on DuckDB (full, incremental, parse, raw scan, dbt's own cost at scale 1): warehouse/bench.json
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
STAMP := $(VENV)/.installed

# dbt reads profiles.yml from the project root and never phones home.
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1

DEMO_SEED ?= 42
DEMO_SCALE ?= 1
BENCH_SCALE ?= 200
DEMO_EXPORTS := warehouse/demo_exports/generic
DEMO_DB := warehouse/the_model.duckdb
# what the demo's dbt build printed, in full
DEMO_LOG := warehouse/demo_build.log
DOCS_DIR := warehouse/docs
REPORT_DIR := warehouse/report
# make report AS_OF=2025-09-30 SEGMENT=smb (default: the build's as-of date, all segments)
AS_OF ?=
SEGMENT ?= all
TEST_EXPORTS := warehouse/test_exports/generic
TEST_DB := warehouse/test.duckdb
# what the build-test build printed: the pytest fixture demo_build hands it to the tests
TEST_BUILD_LOG := warehouse/test_build.log
# pytest runs its test files on this many worker processes (pytest-xdist, one file per
# worker at a time, so a module's expensive fixture is built once); 0 runs them in-process
PYTEST_WORKERS ?= 2
LINT_DB := warehouse/lint_empty.duckdb
# The throwaway PostgreSQL of test-postgres (scripts/postgres.sh): 127.0.0.1, trust auth,
# on a free port picked at start (or PG_TEST_PORT), data in a fresh temporary folder.
PG_TEST_PORT ?=

.PHONY: help venv demo demo-data docs report doctor run bench test test-duckdb lint build-test pytest test-postgres test-spark test-targets validate clean lock

help:
	@echo "make demo   build the demo warehouse ($(DEMO_DB); dbt's full log in $(DEMO_LOG)) and print a summary"
	@echo "make test   lint + fresh build with all tests + pytest + PostgreSQL and Spark comparisons + validation"
	@echo "make lint   sqlfluff (dbt templater) and ruff"
	@echo "make docs   dbt docs of the demo warehouse ($(DOCS_DIR)/index.html, one static page)"
	@echo "make report the HTML funnel and KPI report ($(REPORT_DIR)/; AS_OF=YYYY-MM-DD SEGMENT=smb)"
	@echo "make doctor EXPORTS=DIR  check an export folder before its first build: format, files, labels, marts, settings"
	@echo "make run EXPORTS=DIR [CRM_SOURCE=salesforce] [DATABASE=file] [VARS='{...}']  build, check, publish all or nothing (exit 0 published, 1 not, 2 usage)"
	@echo "make bench  time a scale-$(BENCH_SCALE) build on DuckDB; writes warehouse/bench.json"
	@echo "make test-postgres   the demo on a throwaway PostgreSQL, every mart compared with DuckDB"
	@echo "make test-spark      the demo on local Spark (needs Java 17+), every mart compared with DuckDB"
	@echo "make test-targets    test-postgres and test-spark side by side (as make test runs them)"

# Once per clone (and again after pyproject.toml or constraints.txt change).
$(STAMP): pyproject.toml constraints.txt
	@echo "Installing the pinned Python packages into $(VENV)/ (dbt with the DuckDB, PostgreSQL and Spark"
	@echo "adapters, Great Expectations, pytest, sqlfluff): once, about 2 to 3 minutes, longer on a busy machine ..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@start=$$(date +%s); \
	  $(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,postgres,spark]'; \
	  echo "Installed in $$(( $$(date +%s) - start )) s; later commands reuse $(VENV)/."
	@touch $@

venv: $(STAMP)

# The demo exports are generated, deterministic and git-ignored.
$(DEMO_EXPORTS)/truth.json: $(STAMP) $(wildcard themodel/generator/*.py)
	$(PY) -m themodel generate --scale $(DEMO_SCALE) --seed $(DEMO_SEED) --format generic --out $(DEMO_EXPORTS)

demo-data: $(DEMO_EXPORTS)/truth.json

# dbt's full output goes to $(DEMO_LOG); the terminal shows progress, the project's
# notes, every warning and error in full (themodel/progress.py), then the summary.
demo: $(STAMP) demo-data
	@mkdir -p warehouse
	@echo "Building the demo company's warehouse $(DEMO_DB) with dbt build (models, seeds, snapshot, data and unit tests; about a minute)"
	@THE_MODEL_DUCKDB_PATH=$(DEMO_DB) PYTHONUNBUFFERED=1 $(DBT) build --vars '{crm_export_path: $(DEMO_EXPORTS)}' \
	  | $(PY) -m themodel progress --log $(DEMO_LOG)
	@THE_MODEL_DUCKDB_PATH=$(DEMO_DB) $(PY) -m themodel summary --database $(DEMO_DB)

# dbt docs of the demo warehouse (built first with `make demo` when missing: the
# catalog reads the tables). `dbt docs generate` writes target/ (index.html,
# manifest.json, catalog.json; `dbt docs serve` shows it); `--static` also writes
# target/static_index.html with both JSON files inside, one page that opens from
# disk with no server, copied to $(DOCS_DIR)/index.html.
docs: $(STAMP) demo-data
	@test -f $(DEMO_DB) || $(MAKE) demo
	THE_MODEL_DUCKDB_PATH=$(DEMO_DB) $(DBT) docs generate --static --vars '{crm_export_path: $(DEMO_EXPORTS)}'
	@mkdir -p $(DOCS_DIR)
	cp target/static_index.html $(DOCS_DIR)/index.html
	@echo "docs: $(CURDIR)/$(DOCS_DIR)/index.html"

# The HTML report reads only the marts of the demo warehouse (built first when missing).
report: $(STAMP) demo-data
	@test -f $(DEMO_DB) || $(MAKE) demo
	$(PY) -m themodel report --database $(DEMO_DB) --out $(REPORT_DIR) --segment $(SEGMENT) \
	  $(if $(AS_OF),--as-of $(AS_OF))
# Generates the scale-$(BENCH_SCALE) company once (Parquet, warehouse/bench_exports_s$(BENCH_SCALE)/,
# about 2 minutes and 6 GB), then times dbt on a scratch database (themodel/bench.py).
# make doctor EXPORTS=path/to/exports [MAPPINGS=folder]: reads the files only, opens no warehouse
EXPORTS ?=
MAPPINGS ?=
doctor: $(STAMP)
	@test -n "$(EXPORTS)" || { echo "usage: make doctor EXPORTS=path/to/exports [MAPPINGS=folder]" >&2; exit 2; }
	@$(PY) -m themodel doctor --exports "$(EXPORTS)" $(if $(MAPPINGS),--write-mappings "$(MAPPINGS)")

# The scheduled build (themodel/run.py, README "Scheduled runs"): exit 0 published,
# 1 a check failed and nothing was published, 2 usage or environment error.
CRM_SOURCE ?= generic
DATABASE ?=
VARS ?=
run: $(STAMP)
	@test -n "$(EXPORTS)" || { echo "usage: make run EXPORTS=path/to/exports [CRM_SOURCE=salesforce] [DATABASE=file] [TARGET=postgres|spark] [VARS='{...}']" >&2; exit 2; }
	@$(PY) -m themodel run --exports "$(EXPORTS)" --crm-source "$(CRM_SOURCE)" $(if $(DATABASE),--database "$(DATABASE)") $(if $(TARGET),--target "$(TARGET)") $(if $(VARS),--vars '$(VARS)')

bench: $(STAMP)
	$(PY) -m themodel bench --scale $(BENCH_SCALE) --seed $(DEMO_SEED)

lint: $(STAMP)
	@mkdir -p warehouse
	rm -f $(LINT_DB)
	THE_MODEL_DUCKDB_PATH=$(LINT_DB) $(VENV)/bin/sqlfluff lint models tests analyses snapshots
	# the salesforce staging models are enabled only with crm_source salesforce
	THE_MODEL_DUCKDB_PATH=$(LINT_DB) $(VENV)/bin/sqlfluff lint --config .sqlfluff-salesforce models/staging/salesforce
	rm -f $(LINT_DB)
	$(VENV)/bin/ruff check themodel tests
	$(VENV)/bin/ruff format --check themodel tests

build-test: $(STAMP)
	rm -rf $(TEST_EXPORTS) $(TEST_DB) $(TEST_BUILD_LOG)
	$(PY) -m themodel generate --scale $(DEMO_SCALE) --seed $(DEMO_SEED) --format generic --out $(TEST_EXPORTS)
	THE_MODEL_DUCKDB_PATH=$(TEST_DB) $(DBT) build --vars '{crm_export_path: $(TEST_EXPORTS)}' \
	  | tee $(TEST_BUILD_LOG).part
	mv $(TEST_BUILD_LOG).part $(TEST_BUILD_LOG)

pytest: $(STAMP)
	THE_MODEL_DUCKDB_PATH=$(TEST_DB) THE_MODEL_TEST_EXPORTS=$(TEST_EXPORTS) \
	  THE_MODEL_TEST_BUILD_LOG=$(TEST_BUILD_LOG) $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

# Starts a throwaway server (installing PostgreSQL with apt-get when initdb is missing),
# builds both export formats there and compares every mart with DuckDB, checks source
# freshness and the incremental daily pipeline, and stops the server whatever happens
# (the EXIT trap runs on failure and on Ctrl-C; the exit status stays pytest's).
test-postgres: $(STAMP)
	export THE_MODEL_PG_HOST=127.0.0.1 THE_MODEL_PG_USER=postgres THE_MODEL_PG_PASSWORD= \
	  THE_MODEL_PG_DATABASE=the_model THE_MODEL_PG_TEST=1; \
	port=$(PG_TEST_PORT); export THE_MODEL_PG_PORT=$${port:-$$(scripts/postgres.sh port)}; \
	export THE_MODEL_PG_DATA=$$(mktemp -d /tmp/the_model_pg.XXXXXX); \
	trap 'scripts/postgres.sh stop' EXIT; \
	scripts/postgres.sh start; \
	$(PY) -m pytest tests/python/test_postgres.py tests/python/test_run_publish_postgres.py

# Spark in local mode inside the test's processes (Java 17+ on PATH); its warehouse and
# catalog live under pytest's tmp dir and go with it.
test-spark: $(STAMP)
	@command -v java >/dev/null || { echo "test-spark: Spark needs Java 17+ on PATH (apt-get install openjdk-17-jre-headless)"; exit 1; }
	THE_MODEL_SPARK_TEST=1 $(PY) -m pytest tests/python/test_spark.py

validate: $(STAMP)
	$(PY) -m themodel validate --database $${THE_MODEL_DUCKDB_PATH:-$(DEMO_DB)}

# PostgreSQL and Spark side by side: neither keeps both cores busy alone (each one's
# output is printed whole when it ends)
test-targets: $(STAMP)
	$(MAKE) --no-print-directory -j2 --output-sync=target test-postgres test-spark

# lint, the fresh build and pytest one after the other (pytest reads that build)
test-duckdb: $(STAMP)
	$(MAKE) --no-print-directory lint && $(MAKE) --no-print-directory build-test \
	  && $(MAKE) --no-print-directory pytest

# The DuckDB checks, PostgreSQL and Spark side by side from the start: run one after
# the other, each phase ended on one busy core while the other waited for it. Each
# one's output is printed whole when it ends; make fails when any of them failed.
test: $(STAMP)
	$(MAKE) --no-print-directory -j3 --output-sync=target test-duckdb test-postgres test-spark
	$(PY) -m themodel validate --database $(TEST_DB)

clean:
	rm -rf warehouse target logs

# Re-pin every transitive dependency after a change to pyproject.toml.
lock: $(STAMP)
	{ echo "# Every Python package the project installs, pinned (pip freeze of the dev, postgres and spark extras)."; \
	  echo "# Regenerate after changing pyproject.toml: make lock"; \
	  $(PY) -m pip freeze --exclude-editable | grep -v '^themodel'; } > constraints.txt
