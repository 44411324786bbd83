"""Text helpers of the generator: ASCII folding, URL slugs, `{slot}` templates filled row by row."""
from __future__ import annotations

import string

import numpy as np
import polars as pl


def fold_ascii(series: pl.Series | pl.Expr):
    return series.str.normalize("NFD").str.replace_all(r"\p{M}", "").str.replace_all("đ", "d").str.replace_all("Đ", "D")


def slug(series: pl.Series) -> pl.Series:
    return (
        fold_ascii(series).str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "-").str.strip_chars("-").str.slice(0, 90)
        .str.strip_chars("-")
    )


def render_templates(templates: list[str], which: np.ndarray, slots: pl.DataFrame) -> pl.Series:
    """Fill `{slot}` templates row by row, vectorised: one polars format per template."""
    frame = slots.with_columns(pl.Series("_t", which.astype(np.int64))).with_row_index("_row")
    parts = []
    for number, text in enumerate(templates):
        rows = frame.filter(pl.col("_t") == number)
        if rows.height == 0:
            continue
        fmt, fields = "", []
        for literal, field_name, _, _ in string.Formatter().parse(text):
            fmt += literal
            if field_name is not None:
                fmt += "{}"
                fields.append(pl.col(field_name).cast(pl.Utf8))
        expr = pl.format(fmt, *fields) if fields else pl.lit(text)
        parts.append(rows.select("_row", expr.alias("text")))
    return pl.concat(parts).sort("_row")["text"]
