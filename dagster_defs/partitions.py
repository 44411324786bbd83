"""Partition schemes: the analytics sources arrive as one file per day (local days, Asia/Ho_Chi_Minh)."""
from __future__ import annotations

import dagster as dg

from ingestion.settings import LOCAL_TZ

daily_partitions = dg.DailyPartitionsDefinition(start_date="2024-01-01", timezone=LOCAL_TZ)
