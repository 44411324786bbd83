"""One typed settings object, built once at start-up and passed down (never read from the environment at import)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
UNIT_REGISTRY_CSV = DBT_PROJECT_DIR / "seeds" / "unit_registry.csv"
MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"

# Marker the generator writes into data/raw: only sample data may be pseudonymised with the development key.
SAMPLE_MARKER = ".edukpi-sample.json"
DEVELOPMENT_HMAC_KEY = "edukpi-development-key-NOT-SECRET"
LOCAL_TZ = "Asia/Ho_Chi_Minh"


# The engines the dbt project runs on (dbt target of dbt_project/profiles.yml): DuckDB on one machine, Apache Spark to scale out.
DBT_TARGETS = {"duckdb": "build", "spark": "spark"}


class MissingKeyError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    build_db: Path
    warehouse_db: Path
    reports_dir: Path
    hmac_key: str | None
    # EDUKPI_ENGINE: where dbt computes the models, "duckdb" (default) or "spark" (docs/architecture.md, "Scaling out").
    engine: str = "duckdb"

    def __post_init__(self) -> None:
        if self.engine not in DBT_TARGETS:
            raise ValueError(
                f"EDUKPI_ENGINE={self.engine!r} is not an engine of this project; accepted: {', '.join(DBT_TARGETS)}"
            )

    @property
    def dbt_target(self) -> str:
        """The dbt target of the engine (dbt --target)."""
        return DBT_TARGETS[self.engine]

    @property
    def spark_dir(self) -> Path:
        """The local Spark session's folder beside the build file: raw Parquet, warehouse tables, metastore."""
        return self.build_db.parent / "spark"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)

        def path(name: str, default: Path) -> Path:
            value = env.get(name)
            return Path(value).resolve() if value else default

        return cls(
            raw_dir=path("EDUKPI_RAW_DIR", PROJECT_ROOT / "data" / "raw"),
            build_db=path("EDUKPI_BUILD_DB", PROJECT_ROOT / "data" / "build" / "warehouse.duckdb"),
            warehouse_db=path("EDUKPI_WAREHOUSE", PROJECT_ROOT / "data" / "warehouse.duckdb"),
            reports_dir=path("EDUKPI_REPORTS_DIR", PROJECT_ROOT / "reports" / "out"),
            hmac_key=env.get("EDUKPI_HMAC_KEY") or None,
            engine=(env.get("EDUKPI_ENGINE") or "duckdb").strip().lower(),
        )

    def as_env(self) -> dict[str, str]:
        """The same settings as environment variables, for child processes (dbt, dagster CLI)."""
        env = {
            "EDUKPI_RAW_DIR": str(self.raw_dir),
            "EDUKPI_BUILD_DB": str(self.build_db),
            "EDUKPI_WAREHOUSE": str(self.warehouse_db),
            "EDUKPI_REPORTS_DIR": str(self.reports_dir),
            "EDUKPI_ENGINE": self.engine,
            # read by the `spark` target of dbt_project/profiles.yml
            "EDUKPI_SPARK_DIR": str(self.spark_dir),
        }
        if self.hmac_key:
            env["EDUKPI_HMAC_KEY"] = self.hmac_key
        return env

    def pseudonymisation_key(self) -> bytes:
        """The HMAC key for citizens' identities; the documented development key only for generated sample data."""
        if self.hmac_key:
            return self.hmac_key.encode("utf-8")
        if (self.raw_dir / SAMPLE_MARKER).exists():
            return DEVELOPMENT_HMAC_KEY.encode("utf-8")
        raise MissingKeyError(
            "EDUKPI_HMAC_KEY is not set. Citizens' names, phone numbers and e-mails are replaced by a keyed hash "
            f"(Decree 13/2023), and {self.raw_dir} does not hold generated sample data (no {SAMPLE_MARKER}), "
            "so the development key may not be used. Set EDUKPI_HMAC_KEY to the department's secret key and run again."
        )
