"""Reading delivered files: fingerprints, encodings, and CSV/XLSX grids with their real line numbers, header found by mapping."""
from __future__ import annotations

import hashlib
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingestion.mappings import Mapping, UnmappableHeaderError, describe_failure

HEADER_SEARCH_ROWS = 20  # title rows above the header are allowed, this many at most
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
LINE = "source_line"


def fingerprint(path: Path) -> str:
    """sha256 of the file's bytes: the identity of one delivered version of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def decode(data: bytes, encoding: str) -> str | None:
    """Bytes -> NFC text, or None when the bytes are not in that encoding.

    UTF-8 is read with or without BOM. Windows-1258 writes Vietnamese with combining tone marks: NFC composes them.
    """
    name = encoding.lower().replace("_", "-")
    try:
        if name in ("utf-8", "utf8", "utf-8-sig"):
            text = data.decode("utf-8-sig")
        else:
            text = data.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None
    return unicodedata.normalize("NFC", text)


@dataclass
class Grid:
    """Cells of a file as strings (columns c0, c1, ...) and the line (CSV) or sheet row (XLSX) each row starts on."""

    frame: pl.DataFrame
    encoding: str
    width_reason: pl.Series | None = None  # per row: why its field count is wrong (CSV only), or null

    def row_values(self, index: int) -> list[str | None]:
        row = self.frame.row(index)
        return [v for v, name in zip(row, self.frame.columns) if name.startswith("c")]


def _csv_grid(text: str, delimiter: str, encoding: str) -> Grid:
    text = text.replace("\r\n", "\n")
    lines = pl.Series("text", text.split("\n"))
    if text.endswith("\n"):
        lines = lines.head(lines.len() - 1)
    if lines.len() == 0:
        return Grid(pl.DataFrame({LINE: pl.Series([], dtype=pl.Int32)}), encoding)
    delimiters_per_line = lines.str.count_matches(delimiter, literal=True)
    width = int(delimiters_per_line.max() or 0) + 1 + 32
    names = [f"c{i}" for i in range(width)]
    frame = pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        has_header=False,
        schema={n: pl.String for n in names},
        separator=delimiter,
        quote_char='"',
        raise_if_empty=False,
    )
    # A record spans 1 + (newlines inside its quoted fields) physical lines: that gives each record's first line.
    spans = pl.sum_horizontal([pl.col(n).str.count_matches("\n", literal=True).fill_null(0) for n in names]) + 1
    frame = frame.with_columns(spans.alias("_span"))
    frame = frame.with_columns((pl.col("_span").cum_sum() - pl.col("_span") + 1).cast(pl.Int32).alias(LINE))
    total = int(frame["_span"].sum() or 0)
    if total != lines.len():
        raise ValueError(f"CSV record lines do not add up ({total} counted, {lines.len()} in the file)")
    # Field count of one-line records: delimiters outside quoted sections, plus one (multi-line records are not counted).
    unquoted = lines.str.replace_all(r'"(?:[^"]|"")*"', "").str.count_matches(delimiter, literal=True) + 1
    fields_on_line = pl.DataFrame({LINE: pl.int_range(1, lines.len() + 1, eager=True).cast(pl.Int32), "_fields": unquoted})
    frame = frame.join(fields_on_line, on=LINE, how="left").with_columns(
        pl.when(pl.col("_span") == 1).then(pl.col("_fields")).otherwise(None).alias("_fields")
    )
    return Grid(frame.drop("_span"), encoding)


def _excel_grid(path: Path, sheet: str | None) -> tuple[Grid, str]:
    import fastexcel

    reader = fastexcel.read_excel(path)
    names = reader.sheet_names
    chosen = sheet if sheet in names else names[0]
    # skip_rows=0 keeps empty leading rows, so row i is sheet row i + 1. Typed dates come out as 'yyyy-mm-dd HH:MM:SS'.
    loaded = reader.load_sheet(chosen, header_row=None, dtypes="string", skip_rows=0).to_polars()
    loaded = loaded.rename({old: f"c{i}" for i, old in enumerate(loaded.columns)})
    loaded = loaded.with_columns(pl.int_range(1, loaded.height + 1, dtype=pl.Int32).alias(LINE))
    return Grid(loaded, "xlsx"), chosen


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr == "").then(None).otherwise(expr)


@dataclass
class MappedRows:
    """The data rows of a file under contract field names (strings, trimmed, '' as null) and the mapping that fitted."""

    mapping: Mapping
    frame: pl.DataFrame  # contract fields + source_line + _width_problem
    encoding: str
    is_excel: bool
    header_line: int
    blank_rows: int


def _find_header(grid: Grid, mapping: Mapping) -> tuple[int | None, list[str], list[str | None]]:
    """(row index of the header or None, missing headers of the best candidate row, best candidate row)."""
    best: tuple[int | None, list[str], list[str | None]] | None = None
    for index in range(min(HEADER_SEARCH_ROWS, grid.frame.height)):
        row = grid.row_values(index)
        if not any(v and v.strip() for v in row):
            continue
        missing = mapping.missing_headers(row)
        if not missing:
            return index, [], row
        if best is None or len(missing) < len(best[1]):
            best = (None, missing, row)
    return best if best else (None, mapping.required_fields and [mapping.columns[f] for f in mapping.required_fields], [])


def read_mapped(path: Path, file_label: str, mappings: tuple[Mapping, ...]) -> MappedRows:
    """Read a CSV or XLSX file and bring its data rows onto the contract with the first mapping whose headers are all there."""
    is_excel = path.suffix.lower() in EXCEL_SUFFIXES
    data = None if is_excel else path.read_bytes()
    grids: dict[tuple, Grid] = {}
    attempts: list[tuple[Mapping, str, list[str]]] = []
    seen_header: list[str | None] = []
    for mapping in mappings:
        candidates = [(mapping.sheet,)] if is_excel else [(enc, mapping.delimiter) for enc in mapping.encodings]
        for candidate in candidates:
            if candidate not in grids:
                if is_excel:
                    grids[candidate] = _excel_grid(path, candidate[0])[0]
                else:
                    text = decode(data, candidate[0])
                    if text is None:
                        attempts.append((mapping, candidate[0], ["(the file is not in this encoding)"]))
                        continue
                    grids[candidate] = _csv_grid(text, candidate[1], candidate[0])
            grid = grids[candidate]
            header_index, missing, row = _find_header(grid, mapping)
            if header_index is None:
                attempts.append((mapping, grid.encoding, missing))
                seen_header = seen_header or row
                continue
            return _project(grid, mapping, header_index, is_excel)
    raise UnmappableHeaderError(describe_failure(file_label, attempts, seen_header))


def _project(grid: Grid, mapping: Mapping, header_index: int, is_excel: bool) -> MappedRows:
    header = grid.row_values(header_index)
    header_width = max(i for i, h in enumerate(header) if h and h.strip()) + 1
    if "_fields" in grid.frame.columns and grid.frame["_fields"][header_index] is not None:
        header_width = max(header_width, int(grid.frame["_fields"][header_index]))  # trailing empty header cells count
    positions = mapping.column_positions(header)
    rows = grid.frame.slice(header_index + 1)
    cell_columns = [c for c in rows.columns if c.startswith("c")]
    cleaned = rows.with_columns(
        [_blank_to_null(pl.col(c).str.strip_chars()).alias(c) for c in cell_columns]
    )
    blank = pl.all_horizontal([pl.col(c).is_null() for c in cell_columns])
    blank_rows = cleaned.filter(blank).height
    cleaned = cleaned.filter(~blank)
    width_problem = pl.lit(None, dtype=pl.String)
    if not is_excel:
        extra = [c for c in cell_columns if int(c[1:]) >= header_width]
        too_many = pl.any_horizontal([pl.col(c).is_not_null() for c in extra]) if extra else pl.lit(False)
        count = pl.col("_fields")
        width_problem = (
            pl.when(count.is_not_null() & (count != header_width))
            .then(pl.format("the line has {} fields but the header has {}", count, pl.lit(header_width)))
            .when(too_many)
            .then(pl.lit(f"the record has more fields than the header's {header_width}"))
            .otherwise(None)
        )
    projected = cleaned.select(
        [
            (pl.col(f"c{positions[f]}") if f in positions else pl.lit(None, dtype=pl.String)).alias(f)
            for f in mapping.columns
        ]
        + [pl.col(LINE), width_problem.alias("_width_problem")]
    )
    header_line = int(grid.frame[LINE][header_index])
    return MappedRows(mapping, projected, grid.encoding, is_excel, header_line, blank_rows)
