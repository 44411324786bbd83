"""Contract rules as vectorised polars expressions, and the split of rows into loaded and quarantined."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from ingestion.contracts import Contract, Field
from ingestion.mappings import Mapping, human_format, value_key
from ingestion.pseudonymise import mask_contacts
from ingestion.readers import LINE
from edukpi.settings import LOCAL_TZ

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


def unmapped_name(field_name: str) -> str:
    """Column flagging a value of an open vocabulary that no mapping knows."""
    return f"_unmapped_{field_name}"


def shown_value(field: Field | None, expr: pl.Expr) -> pl.Expr:
    """What raw.quarantine may show of a value: personal fields masked, contacts in text masked, long text cut."""
    if field is not None and field.personal:
        return pl.when(expr.is_not_null()).then(pl.lit(field.personal))
    masked = mask_contacts(expr)
    return pl.when(masked.str.len_chars() > MAX_SHOWN_CHARS).then(
        masked.str.slice(0, MAX_SHOWN_CHARS) + pl.lit("…")
    ).otherwise(masked)


# A time may carry its offset in any export (2024-02-07T09:15:00+07:00, ...+0700, ...Z, '... 09:15 +07:00'); it is then
# converted to local time, whatever the mapping's own formats say.
OFFSET_AT_END = r"\s*([+-]\d{2}:?\d{2})$"


def _parse_moments(raw: pl.Expr, kind: str, formats: list[str], timezone: str, wall_clock_only: bool = False) -> pl.Expr:
    """Coalesce of every format; values with an offset (%z) are converted to local wall-clock time, values without one
    are read in the mapping's `timezone` and converted too (a naive 20:30 in America/Los_Angeles is 11:30 the next day
    in Viet Nam). wall_clock_only: the naive times as written, in no zone (to tell a time the zone skips from a typo)."""
    parsed = []
    if wall_clock_only:
        return pl.coalesce([raw.str.strptime(pl.Datetime("us"), fmt, strict=False) for fmt in formats if "%z" not in fmt]
                           or [pl.lit(None, pl.Datetime("us"))])
    if kind == "timestamp":
        raw = raw.str.replace(r"(\d)\s*[Zz]$", "${1}+00:00").str.replace(OFFSET_AT_END, "$1")
        formats = formats + [f + "%z" for f in formats if "%z" not in f and "%H" in f and f + "%z" not in formats]
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


def _day_first(formats: list[str]) -> list[str]:
    return [f for f in formats if "%d" in f and "%m" in f and f.index("%d") < f.index("%m")]


def _month_first(formats: list[str]) -> list[str]:
    return [f.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m") for f in formats]


THOUSANDS = r"^[0-9]{1,3}(?:[.,][0-9]{3})+$"


def typed_columns(contract: Contract, mapping: Mapping, is_excel: bool, loaded_at: dt.datetime) -> tuple[list[pl.Expr], list[Problem]]:
    """Expressions giving each mapped field its contract type, and the per-field rules (required, format, accepted, range)."""
    expressions: list[pl.Expr] = []
    problems: list[Problem] = []
    month_first_reads: list[tuple] = []
    for name in mapping.supplied_fields:
        spec = contract.field_by_name[name]
        raw = pl.col(raw_name(name))
        # Rules read the typed column (added to the frame before they are checked): its parse is computed once.
        typed_column = pl.col(name)
        shown = shown_value(spec, raw)
        label = mapping.label(name)
        if spec.kind == "choice":
            vocabulary = mapping.value_map(name)
            vocabulary |= {value_key(code): code for code in spec.accepted}
            typed = raw.str.normalize("NFC").str.to_lowercase().str.replace_all(r"\s+", " ").replace_strict(
                vocabulary, default=None, return_dtype=pl.String
            )
            if spec.otherwise is not None:
                # Open vocabulary: another system's own words are kept (source_<field>), not refused; counted per file.
                expressions.append((raw.is_not_null() & typed.is_null()).alias(unmapped_name(name)))
                typed = pl.when(raw.is_not_null()).then(typed.fill_null(pl.lit(spec.otherwise)))
            else:
                expected = list(mapping.values.get(name, {})) or list(spec.accepted)
                problems.append(Problem(
                    name, raw.is_not_null() & typed_column.is_null(),
                    pl.format("{} '{}' is not an accepted value; expected one of: {}", pl.lit(label), shown,
                              pl.lit(", ".join(expected))),
                    shown,
                ))
        elif spec.kind in ("timestamp", "date"):
            formats = mapping.formats_for(name, spec.kind)
            if is_excel:
                formats = formats + [f for f in ISO_EXCEL_FORMATS[spec.kind] if f not in formats]
            typed = _parse_moments(raw, spec.kind, formats, mapping.timezone)
            what = "date and time" if spec.kind == "timestamp" else "date"
            expected = " or ".join(human_format(f) for f in formats)
            invalid = pl.format("{} '{}' is not a valid {}; expected {}", pl.lit(label), shown, pl.lit(what), pl.lit(expected))
            day_first = _day_first(formats)
            if day_first:
                # Day and month swapped (an export set to US dates): 04/13/2024 is only a date month first.
                expressions.append(
                    _parse_moments(raw, spec.kind, _month_first(day_first), mapping.timezone).alias(f"_month_first_{name}"))
                month_first = pl.col(f"_month_first_{name}")
                only_month_first = raw.is_not_null() & typed_column.is_null() & month_first.is_not_null()
                month_first_reads.append((name, label, shown, typed_column, month_first, only_month_first))
                invalid = pl.when(only_month_first).then(pl.format(
                    "{}; read month first ({}) it would be a date, but this export writes the day first",
                    invalid, pl.lit(human_format(_month_first(day_first)[0])),
                )).otherwise(invalid)
            if spec.kind == "timestamp" and mapping.timezone != LOCAL_TZ:
                # A wall-clock time the mapping's zone skips (clocks put forward for daylight saving time) reads as
                # no time at all: say so rather than "not a valid date".
                wall_clock = _parse_moments(raw, spec.kind, formats, mapping.timezone, wall_clock_only=True)
                invalid = pl.when(wall_clock.is_not_null()).then(pl.format(
                    "{} '{}' is not a time that exists in {} (the clocks were put forward over it for daylight saving "
                    "time); write the time with its UTC offset", pl.lit(label), shown, pl.lit(mapping.timezone),
                )).otherwise(invalid)
            problems.append(Problem(name, raw.is_not_null() & typed_column.is_null(), invalid, shown))
            limit = loaded_at if spec.kind == "timestamp" else loaded_at.date()
            problems.append(Problem(
                name, typed_column > pl.lit(limit),
                pl.format("{} '{}' is in the future (the file was loaded at {})", pl.lit(label), shown,
                          pl.lit(loaded_at.strftime("%Y-%m-%d %H:%M"))),
                shown,
            ))
        elif spec.kind in ("integer", "number"):
            target = pl.Int64 if spec.kind == "integer" else pl.Float64
            typed = raw.cast(target, strict=False)
            if spec.kind == "integer":  # '125.0' (a tool writing every number as decimal) is the whole number 125
                typed = pl.coalesce(typed, pl.when(raw.str.contains(r"^-?[0-9]+\.0+$")).then(raw.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)))
            what = "a whole number" if spec.kind == "integer" else "a number (decimal point '.')"
            problems.append(Problem(
                name, raw.is_not_null() & typed_column.is_null(),
                pl.when(raw.str.contains(THOUSANDS)).then(pl.format(
                    "{} '{}' is not {}: it looks like a number with thousands separators; write the digits only (1234)",
                    pl.lit(label), shown, pl.lit(what),
                )).otherwise(pl.format("{} '{}' is not {}", pl.lit(label), shown, pl.lit(what))), shown,
            ))
            if spec.min_value is not None:
                problems.append(Problem(
                    name, typed_column < spec.min_value,
                    pl.format("{} '{}' is negative; it cannot be below {}", pl.lit(label), shown, pl.lit(str(spec.min_value).removesuffix(".0"))),
                    shown,
                ))
        else:
            typed = raw
        if spec.required:
            problems.append(Problem(name, raw.is_null(), pl.lit(f"{label} is empty; it is required"), pl.lit(None, pl.String)))
        expressions.append(typed.alias(name))
    if month_first_reads:
        # A file with dates that exist only month first probably writes every date month first: its dates that read
        # both ways (03/04/2024) cannot be trusted day first, so they are quarantined too rather than loaded wrong.
        # (Rows whose cells are shifted or unreadable are no evidence: their values may sit in the wrong column.)
        evidence = (pl.any_horizontal([only for *_, only in month_first_reads])
                    & pl.col("_width_problem").is_null() & pl.col("_parse_problem").is_null())
        first_evidence = pl.col(LINE).filter(evidence).min()
        for name, label, shown, typed, month_first, _ in month_first_reads:
            problems.append(Problem(
                name,
                typed.is_not_null() & month_first.is_not_null() & (typed != month_first) & evidence.any(),
                pl.format(
                    "{} '{}' reads as a date both day first and month first, and line {} of this file has a date that "
                    "exists only month first: the file seems to write dates month first; write them day first as the "
                    "contract says and send the file again",
                    pl.lit(label), shown, first_evidence,
                ),
                shown,
            ))
    for spec in contract.fields:
        if spec.name not in mapping.supplied_fields:
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
    # Each rule's test is computed once, as a column: the reason, column and value below all read it.
    frame = frame.with_columns([p.failed.fill_null(False).alias(f"_failed_{i}") for i, p in enumerate(problems)])
    flags = [pl.col(f"_failed_{i}") for i in range(len(problems))]
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
    ).drop("_problem_count", *[f"_failed_{i}" for i in range(len(problems))])


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
