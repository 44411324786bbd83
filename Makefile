# The front door: `make run` builds everything from a fresh clone, `make test` runs the whole suite, `make test-fast` its unit tier.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark
PRESET ?= sample
SEED ?= 7
# Two pytest-xdist workers (the machine's 2 cores); both share the session's tiny pipeline build (tests/conftest.py).
TEST_WORKERS ?= 2

DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# The environment of dagster and dbt (build paths, Dagster home with telemetry off, dbt usage statistics off) comes from
# one place, the settings (edukpi/runtime.py), printed by `edukpi env`. Tests set their own paths, so they take the rest.
PROJECT_ENV = eval "$$($(BIN)/edukpi env)"
TEST_ENV = eval "$$($(BIN)/edukpi env | grep -v '^export EDUKPI_')"

.PHONY: run test test-fast dev docs sql bench install manifest clean java spark-check

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) $(DAGSTER_HOME)/dagster.yaml

# The `spark` extra (pyspark, dbt-spark: several hundred MB) for the Spark check: `make test` and `make spark-check` only,
# so that `make install` and `make run` never download it.
$(SPARK_STAMP): $(STAMP)
	$(BIN)/pip install --disable-pip-version-check -q -e '.[dev,spark]'
	@touch $@

# One run at a time (schedules, sensor and UI launches queue up): one process writes the build DuckDB at a time.
# Rewritten when this Makefile changes, so an existing Dagster home gets new settings.
$(DAGSTER_HOME)/dagster.yaml: Makefile
	@mkdir -p $(DAGSTER_HOME)
	@printf 'telemetry:\n  enabled: false\nconcurrency:\n  runs:\n    max_concurrent_runs: 1\n' > $@

# The dbt manifest is prepared here, never at import time of the Dagster code. Same settings as the runs use
# (edukpi env), so dbt's partial parsing is not refused for "profile has changed".
# dbt's partial parsing drops the properties of singular tests (tests/_singular_tests.yml, the meta.dagster.ref that makes
# them asset checks) when it re-parses a test because a macro it uses changed (dbt-core #10801; seen with dbt 1.11), and
# its saved state keeps them dropped. So after any change in the dbt project since the last full parse (a pull, an edit)
# it parses in full (~6 s instead of ~3 s) and marks the time in FULL_PARSE.
FULL_PARSE := dbt_project/target/.full-parse
manifest: install
	@full=$$([ ! -e $(FULL_PARSE) ] || [ -n "$$(find dbt_project -path dbt_project/target -prune -o -path dbt_project/logs -prune \
		-o -type f -newer $(FULL_PARSE) -print | head -1)" ] && echo --no-partial-parse); \
	$(PROJECT_ENV) && cd dbt_project && echo "dbt parse $$full" && ../$(BIN)/dbt parse --quiet $$full && \
	if [ -n "$$full" ]; then touch ../$(FULL_PARSE); fi

run: manifest
	@if [ -z "$$(ls -A data/raw | grep -v '^.gitkeep$$')" ]; then \
		echo "data/raw/ is empty: writing the '$(PRESET)' sample data (seed $(SEED))"; \
		$(BIN)/edukpi generate --preset $(PRESET) --seed $(SEED) --out data/raw; \
	fi
	$(BIN)/edukpi materialize
	@echo
	@echo "Published warehouse: $(CURDIR)/data/warehouse.duckdb"
	@echo "Report index:        $(CURDIR)/reports/out/index.html"

# Every tier: tests/unit, tests/integration (Dagster, dbt, generator presets, browser), tests/e2e (the pipeline build, bench,
# the DuckDB/Spark comparison). Installs what the browser and Spark tests need first: Chromium, Java, the spark extra.
# --no-loadscope-reorder: the workers take the longest modules first, in tests/conftest.py's order (LONGEST_FIRST).
test: manifest java $(SPARK_STAMP)
	$(BIN)/python -m tests.browser_setup
	$(TEST_ENV) && $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# The unit tier only (no Dagster definitions, no dbt, no browser, so no manifest either): under a minute.
test-fast: install
	$(TEST_ENV) && $(BIN)/pytest -m unit tests/unit

# Spark (EDUKPI_ENGINE=spark, `make spark-check`) runs on Java 17: Debian's headless JRE when no java is on the PATH.
java:
	@if ! command -v java >/dev/null; then \
		echo "java is missing: installing Debian's openjdk-17-jre-headless for Spark"; \
		prefix=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		DEBIAN_FRONTEND=noninteractive $$prefix apt-get update && \
		DEBIAN_FRONTEND=noninteractive $$prefix apt-get install -y --no-install-recommends openjdk-17-jre-headless; \
	fi
	@java -version 2>&1 | head -1

# The tiny preset built on DuckDB and on Spark, every published mart compared row for row (tests/spark_check.py, through
# its pytest wrapper tests/e2e/test_spark_check.py, marked `spark`), alone; `make test` runs it with the rest of the suite.
spark-check: manifest java $(SPARK_STAMP)
	$(TEST_ENV) && PRESET_SPARK_CHECK=$${PRESET_SPARK_CHECK:-tiny} $(BIN)/pytest -m spark -s tests/e2e/test_spark_check.py

dev: manifest
	$(PROJECT_ENV) && $(BIN)/dagster dev -m dagster_defs.definitions -h 127.0.0.1 -p 3000

# dbt docs take tables, columns and types from the build file `make run` leaves (EDUKPI_BUILD_DB overrides it, as for dbt).
docs: manifest
	@$(PROJECT_ENV); \
	if [ ! -f "$$EDUKPI_BUILD_DB" ]; then \
		echo "make docs: $$EDUKPI_BUILD_DB does not exist yet; dbt docs read the tables and columns from the build warehouse: run 'make run' first." >&2; \
		exit 1; \
	fi; \
	cd dbt_project && ../$(BIN)/dbt docs generate --static
	@echo "dbt documentation (one self-contained file, opens offline): $(CURDIR)/dbt_project/target/static_index.html"

# The staff's read-only SQL shell on the published warehouse (edukpi/sql.py).
sql: install
	@$(BIN)/edukpi sql

# STEPS_BENCH=build,physical (e.g. for x10) runs only those steps and what their figures need (docs/benchmarks.md).
bench: manifest
	$(BIN)/edukpi bench --preset $${PRESET_BENCH:-city-year} $${STEPS_BENCH:+--steps $$STEPS_BENCH}

clean:
	rm -rf data/build data/warehouse.duckdb reports/out .dagster_home dbt_project/target dbt_project/logs
