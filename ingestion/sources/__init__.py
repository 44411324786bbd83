"""Every source ingestion knows: adding one = a module here + a contract entry + a mapping (tabular sources)."""
from __future__ import annotations

from ingestion.daily import DailySource
from ingestion.sources import access_log, feedback, ga4, page_report, submissions
from ingestion.tabular import TabularSource

SOURCES: dict[str, DailySource | TabularSource] = {
    module.SOURCE.name: module.SOURCE for module in (ga4, access_log, page_report, submissions, feedback)
}
