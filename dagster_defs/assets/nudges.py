"""Mid-quarter reminders after each refresh (group "published"): messages per unit behind, from the published warehouse."""
import dagster as dg

from dagster_defs.assets.publish import published_warehouse
from dagster_defs.resources import EduKpiSettings

NUDGES_FOLDER = "nhac_viec"


@dg.asset(
    key=["published", "nudges"],
    group_name="published",
    deps=[published_warehouse],
    kinds={"html", "xlsx"},
    description=(
        "Nhắc việc giữa quý: one Vietnamese message (text and HTML) per unit that is behind, and an XLSX overview for the "
        "department office, in <reports dir>/nhac_viec/, rendered from marts.kpi_nudges of the published warehouse as of "
        "its default date (the latest submission day). Nothing is sent."
    ),
)
def nudges(context: dg.AssetExecutionContext, settings: EduKpiSettings) -> dg.MaterializeResult:
    from reports.nudges import read_nudges, write_nudges

    resolved = settings.get()
    rows = read_nudges(resolved.warehouse_db)
    out_dir = resolved.reports_dir / NUDGES_FOLDER
    written = write_nudges(rows, out_dir)
    units = len({row["unit_code"] for row in rows})
    context.log.info(f"{units} units behind; {len(written)} files in {out_dir}")
    return dg.MaterializeResult(
        metadata={"folder": dg.MetadataValue.path(str(out_dir)), "units_behind": units, "reminders": len(rows)}
    )
