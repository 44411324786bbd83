"""Contract rules as vectorised polars expressions, and the split of rows into loaded and quarantined."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from ingestion.contracts import Contract, Field
from ingestion.mappings import Mapping, human_format, value_key
from ingestion.pseudonymise import mask_contacts
from ingestion.readers import LINE
from ingestion.settings import LOCAL_TZ

MAX_SHOWN_CHARS = 200
NULL_TYPES = {"timestamp": pl.Datetime("us"), "date": pl.Date, "integer": pl.Int64, "number": pl.Float64}
ISO_EXCEL_FORMATS = {"timestamp": ["%Y-%m-%d %H:%M:%S"], "date": ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]}


@dataclass(frozen=True)
class Problem:
    """One rule: where `failed` is true the row is quarantined, naming `column`, showing `value`, saying `reason`."""

    column: str
    failed: pl.Expr
    reason: pl.Expr
    value: pl.Expr


def raw_name(field_name: str) -> str:
    return f"_raw_{field_name}"


def shown_value(field: Field | None, expr: pl.Expr) -> pl.Expr:
    """What raw.quarantine may show of a value: personal fields masked, contacts in text masked, long text cut."""
    if field is not None and field.personal:
        return pl.when(expr.is_not_null()).then(pl.lit(field.personal))
    masked = mask_contacts(expr)
    return pl.when(masked.str.len_chars() > MAX_SHOWN_CHARS).then(
        masked.str.slice(0, MAX_SHOWN_CHARS) + pl.lit("…")
    ).otherwise(masked)


def _parse_moments(raw: pl.Expr, kind: str, formats: list[str], timezone: str) -> pl.Expr:
    """Coalesce of every format; values with an offset (%z) are converted to local wall-clock time."""
    parsed = []
    for fmt in formats:
        if kind == "date":
            parsed.append(raw.str.strptime(pl.Date, fmt, strict=False) if "%H" not in fmt
                          else raw.str.strptime(pl.Datetime("us"), fmt, strict=False).dt.date())
            continue
        if "%z" in fmt:
            moment = raw.str.strptime(pl.Datetime("us", "UTC"), fmt, strict=False)
        else:
            moment = raw.str.strptime(pl.Datetime("us"), fmt, strict=False)
            moment = moment.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
        parsed.append(moment.dt.convert_time_zone(LOCAL_TZ).dt.replace_time_zone(None))
    return pl.coalesce(parsed) if parsed else pl.lit(None)


def typed_columns(contract: Contract, mapping: Mapping, is_excel: bool, loaded_at: dt.datetime) -> tuple[list[pl.Expr], list[Problem]]:
    """Expressions giving each mapped field its contract type, and the per-field rules (required, format, accepted, range)."""
    expressions: list[pl.Expr] = []
    problems: list[Problem] = []
    for name in mapping.columns:
        spec = contract.field_by_name[name]
        raw = pl.col(raw_name(name))
        shown = shown_value(spec, raw)
        header = mapping.columns[name]
        label = f"{name} ({header})" if header != name else name
        if spec.kind == "choice":
            vocabulary = mapping.value_map(name)
            vocabulary |= {value_key(code): code for code in spec.accepted}
            typed = raw.str.normalize("NFC").str.to_lowercase().str.replace_all(r"\s+", " ").replace_strict(
                vocabulary, default=None, return_dtype=pl.String
            )
            expected = list(mapping.values.get(name, {})) or list(spec.accepted)
            problems.append(Problem(
                name, raw.is_not_null() & typed.is_null(),
                pl.format("{} '{}' is not an accepted value; expected one of: {}", pl.lit(label), shown, pl.lit(", ".join(expected))),
                shown,
            ))
        elif spec.kind in ("timestamp", "date"):
            formats = mapping.formats_for(name, spec.kind)
            if is_excel:
                formats = formats + [f for f in ISO_EXCEL_FORMATS[spec.kind] if f not in formats]
            typed = _parse_moments(raw, spec.kind, formats, mapping.timezone)
            what = "date and time" if spec.kind == "timestamp" else "date"
            expected = " or ".join(human_format(f) for f in formats)
            problems.append(Problem(
                name, raw.is_not_null() & typed.is_null(),
                pl.format("{} '{}' is not a valid {}; expected {}", pl.lit(label), shown, pl.lit(what), pl.lit(expected)),
                shown,
            ))
            limit = loaded_at if spec.kind == "timestamp" else loaded_at.date()
            problems.append(Problem(
                name, typed > pl.lit(limit),
                pl.format("{} '{}' is in the future (the file was loaded at {})", pl.lit(label), shown,
                          pl.lit(loaded_at.strftime("%Y-%m-%d %H:%M"))),
                shown,
            ))
        elif spec.kind in ("integer", "number"):
            target = pl.Int64 if spec.kind == "integer" else pl.Float64
            typed = raw.cast(target, strict=False)
            what = "a whole number" if spec.kind == "integer" else "a number (decimal point '.')"
            problems.append(Problem(
                name, raw.is_not_null() & typed.is_null(),
                pl.format("{} '{}' is not {}", pl.lit(label), shown, pl.lit(what)), shown,
            ))
            if spec.min_value is not None:
                problems.append(Problem(
                    name, typed < spec.min_value,
                    pl.format("{} '{}' is negative; it cannot be below {}", pl.lit(label), shown, pl.lit(str(spec.min_value).removesuffix(".0"))),
                    shown,
                ))
        else:
            typed = raw
        if spec.required:
            problems.append(Problem(name, raw.is_null(), pl.lit(f"{label} is empty; it is required"), pl.lit(None, pl.String)))
        expressions.append(typed.alias(name))
    for spec in contract.fields:
        if spec.name not in mapping.columns:
            expressions.append(pl.lit(None, dtype=NULL_TYPES.get(spec.kind, pl.String)).alias(spec.name))
    return expressions, problems


def not_before(later: str, earlier: str, reason: str, fields: dict[str, Field]) -> Problem:
    """`later` may not be before `earlier` (both typed timestamps); the reason is given in plain words."""
    shown = shown_value(fields[later], pl.col(raw_name(later)))
    return Problem(
        later,
        pl.col(later) < pl.col(earlier),
        pl.format("{} '{}' is before {} '{}': {}", pl.lit(later), shown, pl.lit(earlier),
                  pl.col(raw_name(earlier)), pl.lit(reason)),
        shown,
    )


def required_when(column: str, condition: pl.Expr, condition_words: str) -> Problem:
    return Problem(
        column, condition & pl.col(raw_name(column)).is_null(),
        pl.lit(f"{column} is empty; it is required when {condition_words}"), pl.lit(None, pl.String),
    )


def apply_problems(frame: pl.DataFrame, problems: list[Problem]) -> pl.DataFrame:
    """Add _reason, _column, _value: all problems of a row joined (a row with several problems is quarantined once)."""
    if not problems:
        return frame.with_columns(
            pl.lit(None, pl.String).alias("_reason"), pl.lit(None, pl.String).alias("_column"), pl.lit(None, pl.String).alias("_value")
        )
    flags = [p.failed.fill_null(False) for p in problems]
    reasons = [pl.when(f).then(p.reason) for f, p in zip(flags, problems)]
    columns = [pl.when(f).then(pl.lit(p.column)) for f, p in zip(flags, problems)]
    pairs = [pl.when(f & p.value.is_not_null()).then(pl.format("{}='{}'", pl.lit(p.column), p.value)) for f, p in zip(flags, problems)]
    values = [pl.when(f).then(p.value) for f, p in zip(flags, problems)]
    count = pl.sum_horizontal([f.cast(pl.Int32) for f in flags])
    frame = frame.with_columns(
        pl.concat_str(reasons, separator="; ", ignore_nulls=True).alias("_reason"),
        pl.concat_str(columns, separator=", ", ignore_nulls=True).alias("_column"),
        pl.when(count > 1).then(pl.concat_str(pairs, separator="; ", ignore_nulls=True))
        .otherwise(pl.coalesce(values)).alias("_value"),
        count.alias("_problem_count"),
    )
    return frame.with_columns(
        [pl.when(pl.col("_problem_count") > 0).then(pl.col(c)).alias(c) for c in ("_reason", "_column", "_value")]
    ).drop("_problem_count")


def _key_values(key: tuple[str, ...], fields: dict[str, Field]) -> pl.Expr:
    if not key:
        return pl.lit(None, pl.String)
    return pl.concat_str([shown_value(fields.get(k), pl.col(raw_name(k))).fill_null("") for k in key], separator=", ")


def mark_duplicates(frame: pl.DataFrame, raw_fields: list[str], key: tuple[str, ...], fields: dict[str, Field]) -> pl.DataFrame:
    """Among rows that passed every rule: an exact copy of an earlier line is a duplicate of it; of rows sharing a key
    with different content, the last line in the file wins and the earlier ones are quarantined as replaced."""
    ok = pl.col("_reason").is_null()
    frame = frame.with_columns(pl.when(ok).then(pl.col(LINE)).min().over(raw_fields).alias("_first_line"))
    duplicate = ok & (pl.col(LINE) != pl.col("_first_line"))
    frame = frame.with_columns(
        pl.when(duplicate).then(pl.format("duplicate of line {} (the same row twice)", pl.col("_first_line"))).otherwise(pl.col("_reason")).alias("_reason"),
        pl.when(duplicate).then(pl.lit("(whole row)")).otherwise(pl.col("_column")).alias("_column"),
        pl.when(duplicate).then(_key_values(key, fields)).otherwise(pl.col("_value")).alias("_value"),
    )
    if not key:
        return frame.drop("_first_line")
    ok = pl.col("_reason").is_null()
    frame = frame.with_columns(pl.when(ok).then(pl.col(LINE)).max().over(list(key)).alias("_last_line"))
    replaced = ok & (pl.col(LINE) != pl.col("_last_line"))
    key_words = ", ".join(key)
    key_values = _key_values(key, fields)
    frame = frame.with_columns(
        pl.when(replaced).then(pl.format(
            "replaced by line {}, which has the same {} '{}' with different content (the later line is kept)",
            pl.col("_last_line"), pl.lit(key_words), key_values,
        )).otherwise(pl.col("_reason")).alias("_reason"),
        pl.when(replaced).then(pl.lit(key_words)).otherwise(pl.col("_column")).alias("_column"),
        pl.when(replaced).then(key_values).otherwise(pl.col("_value")).alias("_value"),
    )
    return frame.drop("_first_line", "_last_line")
