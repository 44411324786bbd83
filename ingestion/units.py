"""Matching units as people type them (code or name, any case, with or without diacritics) to the unit registry."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import polars as pl

from edukpi import settings as project_settings

# Prefixes people leave out: "Quận 1" for "Phòng Giáo dục và Đào tạo Quận 1", "THPT Gia Định" for "Trường THPT Gia Định".
# Folded forms (see fold_text). A short name is accepted only when exactly one unit has it.
OPTIONAL_PREFIXES = ("phong giao duc va dao tao ", "truong ")


def registry_path() -> Path:
    return project_settings.UNIT_REGISTRY_CSV


def registry_hint(path: Path) -> str:
    """How an analyst adds a unit, said in every 'not in the unit registry' message."""
    return (f"add a line to {path} (unit_code, unit_name, unit_type, parent_code, valid_from, valid_to, site_host; see "
            "docs/data-contracts.md 'Reference data') and load again: the file is checked again")


def fold_text(value: str) -> str:
    """Python twin of fold_expr: NFD without combining marks, đ→d, case-folded, spaces collapsed."""
    value = value.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in unicodedata.normalize("NFD", value) if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def fold_expr(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all("[đĐ]", "d")
        .str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "")
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def load_registry(path: Path | None = None) -> pl.DataFrame:
    path = path or registry_path()
    if not path.exists():
        raise FileNotFoundError(f"the unit registry {path} is missing: units cannot be matched")
    return pl.read_csv(path, infer_schema=False).with_columns(pl.col("unit_name").str.normalize("NFC"))


def lookup_table(registry: pl.DataFrame) -> pl.DataFrame:
    """(unit_key, unit_codes): every folded code, name and unambiguous short name; the best kind of match wins."""
    codes = registry.select(fold_expr(pl.col("unit_code")).alias("unit_key"), pl.col("unit_code"), pl.lit(0).alias("rank"))
    names = registry.select(fold_expr(pl.col("unit_name")).alias("unit_key"), pl.col("unit_code"), pl.lit(1).alias("rank"))
    short = names.with_columns(
        pl.col("unit_key").str.replace(f"^(?:{'|'.join(OPTIONAL_PREFIXES)})", "").alias("unit_key"), pl.lit(2).alias("rank")
    ).join(names.select("unit_key"), on="unit_key", how="anti")
    candidates = pl.concat([codes, names, short]).unique()
    best = candidates.filter(pl.col("rank") == pl.col("rank").min().over("unit_key"))
    return best.group_by("unit_key").agg(pl.col("unit_code").unique().sort().alias("unit_codes"))


def match_units(frame: pl.DataFrame, column: str, lookup: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """Add `{prefix}_code` (the single matching registry code or null) and `{prefix}_candidates` (all matching codes)."""
    keyed = frame.with_columns(fold_expr(pl.col(column)).alias("_unit_key"))
    joined = keyed.join(lookup, left_on="_unit_key", right_on="unit_key", how="left", maintain_order="left")
    return joined.with_columns(
        pl.when(pl.col("unit_codes").list.len() == 1).then(pl.col("unit_codes").list.first()).alias(f"{prefix}_code"),
        pl.col("unit_codes").alias(f"{prefix}_candidates"),
    ).drop("_unit_key", "unit_codes")


def unmatched_reason(column: str, candidates: str, registry: Path | None = None) -> pl.Expr:
    """Plain-words reason for a unit that is not (or not uniquely) in the registry; null when it matched."""
    value = pl.col(column)
    return (
        pl.when(value.is_not_null() & pl.col(candidates).is_null())
        .then(
            pl.format(
                "unit '{}' is not in the unit registry (codes and names are compared ignoring case, diacritics and "
                "spaces); write the unit's code, e.g. PGD_Q1, or its registry name; for a unit the registry lacks, "
                + registry_hint(registry or registry_path()),
                value,
            )
        )
        .when(value.is_not_null() & (pl.col(candidates).list.len() > 1))
        .then(
            pl.format(
                "unit '{}' matches several units in the registry ({}); write the unit's code",
                value,
                pl.col(candidates).list.join(", "),
            )
        )
    )
