"""Partition schemes: the analytics sources arrive as one file per day (local days, Asia/Ho_Chi_Minh)."""
from __future__ import annotations

import dagster as dg

from edukpi.settings import LOCAL_TZ

daily_partitions = dg.DailyPartitionsDefinition(start_date="2024-01-01", timezone=LOCAL_TZ)

# The dbt models computed per analytics day carry this tag in their config (the GA4 staging view and the incremental
# daily aggregate): the daily dbt step selects `tag:daily`, and the daily job takes that step's assets.
DAILY_DBT_TAG = "daily"
