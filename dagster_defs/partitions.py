"""Partition schemes: the analytics sources arrive as one file per day (local days, Asia/Ho_Chi_Minh)."""
from __future__ import annotations

import dagster as dg

from ingestion.settings import LOCAL_TZ

daily_partitions = dg.DailyPartitionsDefinition(start_date="2024-01-01", timezone=LOCAL_TZ)

# Everything that is loaded or computed per analytics day, materialised together for a day or a range of days in one run:
# the two daily sources and the dbt models over the GA4 events (the staging view and the incremental daily aggregate).
DAILY_DBT_MODELS = "stg_raw__ga4_events int_portal_ga4_daily int_portal_ga4_daily_visitors"
DAILY_ASSET_KEYS = (
    "raw/ga4_events",
    "raw/access_log_hits",
    "staging/stg_raw__ga4_events",
    "intermediate/int_portal_ga4_daily",
    "intermediate/int_portal_ga4_daily_visitors",
)
