"""Deterministic sample data for every raw source: GA4 export, access logs, page reports, submissions, feedback.

One module per source (ga4, access_logs, page_reports, submissions, feedback) on shared ground (presets, calendar,
traffic, catalog, titles, people, writers); `generate` writes them all. Nothing in the pipeline imports this package.
"""
from generator.generate import generate
from generator.presets import ACCESS_LOG_UNITS, DATE_FROM, DATE_TO, GENERATOR_VERSION, PAGE_REPORT_UNITS, PRESETS, Preset

__all__ = ["ACCESS_LOG_UNITS", "DATE_FROM", "DATE_TO", "GENERATOR_VERSION", "PAGE_REPORT_UNITS", "PRESETS", "Preset", "generate"]
