"""Facebook Graph API insights (NDJSON: one API data item per line) -> raw.facebook_insights, one row per value.

A line is an item of the `data` list of GET /{page-id}/insights or /{post-id}/insights:
{"id": "PAGEID/insights/page_media_view/day", "name": "page_media_view", "period": "day",
 "values": [{"value": 1834, "end_time": "2025-07-02T07:00:00+0000"}, ...]}
Each value is a row (its line is the item's line); a line that is not such an item is one quarantined row, so rows read =
values read + unreadable lines.
"""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from edukpi.settings import LOCAL_TZ
from ingestion.contracts import FACEBOOK_INSIGHTS
from ingestion.mappings import Mapping, RejectedFileError
from ingestion.readers import LINE, MappedRows, decode
from ingestion.tabular import RunContext, TabularSource
from ingestion.validation import Problem, raw_name

ITEM_SHAPE = '{"id": ..., "name": ..., "period": ..., "values": [{"value": ..., "end_time": ...}]}'


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).strip() or None


def read_insights(path: Path, file_label: str, mappings: tuple[Mapping, ...]) -> MappedRows:
    mapping = mappings[0]
    data = path.read_bytes()
    text = decode(data, "utf-8")
    if text is None or (b"\x00" in data):
        raise RejectedFileError(f"{file_label}: it is not UTF-8 text (it looks like UTF-16, or a binary file); save the "
                                "API responses as UTF-8 NDJSON, one data item per line.")
    if not text.strip():
        # As for the CSV sources: an empty re-delivery must not wipe out the values of the file's earlier version.
        raise RejectedFileError(f"{file_label}: the file is empty ({len(data)} bytes: no insights data item). Expected one "
                                f"JSON object per line: {ITEM_SHAPE}; save the API responses again.")
    keys = {name: mapping.columns[name] for name in mapping.columns}
    records: list[dict] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            item = None
        values = item.get(keys["value"].split(".")[0]) if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(values, list):
            records.append({LINE: number, "_parse_problem": (
                f"line {number} is not an insights data item (a JSON object per line is expected: {ITEM_SHAPE})")})
            continue
        object_id = _text(item.get(keys["object_id"]))
        if object_id:
            object_id = object_id.split("/insights", 1)[0]
        if not values:  # an item without values is a metric with no data in the range: nothing to load, nothing lost
            continue
        for entry in values:
            entry = entry if isinstance(entry, dict) else {"value": entry}
            records.append({
                "object_id": object_id, "metric": _text(item.get(keys["metric"])), "period": _text(item.get(keys["period"])),
                "end_time": _text(entry.get(keys["end_time"].split(".")[-1])),
                "value": _text(entry.get(keys["value"].split(".")[-1])), LINE: number, "_parse_problem": None,
            })
    schema = {name: pl.String for name in mapping.columns} | {LINE: pl.Int32, "_parse_problem": pl.String}
    frame = pl.DataFrame(records, schema=schema).with_columns(
        pl.lit(None, pl.String).alias("_width_problem"), pl.lit(None, pl.String).alias("_parse_field"))
    return MappedRows(mapping, frame, "utf-8", is_excel=False, header_line=0, blank_rows=0)


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    # Meta's day runs midnight to midnight US Pacific (end_time 07:00 UTC in summer, 08:00 in winter): a value's end_time
    # is the midnight that ends the day it is for, so the value belongs to the Pacific day just before end_time, the day
    # Insights labels it (a lifetime value is likewise "as of the end of" that day).
    boundary = str(mapping.options.get("day_boundary_timezone", "America/Los_Angeles"))
    end_local = pl.col("end_time").dt.replace_time_zone(LOCAL_TZ).dt.convert_time_zone(boundary)
    object_id = pl.col("object_id")
    frame = frame.with_columns(
        pl.col(raw_name("metric")).str.strip_chars().str.to_lowercase().alias("source_metric"),
        (end_local - pl.duration(seconds=1)).dt.date().alias("metric_date"),
        object_id.str.extract(r"^(\d+)").alias("page_id"),
        object_id.str.extract(r"^\d+_(\d+)$").alias("post_id"),
    )
    is_post_metric = pl.col("metric").str.starts_with("post_")
    problems = [
        Problem("object_id", object_id.is_not_null() & ~object_id.str.contains(r"^\d+(?:_\d+)?$"),
                pl.format("object_id '{}' is not a page id (digits) or a post id (PAGEID_POSTID)", object_id), object_id),
        Problem("object_id", is_post_metric & object_id.is_not_null() & pl.col("post_id").is_null(),
                pl.format("metric {} is about a post but object_id '{}' is a page id; expected PAGEID_POSTID",
                          pl.col("metric"), object_id), object_id),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=FACEBOOK_INSIGHTS,
    patterns=("facebook/insights/*.ndjson", "facebook/insights/*.jsonl", "facebook/insights/*.json"),
    rules=rules,
    reader=read_insights,
    table_select="object_id, page_id, post_id, metric, source_metric, period, end_time, metric_date, value",
)
