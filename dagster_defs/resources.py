"""Dagster resources: the project's settings, resolved when a run starts (not at import)."""
from __future__ import annotations

import dagster as dg

from ingestion.settings import Settings


class EduKpiSettings(dg.ConfigurableResource):
    """Paths of raw files, build and published warehouse, reports; the HMAC key. Empty fields fall back to the environment."""

    raw_dir: str = ""
    build_db: str = ""
    warehouse_db: str = ""
    reports_dir: str = ""

    def get(self) -> Settings:
        base = Settings.from_env()
        overrides = {
            name: value
            for name, value in {
                "EDUKPI_RAW_DIR": self.raw_dir,
                "EDUKPI_BUILD_DB": self.build_db,
                "EDUKPI_WAREHOUSE": self.warehouse_db,
                "EDUKPI_REPORTS_DIR": self.reports_dir,
            }.items()
            if value
        }
        if not overrides:
            return base
        return Settings.from_env({**base.as_env(), **overrides})
