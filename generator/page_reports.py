"""Page reports (GA4 Data API style CSV, one per host and month) of the schools that send a report."""
from __future__ import annotations

import numpy as np
import polars as pl

from generator.catalog import Catalog
from generator.draws import stream_rng
from generator.presets import DATE_FROM, Preset
from generator.traffic import Traffic

PAGE_REPORT_COLUMNS = ["date", "hostName", "pagePath", "pageTitle", "screenPageViews", "activeUsers", "sessions",
                       "userEngagementDuration"]


def page_report_month(catalog: Catalog, site: int, preset: Preset, traffic: Traffic, days: np.ndarray,
                       weights: dict[int, np.ndarray], seed: int) -> pl.DataFrame:
    """One host, one month: a row per day and page viewed at least once (views, users, sessions, engagement seconds)."""
    rng = stream_rng(seed, "page_report", site, int(days[0]))
    pages = np.arange(catalog.site_start[site], catalog.site_end[site])
    expected = np.stack([weights[d][pages] for d in days]) * (preset.page_report_page_views_per_day
                                                              * traffic.subsite[days])[:, None]
    views = rng.poisson(expected)
    day_index, page_index = np.nonzero(views)
    views = views[day_index, page_index]
    sessions = np.maximum(views - rng.binomial(views, 0.18), 1)
    users = np.maximum(sessions - rng.binomial(sessions, 0.12), 1)
    engagement = np.round(views * rng.gamma(2.0, 19.0, len(views))).astype(np.int64)
    dates = np.datetime64(DATE_FROM, "D") + days[day_index].astype("timedelta64[D]")
    return pl.DataFrame({
        "date": pl.Series(dates, dtype=pl.Date).dt.strftime("%Y%m%d"),
        "hostName": pl.repeat(catalog.sites[site].host, len(views), eager=True, dtype=pl.Utf8),
        "pagePath": pl.Series(catalog.path_np[pages[page_index]].astype(str), dtype=pl.Utf8),
        "pageTitle": pl.Series(catalog.title_np[pages[page_index]].astype(str), dtype=pl.Utf8),
        "screenPageViews": views.astype(np.int64),
        "activeUsers": users.astype(np.int64),
        "sessions": sessions.astype(np.int64),
        "userEngagementDuration": engagement,
    }).sort(["date", "screenPageViews", "pagePath"], descending=[False, True, False]).select(PAGE_REPORT_COLUMNS)
