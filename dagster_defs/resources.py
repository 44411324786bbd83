"""Dagster resources: the project's settings, resolved when a run starts (not at import)."""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cached_property
from importlib.metadata import version as installed_version

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version

from edukpi.settings import Settings


class EduKpiSettings(dg.ConfigurableResource):
    """Paths of raw files, build and published warehouse, reports; the HMAC key. Empty fields fall back to the environment."""

    raw_dir: str = ""
    build_db: str = ""
    warehouse_db: str = ""
    reports_dir: str = ""
    reference_dir: str = ""
    mappings_dir: str = ""
    local_mappings_dir: str = ""

    def get(self) -> Settings:
        base = Settings.from_env()
        overrides = {
            name: value
            for name, value in {
                "EDUKPI_RAW_DIR": self.raw_dir,
                "EDUKPI_BUILD_DB": self.build_db,
                "EDUKPI_WAREHOUSE": self.warehouse_db,
                "EDUKPI_REPORTS_DIR": self.reports_dir,
                "EDUKPI_REFERENCE_DIR": self.reference_dir,
                "EDUKPI_MAPPINGS_DIR": self.mappings_dir,
                "EDUKPI_LOCAL_MAPPINGS_DIR": self.local_mappings_dir,
            }.items()
            if value
        }
        if not overrides:
            return base
        return Settings.from_env({**base.as_env(), **overrides})


class EduKpiDbtCli(DbtCliResource):
    """dagster-dbt's CLI resource without two costs it pays before every dbt invocation (measured 7–8 s per dbt step).

    dagster-dbt 0.29 runs `dbt --version` in a subprocess to learn the version of the dbt executable, and builds a dbt adapter
    in the Dagster process (imports the adapter, loads the profile and macros) that is only used by `fetch_row_counts()` and
    `fetch_column_metadata()`, which this project does not call. Our dbt executable is the venv's, whose version is the
    installed dbt-core's; without the adapter dagster-dbt runs dbt exactly as before (it already falls back to no adapter when
    building one fails). If the project starts using those two methods, remove `_initialize_dbt_core_adapter` below.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None

    def cli(self, args: Sequence[str], *, env: Mapping[str, str | None] | None = None, **kwargs):
        """`DbtCliResource.cli` with the run's settings for dbt's process: dagster-dbt builds the dbt process's
        environment from this process's, so `env` (None = unset) holds only while the process is started, then the
        environment is as it was. The one place the dbt steps hand settings to dbt (the profile reads EDUKPI_BUILD_DB,
        the daily models EDUKPI_MIN_DATE/MAX_DATE)."""
        if not env:
            return super().cli(args, **kwargs)
        saved = {name: os.environ.get(name) for name in env}
        try:
            for name, value in env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            return super().cli(args, **kwargs)  # starts dbt's process, which keeps its copy of the environment
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
