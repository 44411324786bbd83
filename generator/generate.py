"""Entry point of the sample-data generator: every raw source into one folder, marked as sample data."""
from __future__ import annotations

import json
from pathlib import Path

from edukpi import settings
from generator.analytics import write_analytics
from generator.calendar import WorkingCalendar
from generator.disclosure import write_disclosure
from generator.catalog import build_catalog, load_registry
from generator.feedback import write_feedback
from generator.incidents import write_incidents
from generator.listening import write_listening
from generator.monthly_reports import write_monthly_reports
from generator.officers import write_officers
from generator.press import write_press
from generator.presets import DATE_FROM, DATE_TO, GENERATOR_VERSION, PRESETS
from generator.social import write_social
from generator.submissions import write_submissions
from generator.traffic import build_traffic
from generator.writers import check_target

# The marker names the module that wrote sample data of this GENERATOR_VERSION; kept as first written, so the same
# preset and seed still give the same bytes after the generator moved to its own package.
MARKER_GENERATOR_NAME = "ingestion.generate"


def generate(preset: str, seed: int, out_dir: Path, progress: bool = True) -> dict:
    """Write every raw source for 2024-01-01..2025-06-30 into out_dir; the same preset and seed give the same bytes.

    Returns a summary: files written and rows per source, the GA4 days that arrived late, and facts about the data
    (hosts outside GA4, units behind their quota, re-sent submissions, open tickets) that tests and people can check.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; accepted: {', '.join(PRESETS)}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    config = PRESETS[preset]
    out_dir = Path(out_dir)
    check_target(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    marker = {"generator": MARKER_GENERATOR_NAME, "generator_version": GENERATOR_VERSION, "preset": preset, "seed": seed,
              "date_from": DATE_FROM.isoformat(), "date_to": DATE_TO.isoformat(),
              "note": "Generated sample data: every person in it is invented."}
    # Written first: an interrupted run still leaves a folder recognisably holding sample data.
    (out_dir / settings.SAMPLE_MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    registry = load_registry()
    calendar = WorkingCalendar.build()
    catalog = build_catalog(seed, registry)
    files: dict[str, list[str]] = {"ga4": [], "access_logs": [], "page_reports": [], "submissions": [], "feedback": []}
    rows: dict[str, int] = {}
    late_notes = write_analytics(out_dir, config, seed, catalog, build_traffic(seed, calendar), progress, files, rows)
    submission_notes = write_submissions(out_dir, config, seed, registry, calendar, files, rows)
    feedback_notes = write_feedback(out_dir, config, seed, registry, calendar, files, rows)
    social_notes = write_social(out_dir, config, seed, registry, calendar, files, rows)
    disclosure_notes = write_disclosure(out_dir, config, seed, registry, files, rows)
    issues_notes = {**write_listening(out_dir, config, seed, files, rows), **write_incidents(out_dir, seed, files, rows),
                    **write_monthly_reports(out_dir, seed, registry, calendar, files, rows)}
    press_notes = write_press(out_dir, config, seed, registry, calendar, files, rows)
    officer_notes = write_officers(out_dir, seed, registry, files, rows)
    return {
        "preset": preset,
        "seed": seed,
        "out_dir": str(out_dir),
        "date_from": DATE_FROM.isoformat(),
        "date_to": DATE_TO.isoformat(),
        "files": {source: len(paths) for source, paths in files.items()},
        "rows": rows,
        "late_arriving_days": late_notes,
        "late_arriving_note": "GA4 added late_events to these days' tables up to 3 days later; the files on disk are the "
                              "complete re-delivered days (the first delivery lacked those events).",
        "access_log_hosts": [s.host for s in catalog.sites if s.source_form == "access_log"],
        "page_report_hosts": [s.host for s in catalog.sites if s.source_form == "page_report"],
        **submission_notes,
        **feedback_notes,
        "social": social_notes,
        "disclosure": disclosure_notes,
        "issues": issues_notes,
        "press": press_notes,
        "officers": officer_notes,
    }
