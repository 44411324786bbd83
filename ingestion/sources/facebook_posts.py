"""Facebook fanpage posts (Meta Business Suite post export, CSV) -> raw.facebook_posts, one row per post per export."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import FACEBOOK_POSTS
from ingestion.mappings import Mapping
from ingestion.pseudonymise import mask_contacts_sql
from ingestion.sources.social_exports import published_after_export, read_dated_export
from ingestion.tabular import RunContext, TabularSource
from ingestion.validation import Problem, raw_name, shown_value


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    fields = FACEBOOK_POSTS.field_by_name
    raw_id = pl.col(raw_name("post_id"))
    # The Graph API writes a post as PAGEID_POSTID, Business Suite as POSTID: one post, one id.
    frame = frame.with_columns(raw_id.str.replace(r"^\d+_", "").alias("post_id"))
    shown = shown_value(fields["post_id"], raw_id)
    failed, reason = published_after_export("published_at", raw_name("published_at"))
    problems = [
        Problem("post_id", raw_id.is_not_null() & ~pl.col("post_id").str.contains(r"^\d+$"),
                pl.format("post_id '{}' is not a Facebook post id (digits, or PAGEID_POSTID)", shown), shown),
        Problem("published_at", failed, reason, pl.col(raw_name("published_at"))),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=FACEBOOK_POSTS,
    patterns=("facebook/posts/*.csv",),
    rules=rules,
    reader=read_dated_export,
    table_select=f"""
        post_id, page_id, {mask_contacts_sql('title')}, {mask_contacts_sql('description')}, post_type, permalink,
        published_at, views, reach, reactions, comments, shares, link_clicks, other_clicks, total_clicks, exported_on
    """,
)
