"""Every source ingestion knows: adding one = a module here + a contract entry + a mapping (tabular sources)."""
from __future__ import annotations

from ingestion.daily import DailySource
from ingestion.sources import (
    access_log,
    disclosure,
    facebook_insights,
    facebook_posts,
    feedback,
    ga4,
    moderation,
    officers,
    page_report,
    press_coverage,
    press_events,
    press_requests,
    submissions,
    zalo_articles,
    zalo_followers,
    zalo_interactions,
)
from ingestion.sources import incidents, listening, monthly_reports
from ingestion.tabular import TabularSource

SOURCES: dict[str, DailySource | TabularSource] = {
    module.SOURCE.name: module.SOURCE
    for module in (ga4, access_log, page_report, submissions, feedback, facebook_posts, facebook_insights, zalo_articles,
                   zalo_followers, zalo_interactions, moderation, disclosure, listening, incidents, monthly_reports,
                   press_requests, officers, press_coverage, press_events)
}
