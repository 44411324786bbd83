"""The working-day calendar (group "reference"): Viet Nam's days for every year of the raw tables, from `holidays`."""
import dagster as dg

from dagster_defs.assets.ingestion import ingestion_assets
from dagster_defs.resources import EduKpiSettings
from ingestion.contracts import CALENDAR_COLUMNS, CALENDAR_TABLE
from ingestion.working_days import write_calendar


@dg.asset(
    key=dg.AssetKey(["raw", "calendar_days"]),
    group_name="reference",
    kinds={"duckdb", "python"},
    # After every load, daily ones included: the calendar must reach back to the earliest day any raw table holds.
    deps=[asset.key for asset in ingestion_assets],
    description=(
        "Viet Nam's day-by-day calendar (weekends, holidays and swapped days off, make-up Saturdays) from the `holidays` "
        "package, for 1 January of the earliest year in any raw table to 31 December of next year; rewritten on every "
        "refresh. Years the package has no rules for count weekends only, with a warning naming them. dbt reads it as "
        "source raw.calendar_days (int_calendar_days → marts.dim_date)."
    ),
    metadata={"dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(n, t) for n, t in CALENDAR_COLUMNS])},
)
def calendar_days(context: dg.AssetExecutionContext, settings: EduKpiSettings) -> dg.MaterializeResult:
    report = write_calendar(settings.get())
    context.log.info(f"{CALENDAR_TABLE}: {report.first_day} to {report.last_day}, {report.days} days, "
                     f"{report.working_days} working days (data from {report.earliest_data_day} to {report.latest_data_day})")
    metadata: dict[str, object] = {
        "table": CALENDAR_TABLE,
        "first_day": report.first_day.isoformat(),
        "last_day": report.last_day.isoformat(),
        "days": report.days,
        "working_days": report.working_days,
        "earliest_data_day": report.earliest_data_day.isoformat() if report.earliest_data_day else "no data",
        "latest_data_day": report.latest_data_day.isoformat() if report.latest_data_day else "no data",
        "years_without_holidays": dg.MetadataValue.json(report.years_without_holidays),
    }
    if report.warning:
        context.log.warning(f"{CALENDAR_TABLE}: {report.warning}")
        metadata["warning"] = report.warning
    return dg.MaterializeResult(metadata=metadata)
