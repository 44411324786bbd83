"""The shared path of tabular sources (CSV/XLSX): read, map, type, check the contract, split loaded from quarantined."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingestion.contracts import Contract
from ingestion.mappings import Mapping, load_mappings
from ingestion.readers import LINE, MappedRows, read_mapped
from edukpi.settings import DEFAULT_REFERENCE_DIR, MAPPINGS_DIR, UNIT_REGISTRY_FILE
from ingestion.validation import (
    Problem, apply_problems, mark_duplicates, raw_name, shown_value, typed_columns, unmapped_name,
)

# rules(frame with typed fields and _raw_* columns, mapping, context) -> (frame with derived columns, extra problems)
Rules = Callable[[pl.DataFrame, Mapping, "RunContext"], tuple[pl.DataFrame, list[Problem]]]
# reader(path, file label, the source's mappings) -> the file's rows under contract field names (read_mapped: CSV/XLSX)
Reader = Callable[[Path, str, tuple[Mapping, ...]], MappedRows]


@dataclass
class RunContext:
    """What one load shares between files: its clock, and reference data loaded once."""

    loaded_at: dt.datetime
    reference_dir: Path = DEFAULT_REFERENCE_DIR
    mappings_dir: Path = MAPPINGS_DIR
    local_mappings_dir: Path | None = None
    cache: dict[str, object] = field(default_factory=dict)

    @property
    def unit_registry_csv(self) -> Path:
        return self.reference_dir / UNIT_REGISTRY_FILE

    def get(self, name: str, build: Callable[[], object]) -> object:
        if name not in self.cache:
            self.cache[name] = build()
        return self.cache[name]


@dataclass(frozen=True)
class TabularSource:
    """A CSV/XLSX source: its contract, where its files are, its own rules, and the SELECT that builds the raw row."""

    contract: Contract
    patterns: tuple[str, ...]  # globs relative to data/raw
    rules: Rules
    table_select: str  # DuckDB select list over the staged (typed, validated) rows, in the raw table's column order
    needs_key: bool = False  # holds personal data: the HMAC key is required
    reference_files: tuple[str, ...] = ()  # files of the reference dir its rules check rows against
    reader: Reader = read_mapped

    @property
    def name(self) -> str:
        return self.contract.source

    @property
    def partitioned(self) -> bool:
        return False

    def find_files(self, raw_dir: Path) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for pattern in self.patterns:
            for path in sorted(raw_dir.glob(pattern)):
                # Office lock files (~$name.xlsx) and hidden files are not deliveries.
                if path.is_file() and not path.name.startswith(("~$", ".")):
                    found[path.relative_to(raw_dir).as_posix()] = path
        return dict(sorted(found.items()))


@dataclass
class TabularResult:
    source_file: str
    fingerprint: str
    mapping: str
    encoding: str
    rows_read: int
    loaded: pl.DataFrame  # typed fields + derived columns + source_line
    quarantined: pl.DataFrame  # source_line, column_name, value, reason
    mapping_sha256: str = ""
    values_unmapped: int = 0  # open-vocabulary values no mapping knows (loaded as the canonical "other")

    @property
    def rows_loaded(self) -> int:
        return self.loaded.height

    @property
    def rows_quarantined(self) -> int:
        return self.quarantined.height


def process_file(source: TabularSource, path: Path, source_file: str, fingerprint: str, context: RunContext,
                 mappings: tuple[Mapping, ...] | None = None) -> TabularResult:
    """One file through the contract (with the source's mappings in ingestion/mappings/, unless others are given).
    Raises RejectedFileError (UnmappableHeaderError when no mapping fits its header) when the file cannot be read as a whole."""
    contract = source.contract
    mapped = source.reader(path, source_file, mappings or load_mappings(source.name, context.mappings_dir, context.local_mappings_dir))
    mapping = mapped.mapping
    # Values the file does not hold in a column: the mapping's constants and the parts of the file's name.
    given = mapping.constants | mapping.values_from_filename(source_file)
    frame = mapped.frame.with_columns(
        [pl.lit(given.get(f), pl.String).alias(f) for f in [*mapping.constants, *mapping.filename_fields]]
    )
    frame = frame.rename({f: raw_name(f) for f in mapping.supplied_fields})
    frame = frame.with_columns(
        [pl.lit(None, pl.String).alias(raw_name(f.name)) for f in contract.fields if f.name not in mapping.supplied_fields]
    )
    expressions, problems = typed_columns(contract, mapping, mapped.is_excel, context.loaded_at)
    frame = frame.with_columns(expressions)
    width = Problem("(whole row)", pl.col("_width_problem").is_not_null(), pl.col("_width_problem"), pl.lit(None, pl.String))
    frame, extra = source.rules(frame, mapping, context)
    frame = apply_problems(frame, [width, *problems, *extra])
    # With too few or too many fields every value sits in the wrong column: the other findings would be noise, and a
    # citizen's name could be shown as, say, a channel. Such a row is quarantined for its shape only, no value shown.
    shifted = pl.col("_width_problem").is_not_null()
    # A row whose quotes do not pair up (or an Excel formula saved without its result) is quarantined for that alone,
    # naming the cell where it goes wrong and showing that cell as any value of its field is shown.
    unparsed = pl.col("_parse_problem").is_not_null()
    fields = contract.field_by_name
    parse_value = pl.coalesce(
        [pl.when(pl.col("_parse_field") == name).then(shown_value(fields[name], pl.col(raw_name(name))))
         for name in mapping.columns]
    )
    frame = frame.with_columns(
        pl.when(unparsed).then(pl.col("_parse_problem"))
        .when(shifted).then(pl.col("_width_problem") + pl.lit(" (a delimiter is missing or extra; values not checked)"))
        .otherwise(pl.col("_reason")).alias("_reason"),
        pl.when(unparsed).then(pl.coalesce(pl.col("_parse_field"), pl.lit("(whole row)")))
        .when(shifted).then(pl.lit("(whole row)")).otherwise(pl.col("_column")).alias("_column"),
        pl.when(unparsed).then(parse_value)
        .when(shifted).then(pl.lit(None, pl.String)).otherwise(pl.col("_value")).alias("_value"),
    )
    frame = mark_duplicates(frame, [raw_name(f) for f in mapping.supplied_fields], contract.key, contract.field_by_name)
    bad = pl.col("_reason").is_not_null()
    quarantined = frame.filter(bad).select(
        pl.col(LINE), pl.col("_column").alias("column_name"), pl.col("_value").alias("value"), pl.col("_reason").alias("reason")
    )
    loaded = frame.filter(~bad)
    flags = [c for c in loaded.columns if c.startswith(unmapped_name(""))]
    values_unmapped = int(loaded.select(pl.sum_horizontal([pl.col(c).cast(pl.Int64) for c in flags]).sum()).item()) if flags else 0
    return TabularResult(source_file, fingerprint, mapping.name, mapped.encoding, frame.height, loaded, quarantined,
                         mapping.sha256, values_unmapped)
