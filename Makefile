# The front door: `make run` builds everything from a fresh clone, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PRESET ?= sample
SEED ?= 7
# Two pytest-xdist workers: the suite's two long chains (the tiny pipeline build and its tests, the benchmark) in parallel.
TEST_WORKERS ?= 2

# Offline and quiet at run time: Dagster home inside the repo with telemetry off, dbt usage statistics off.
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project

.PHONY: run test dev docs sql bench install manifest clean java spark-check

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev,spark]'
	@touch $(STAMP)

install: $(STAMP) $(DAGSTER_HOME)/dagster.yaml

$(DAGSTER_HOME)/dagster.yaml:
	@mkdir -p $(DAGSTER_HOME)
	@printf 'telemetry:\n  enabled: false\n' > $@

# The dbt manifest is prepared here, never at import time of the Dagster code. Same build path string as the runs use
# (ingestion/settings.py), so dbt's partial parsing is not refused for "profile has changed".
manifest: export EDUKPI_BUILD_DB ?= $(CURDIR)/data/build/warehouse.duckdb
manifest: install
	cd dbt_project && ../$(BIN)/dbt parse --quiet

run: manifest
	@if [ -z "$$(ls -A data/raw | grep -v '^.gitkeep$$')" ]; then \
		echo "data/raw/ is empty: writing the '$(PRESET)' sample data (seed $(SEED))"; \
		$(BIN)/edukpi generate --preset $(PRESET) --seed $(SEED) --out data/raw; \
	fi
	$(BIN)/edukpi materialize
	@echo
	@echo "Published warehouse: $(CURDIR)/data/warehouse.duckdb"
	@echo "Report index:        $(CURDIR)/reports/out/index.html"

test: manifest java
	$(BIN)/python -m tests.browser_setup
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

# Spark (EDUKPI_ENGINE=spark, `make spark-check`) runs on Java 17: Debian's headless JRE when no java is on the PATH.
java:
	@if ! command -v java >/dev/null; then \
		echo "java is missing: installing Debian's openjdk-17-jre-headless for Spark"; \
		prefix=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		DEBIAN_FRONTEND=noninteractive $$prefix apt-get update && \
		DEBIAN_FRONTEND=noninteractive $$prefix apt-get install -y --no-install-recommends openjdk-17-jre-headless; \
	fi
	@java -version 2>&1 | head -1

# The tiny preset built on DuckDB and on Spark, every published mart compared row for row (tests/spark_check.py).
spark-check: manifest java
	$(BIN)/python -m tests.spark_check --preset $${PRESET_SPARK_CHECK:-tiny}

dev: manifest
	$(BIN)/dagster dev -m dagster_defs.definitions -h 127.0.0.1 -p 3000

# dbt docs take tables, columns and types from the build file `make run` leaves (EDUKPI_BUILD_DB overrides it, as for dbt).
docs: manifest
	@build_db="$$(realpath -m "$${EDUKPI_BUILD_DB:-$(CURDIR)/data/build/warehouse.duckdb}")"; \
	if [ ! -f "$$build_db" ]; then \
		echo "make docs: $$build_db does not exist yet; dbt docs read the tables and columns from the build warehouse: run 'make run' first." >&2; \
		exit 1; \
	fi; \
	cd dbt_project && EDUKPI_BUILD_DB="$$build_db" ../$(BIN)/dbt docs generate --static
	@echo "dbt documentation (one self-contained file, opens offline): $(CURDIR)/dbt_project/target/static_index.html"

# The staff's read-only SQL shell on the published warehouse (ingestion/sql.py).
sql: install
	@$(BIN)/edukpi sql

bench: manifest
	$(BIN)/edukpi bench --preset $${PRESET_BENCH:-city-year}

clean:
	rm -rf data/build data/warehouse.duckdb reports/out .dagster_home dbt_project/target dbt_project/logs
