"""What the sample data covers: its dates, the units outside GA4, and the presets (volumes) with their version."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

GENERATOR_VERSION = "1.0.0"
DATE_FROM = dt.date(2024, 1, 1)
DATE_TO = dt.date(2025, 6, 30)
N_DAYS = (DATE_TO - DATE_FROM).days + 1
# Every export (submissions list, feedback system) is taken at the end of the data: later events are not known yet.
AS_OF = dt.datetime(2025, 6, 30, 23, 59, 59)
UTC_OFFSET_S = 7 * 3600  # Asia/Ho_Chi_Minh, no DST

PORTAL_UNIT = "SGD_VP"
# Sites outside the department's GA4 property: two district offices run their own nginx, three schools send a report.
ACCESS_LOG_UNITS = ("PGD_CGIO", "PGD_NBE")
PAGE_REPORT_UNITS = ("THPT_MC", "THPT_NTH", "THPT_GD")


@dataclass(frozen=True)
class Preset:
    name: str
    ga4_sessions_per_day: float  # mean over 2024 (the seasonal multiplier averages 1 there)
    access_log_page_views_per_day: float  # per access-log host, before the seasonal multiplier
    page_report_page_views_per_day: float  # per page-report host
    feedback_tickets_per_year: float
    submission_rate_scale: float  # multiplies the submission rate of units that keep their quota (laggards stay behind)
    show_progress: bool


PRESETS: dict[str, Preset] = {
    # Full date range at very low volume: the whole pipeline test runs in seconds.
    "tiny": Preset("tiny", 10, 8, 4, 250, 1.0, False),
    # `make run`: about 1.3 million GA4 events.
    "sample": Preset("sample", 520, 100, 120, 2_000, 1.0, True),
    # One year of a city-scale portal: about 20 million GA4 events, 10 thousand submissions, 60 thousand tickets.
    "city-year": Preset("city-year", 11_700, 1_000, 1_200, 60_000, 12.4, True),
    "x10": Preset("x10", 117_000, 10_000, 12_000, 600_000, 124.0, True),
}


QUARTERS = [(dt.date(2024, 1, 1), dt.date(2024, 3, 31)), (dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
            (dt.date(2024, 7, 1), dt.date(2024, 9, 30)), (dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
            (dt.date(2025, 1, 1), dt.date(2025, 3, 31)), (dt.date(2025, 4, 1), dt.date(2025, 6, 30))]


def quarter_label(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"
