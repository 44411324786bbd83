"""One typed settings object, built once at start-up and passed down (never read from the environment at import)."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# Reference data analysts maintain (units, quotas, SLAs): CSV files outside the code, read by ingestion and by dbt (seeds).
DEFAULT_REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
UNIT_REGISTRY_FILE = "unit_registry.csv"
UNIT_REGISTRY_CSV = DEFAULT_REFERENCE_DIR / UNIT_REGISTRY_FILE
MAPPINGS_DIR = PROJECT_ROOT / "ingestion" / "mappings"
# An analyst's own mappings for exports the project does not ship a mapping for: tried before the built-in ones.
LOCAL_MAPPINGS_DIR = PROJECT_ROOT / "data" / "mappings"

# Marker the generator writes into data/raw: only sample data may be pseudonymised with the development key.
SAMPLE_MARKER = ".edukpi-sample.json"
DEVELOPMENT_HMAC_KEY = "edukpi-development-key-NOT-SECRET"
LOCAL_TZ = "Asia/Ho_Chi_Minh"
# First day of the daily analytics partitions unless EDUKPI_FIRST_DAY says otherwise: early enough for the exports
# departments keep (GA4 started in 2020; older access logs are refused with a message naming this setting).
DEFAULT_FIRST_DAY = dt.date(2020, 1, 1)
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
    reference_dir: Path = DEFAULT_REFERENCE_DIR
    mappings_dir: Path = MAPPINGS_DIR  # one folder per source of column-mapping YAMLs (a new export format = a new file)
    local_mappings_dir: Path = LOCAL_MAPPINGS_DIR  # the analyst's mappings, same layout, tried first
    # First daily partition (EDUKPI_FIRST_DAY): analytics files dated before it are refused, naming this setting.
    first_day: dt.date = DEFAULT_FIRST_DAY
    # The day taken as today (EDUKPI_TODAY), for the calendar's range; None = the clock in Asia/Ho_Chi_Minh.
    today: dt.date | None = None
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
    def dbt_parse_state(self) -> Path:
        """dbt's partial-parse state of the builds of this build file and dbt target, kept beside the build file.

        dbt re-parses the whole project (5–10 s) when the profile's connection (the build file's path) differs from the
        one its saved state was parsed with. dagster-dbt starts each invocation from dbt_project/target/partial_parse.msgpack
        (`make manifest`'s, parsed for data/build/warehouse.duckdb), so every build elsewhere (a test's, the bench's, a
        colleague's EDUKPI_BUILD_DB) parsed in full in every invocation. Each build keeps the state its last invocation
        wrote instead (dagster_defs/assets/dbt.py; the dbt process started ahead parses from it too,
        dagster_defs/dbt_warm.py): only its first dbt invocation parses in full. dbt checks the state itself (file
        hashes, versions, profile, env vars) and re-parses what changed. (One known dbt fault: a re-parsed singular
        test loses its yml properties, dbt-core #10801; what Dagster shows comes from `make manifest`'s parse, which
        parses in full after a change: Makefile.)"""
        return self.build_db.with_name(f"{self.build_db.name}.dbt-{self.dbt_target}.partial_parse.msgpack")

    @property
    def spark_dir(self) -> Path:
        """The local Spark session's folder beside the build file: raw Parquet, warehouse tables, metastore."""
        return self.build_db.parent / "spark"

    @property
    def unit_registry_csv(self) -> Path:
        return self.reference_dir / UNIT_REGISTRY_FILE

    @property
    def dbt_seed_path(self) -> str:
        """The reference dir as dbt's seed-paths entry: relative to the dbt project and inside the project folder.

        dbt writes each seed's run SQL to target/run/<project>/<seed path>: with an absolute seed path that is the CSV
        itself (dbt would overwrite the reference file), and a path climbing out of the project lands outside target/.
        """
        if not self.reference_dir.resolve().is_relative_to(PROJECT_ROOT):
            raise ValueError(
                f"EDUKPI_REFERENCE_DIR {self.reference_dir} is outside the project folder {PROJECT_ROOT}: dbt loads the "
                "reference files as seeds and can only read them inside it. Put the folder under the project "
                "(default data/reference) and set EDUKPI_REFERENCE_DIR to it."
            )
        return os.path.relpath(self.reference_dir.resolve(), DBT_PROJECT_DIR)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)

        def path(name: str, default: Path) -> Path:
            value = env.get(name)
            return Path(value).resolve() if value else default

        settings = cls(
            raw_dir=path("EDUKPI_RAW_DIR", PROJECT_ROOT / "data" / "raw"),
            build_db=path("EDUKPI_BUILD_DB", PROJECT_ROOT / "data" / "build" / "warehouse.duckdb"),
            warehouse_db=path("EDUKPI_WAREHOUSE", PROJECT_ROOT / "data" / "warehouse.duckdb"),
            reports_dir=path("EDUKPI_REPORTS_DIR", PROJECT_ROOT / "reports" / "out"),
            hmac_key=env.get("EDUKPI_HMAC_KEY") or None,
            reference_dir=path("EDUKPI_REFERENCE_DIR", DEFAULT_REFERENCE_DIR),
            mappings_dir=path("EDUKPI_MAPPINGS_DIR", MAPPINGS_DIR),
            local_mappings_dir=path("EDUKPI_LOCAL_MAPPINGS_DIR", LOCAL_MAPPINGS_DIR),
            first_day=_day_setting(env, "EDUKPI_FIRST_DAY") or DEFAULT_FIRST_DAY,
            today=_day_setting(env, "EDUKPI_TODAY"),
            engine=(env.get("EDUKPI_ENGINE") or "duckdb").strip().lower(),
        )
        settings.dbt_seed_path  # a reference dir dbt cannot read is refused at start-up, not half-way through a build
        return settings

    def as_env(self) -> dict[str, str]:
        """The same settings as environment variables, for child processes (dbt, dagster CLI)."""
        env = {
            "EDUKPI_RAW_DIR": str(self.raw_dir),
            "EDUKPI_BUILD_DB": str(self.build_db),
            "EDUKPI_WAREHOUSE": str(self.warehouse_db),
            "EDUKPI_REPORTS_DIR": str(self.reports_dir),
            "EDUKPI_REFERENCE_DIR": str(self.reference_dir),
            "EDUKPI_REFERENCE_SEED_PATH": self.dbt_seed_path,
            "EDUKPI_MAPPINGS_DIR": str(self.mappings_dir),
            "EDUKPI_LOCAL_MAPPINGS_DIR": str(self.local_mappings_dir),
            "EDUKPI_FIRST_DAY": self.first_day.isoformat(),
            "EDUKPI_ENGINE": self.engine,
            # read by the `spark` target of dbt_project/profiles.yml
            "EDUKPI_SPARK_DIR": str(self.spark_dir),
        }
        if self.today:
            env["EDUKPI_TODAY"] = self.today.isoformat()
        if self.hmac_key:
            env["EDUKPI_HMAC_KEY"] = self.hmac_key
        return env

    def local_today(self) -> dt.date:
        """Today in Ho Chi Minh City, or the day EDUKPI_TODAY sets."""
        return self.today or dt.datetime.now(ZoneInfo(LOCAL_TZ)).date()

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


def _day_setting(env: dict[str, str], name: str) -> dt.date | None:
    value = (env.get(name) or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a day; write it as yyyy-mm-dd (e.g. {name}=2020-01-01)") from None
