"""Ingestion of the generator's tiny preset (every day of 2024-01-01 to 2025-06-30) through Dagster: the session's tiny
pipeline build (tests/conftest.py, `edukpi generate` then `edukpi materialize`, as `make run` does), read back from its
raw tables and from the materialisation events in its Dagster home."""
from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import BuiltPipeline
from tests.integration.test_ingest_sources import DAILY, FILES, query

SOCIAL = ("facebook_posts", "facebook_insights", "zalo_articles", "zalo_followers", "zalo_interactions", "moderation_log")
ISSUES = ("listening_mentions", "incidents", "monthly_reports")


@pytest.fixture(scope="module")
def generated(built_pipeline: BuiltPipeline) -> tuple[Path, dict, dict]:
    """The build file, the generator's summary and each raw asset's last materialisation metadata (rows read, loaded,
    quarantined, the mapping each file was read with)."""
    assert "did not pass" not in built_pipeline.log, built_pipeline.log[-4000:]  # every asset check passed
    summary = built_pipeline.generator_summary()
    instance = dg.DagsterInstance.from_config(built_pipeline.env["DAGSTER_HOME"])
    try:
        metadata = {}
        for table in (*DAILY, *FILES, *SOCIAL, *ISSUES):
            event = instance.get_latest_materialization_event(dg.AssetKey(["raw", table]))
            assert event is not None, f"raw/{table} was not materialised by the pipeline build"
            metadata[table] = {k: getattr(v, "value", v) for k, v in event.asset_materialization.metadata.items()}
    finally:
        instance.dispose()
    return built_pipeline.settings.build_db, summary, metadata


def test_every_generated_row_is_loaded_or_quarantined(generated) -> None:
    db, summary, metadata = generated
    written = {"ga4_events": summary["rows"]["ga4_events"], "access_log_hits": summary["rows"]["access_log_lines"],
               "page_report_rows": summary["rows"]["page_report_rows"], "article_submissions": summary["rows"]["submissions"],
               "feedback_tickets": summary["rows"]["feedback_tickets"],
               "facebook_posts": summary["rows"]["facebook_post_rows"],
               "facebook_insights": summary["rows"]["facebook_insight_values"],
               "zalo_articles": summary["rows"]["zalo_article_rows"], "zalo_followers": summary["rows"]["zalo_follower_rows"],
               "zalo_interactions": summary["rows"]["zalo_interaction_rows"], "moderation_log": summary["rows"]["moderation_rows"],
               "listening_mentions": summary["rows"]["listening_export_rows"],
               "incidents": summary["rows"]["incident_rows"], "monthly_reports": summary["rows"]["monthly_report_rows"]}
    for table, rows in written.items():
        meta = metadata[table]
        assert meta["rows_read"] == rows, table
        assert meta["rows_read"] == meta["rows_loaded"] + meta["rows_quarantined"], table
        assert query(db, f"select count(*) from raw.{table}")[0][0] == meta["rows_loaded"], table
    # The GA4 export is clean (the marts' page views must equal the files'); access logs carry deliberate faults.
    assert query(db, "select count(*) from raw.quarantine where source = 'ga4'") == [(0,)]
    reasons = query(db, "select distinct regexp_replace(reason, 'line [0-9]+', 'line N') from raw.quarantine "
                        "where source = 'access_log'")
    assert {r for (r,) in reasons} <= {
        "duplicate of line N (the same line twice)",
        'the line is not in Combined Log Format; expected ip - - [dd/Mon/yyyy:HH:MM:SS +hhmm] "METHOD path HTTP/x" '
        'status bytes "referrer" "user agent"',
    }


def test_ga4_page_views_match_the_parquet_files(generated) -> None:
    db, summary, _ = generated
    files = sorted((Path(summary["out_dir"]) / "analytics" / "ga4").glob("events_*.parquet"))
    with duckdb.connect() as con:
        expected = con.sql(
            f"""
            select strptime(event_date, '%Y%m%d')::date as day,
                   regexp_extract(list_filter(event_params, lambda p: p.key = 'page_location')[1].value.string_value,
                                  '^https?://([^/:]+)', 1) as host,
                   count(*) as page_views
            from read_parquet({[str(f) for f in files]}) where event_name = 'page_view' group by all order by all
            """
        ).fetchall()
    loaded = query(db, "select event_date, page_host, count(*) from raw.ga4_events where event_name = 'page_view' "
                       "group by all order by all")
    assert loaded == expected
    assert sum(r[2] for r in loaded) == summary["rows"]["ga4_page_views"]


def test_generated_units_all_match_the_registry(generated) -> None:
    db, _, _ = generated
    assert query(db, "select count(*) from raw.article_submissions where unit_code is null") == [(0,)]
    assert query(db, "select count(*) from raw.feedback_tickets where assigned_unit_code is null") == [(0,)]
    forms = query(db, "select count(distinct unit_as_sent) > count(distinct unit_code) from raw.article_submissions")
    assert forms == [(True,)]  # names typed in several ways resolve to one code


def test_generated_social_files_load_clean(generated) -> None:
    """The sample's social files hold no faults: every row loads, both Business Suite layouts and the XLSX are read, and
    the removed insight names arrive under their replacements."""
    db, _, metadata = generated
    assert query(db, "select count(*) from raw.quarantine where source in ('facebook_posts', 'facebook_insights', "
                     "'zalo_articles', 'zalo_followers', 'zalo_interactions', 'moderation')") == [(0,)]
    assert set(metadata["facebook_posts"]["mappings"].values()) == {"business_suite_posts_en (utf-8)",
                                                                    "business_suite_posts_vi (utf-8)"}
    assert "zalo_articles_vi (xlsx)" in set(metadata["zalo_articles"]["mappings"].values())
    renamed = query(db, "select source_metric, metric from raw.facebook_insights where source_metric <> metric "
                        "group by all order by 1")
    assert renamed == [("page_fans", "page_follows"), ("page_impressions", "page_media_view"),
                       ("post_impressions", "post_media_view"), ("post_impressions_unique", "post_total_media_view_unique")]
    assert query(db, "select count(*) from raw.moderation_log where commenter_key is null") == [(0,)]


def test_generated_issue_files_load_clean(generated) -> None:
    """The sample's listening exports (both layouts), incident logs and report registers hold no faults; authors are
    hashed; incidents open at a quarter's end are listed again in the next quarter's log."""
    db, _, metadata = generated
    assert query(db, "select count(*) from raw.quarantine where source in ('listening', 'incidents', "
                     "'monthly_reports')") == [(0,)]
    assert set(metadata["listening_mentions"]["mappings"].values()) == {"listening_monitoring_en (utf-8)",
                                                                       "listening_monitoring_vi (utf-8)"}
    assert query(db, "select count(*) from raw.listening_mentions where author_key is null") == [(0,)]
    assert query(db, "select count(*) > count(distinct url) from raw.listening_mentions") == [(True,)]
    assert query(db, "select count(*) > count(distinct incident_id) from raw.incidents") == [(True,)]
