"""Partition schemes: the analytics sources arrive as one file per day (local days, Asia/Ho_Chi_Minh)."""
from __future__ import annotations

import dagster as dg

from ingestion.settings import LOCAL_TZ, Settings

# The partition set is part of the asset graph, so its first day (EDUKPI_FIRST_DAY, default in ingestion/settings.py) is
# read when the definitions load: at the start of `edukpi materialize`, `dagster dev` or a test process; restart them
# after changing it. Day files dated before it are refused by name (ingestion/loading.py), never a partition error.
daily_partitions = dg.DailyPartitionsDefinition(start_date=Settings.from_env().first_day.isoformat(), timezone=LOCAL_TZ)

# Everything that is loaded or computed per analytics day, materialised together for a day or a range of days in one run:
# the two daily sources and the dbt models over the GA4 events (the staging view and the incremental daily aggregate).
DAILY_DBT_MODELS = "stg_raw__ga4_events int_portal_ga4_daily"
DAILY_ASSET_KEYS = (
    "raw/ga4_events",
    "raw/access_log_hits",
    "staging/stg_raw__ga4_events",
    "intermediate/int_portal_ga4_daily",
)
