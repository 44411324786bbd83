"""Partition schemes: the analytics sources arrive as one file per day (local days, Asia/Ho_Chi_Minh)."""
from __future__ import annotations

import dagster as dg

from edukpi.settings import LOCAL_TZ, Settings

# The partition set is part of the asset graph, so its first day (EDUKPI_FIRST_DAY, default in ingestion/settings.py) is
# read when the definitions load: at the start of `edukpi materialize`, `dagster dev` or a test process; restart them
# after changing it. Day files dated before it are refused by name (ingestion/loading.py), never a partition error.
daily_partitions = dg.DailyPartitionsDefinition(start_date=Settings.from_env().first_day.isoformat(), timezone=LOCAL_TZ)

# The dbt models computed per analytics day carry this tag in their config (the GA4 staging view and the incremental
# daily aggregate): the daily dbt step selects `tag:daily`, and the daily job takes that step's assets.
DAILY_DBT_TAG = "daily"
