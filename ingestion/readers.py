"""Reading delivered files: fingerprints, encodings, and CSV/XLSX grids with their real line numbers, header found by mapping."""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingestion.mappings import Mapping, RejectedFileError, UnmappableHeaderError, describe_failure

HEADER_SEARCH_ROWS = 20  # title rows above the header are allowed, this many at most
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
LINE = "source_line"
# Per row of a grid: why the row cannot be split into its cells (a quote that does not pair up, a formula saved without its
# result), with '{column}' standing for the column's header, and the position of that cell (null: the whole row).
PARSE_PROBLEM = "_parse_problem"
PARSE_COLUMN = "_parse_column"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
QUOTED_SECTION = re.compile(r'"(?:[^"]|"")*"')
QUOTING_RULE = (
    "a value holding the delimiter, a quote or a line break must be enclosed in quotes, a quote inside it written twice (\"\")"
)


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
        if name == "utf-16":
            text = data.decode("utf-16")  # the byte-order mark says which byte order
        elif name in ("utf-8", "utf8", "utf-8-sig"):
            text = data.decode("utf-8-sig")
        else:
            text = data.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None
    return unicodedata.normalize("NFC", text)


@dataclass
class Grid:
    """Cells of a file as strings (columns c0, c1, ...), the line (CSV) or sheet row (XLSX) each row starts on, and per row
    PARSE_PROBLEM / PARSE_COLUMN; CSV grids also carry _fields (the record's field count) and _span (its physical lines)."""

    frame: pl.DataFrame
    encoding: str

    def row_values(self, index: int) -> list[str | None]:
        row = self.frame.row(index)
        return [v for v, name in zip(row, self.frame.columns) if name.startswith("c")]


def _no_problems(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.lit(None, pl.String).alias(PARSE_PROBLEM), pl.lit(None, pl.Int32).alias(PARSE_COLUMN))


def _fields_outside_quotes(record: str, delimiter: str) -> int:
    return QUOTED_SECTION.sub("", record).count(delimiter) + 1


def _csv_grid(text: str, delimiter: str, encoding: str) -> Grid:
    text = text.replace("\r\n", "\n")
    physical = text.split("\n")
    if text.endswith("\n"):
        physical.pop()
    if not physical:
        return Grid(_no_problems(pl.DataFrame({LINE: pl.Series([], dtype=pl.Int32)})), encoding)
    lines = pl.Series("text", physical)
    delimiters_per_line = lines.str.count_matches(delimiter, literal=True)
    width = int(delimiters_per_line.max() or 0) + 1 + 32
    names = [f"c{i}" for i in range(width)]
    try:
        frame = pl.read_csv(
            io.BytesIO("\n".join(physical).encode("utf-8") + b"\n"),
            has_header=False,
            schema={n: pl.String for n in names},
            separator=delimiter,
            quote_char='"',
            raise_if_empty=False,
        )
    except pl.exceptions.ComputeError:
        # A quote that does not pair up (a value cut short, a stray quote): polars gives up on the whole file.
        return _tolerant_csv_grid(physical, delimiter, encoding)
    # A record spans 1 + (newlines inside its quoted fields) physical lines: that gives each record's first line.
    spans = pl.sum_horizontal([pl.col(n).str.count_matches("\n", literal=True).fill_null(0) for n in names]) + 1
    frame = frame.with_columns(spans.cast(pl.Int32).alias("_span"))
    frame = frame.with_columns((pl.col("_span").cum_sum() - pl.col("_span") + 1).cast(pl.Int32).alias(LINE))
    total = int(frame["_span"].sum() or 0)
    if total != len(physical):
        return _tolerant_csv_grid(physical, delimiter, encoding)
    # Field count of each record: delimiters outside quoted sections, plus one (a record over several lines is joined first).
    unquoted = lines.str.replace_all(QUOTED_SECTION.pattern, "").str.count_matches(delimiter, literal=True) + 1
    fields_on_line = pl.DataFrame({LINE: pl.int_range(1, lines.len() + 1, eager=True).cast(pl.Int32), "_fields": unquoted})
    frame = frame.join(fields_on_line, on=LINE, how="left", maintain_order="left")
    multi_line = frame.filter(pl.col("_span") > 1).select(LINE, "_span")
    if multi_line.height:
        counts = {
            start: _fields_outside_quotes("\n".join(physical[start - 1:start - 1 + span]), delimiter)
            for start, span in multi_line.iter_rows()
        }
        frame = frame.with_columns(
            pl.when(pl.col("_span") > 1)
            .then(pl.col(LINE).replace_strict(counts, default=None, return_dtype=pl.UInt32))
            .otherwise(pl.col("_fields")).alias("_fields")
        )
    return Grid(_no_problems(frame.with_columns(pl.col("_fields").cast(pl.Int32))), encoding)


def _quote_problem(line: str, delimiter: str) -> tuple[int, int, str]:
    """Where the quotes of one line go wrong: (field position, character position of the quote, what is wrong)."""
    field, at_field_start, in_quotes, opened_at = 0, True, False, 0
    position = 0
    while position < len(line):
        char = line[position]
        if in_quotes:
            if char == '"':
                if line[position + 1:position + 2] == '"':
                    position += 2
                    continue
                in_quotes = False
                following = line[position + 1:position + 2]
                if following not in ("", delimiter):
                    return field, opened_at, f"a quoted value is followed by {following!r} instead of the delimiter {delimiter!r}"
        elif char == delimiter:
            field, at_field_start = field + 1, True
            position += 1
            continue
        elif char == '"' and at_field_start:
            in_quotes, opened_at = True, position
        at_field_start = False
        position += 1
    if in_quotes:
        return field, opened_at, "a quote (\") opens a value that is never closed (the file may be cut short, or a quote is missing)"
    return 0, 0, "the quotes of this line do not pair up"


def _tolerant_csv_grid(physical: list[str], delimiter: str, encoding: str) -> Grid:
    """The slow, careful reading of a file whose quotes do not all pair up: records are found by quote parity; a line whose
    quotes go wrong is set aside (quarantined, naming the column) and reading goes on with the next line."""
    records: list[list[str]] = []
    starts, spans, counts, problems, problem_columns = [], [], [], [], []

    def parsed(first: int, last: int) -> list[str] | None:
        try:
            rows = list(csv.reader(io.StringIO("\n".join(physical[first:last + 1])), delimiter=delimiter, strict=True))
        except csv.Error:
            return None
        return (rows[0] if rows else []) if len(rows) <= 1 else None

    position, total = 0, len(physical)
    while position < total:
        end, quotes = position, physical[position].count('"')
        while quotes % 2 and end + 1 < total:
            end += 1
            quotes += physical[end].count('"')
        fields = parsed(position, end) if quotes % 2 == 0 else None
        if fields is None and end > position:
            end = position  # a quote inside a value (Tiêu "đề lạ) is text: the line may well be a record by itself
            fields = parsed(position, position)
        if fields is not None:
            records.append(fields)
            starts.append(position + 1)
            spans.append(end - position + 1)
            counts.append(len(fields) or 1)
            problems.append(None)
            problem_columns.append(None)
            position = end + 1
            continue
        line = physical[position]
        field, quote_at, what = _quote_problem(line, delimiter)
        fields = next(csv.reader([line[:quote_at]], delimiter=delimiter), []) if quote_at else []
        fields = fields[:field] + [None] * (field - len(fields))
        # Shown value: the quoted text up to the next delimiter (what the sender typed in that cell, as far as it can be told).
        fields.append(line[quote_at:].split(delimiter, 1)[0])
        records.append(fields)
        starts.append(position + 1)
        spans.append(1)
        counts.append(None)
        problems.append(f"line {position + 1}, column {{column}}: {what}; {QUOTING_RULE} (values of this line not checked)")
        problem_columns.append(field)
        position += 1
    width = max((len(r) for r in records), default=1)
    columns = {f"c{i}": [r[i] if i < len(r) else None for r in records] for i in range(width)}
    frame = pl.DataFrame(columns, schema={name: pl.String for name in columns})
    frame = frame.with_columns(
        pl.Series(LINE, starts, dtype=pl.Int32), pl.Series("_span", spans, dtype=pl.Int32),
        pl.Series("_fields", counts, dtype=pl.Int32), pl.Series(PARSE_PROBLEM, problems, dtype=pl.String),
        pl.Series(PARSE_COLUMN, problem_columns, dtype=pl.Int32),
    )
    return Grid(frame, encoding)


def _excel_grid(reader, sheet: str) -> Grid:
    # skip_rows=0 keeps empty leading rows, so row i is sheet row i + 1. Typed dates come out as 'yyyy-mm-dd HH:MM:SS'.
    loaded = reader.load_sheet(sheet, header_row=None, dtypes="string", skip_rows=0).to_polars()
    loaded = loaded.rename({old: f"c{i}" for i, old in enumerate(loaded.columns)})
    loaded = loaded.with_columns(pl.int_range(1, loaded.height + 1, dtype=pl.Int32).alias(LINE))
    return Grid(_no_problems(loaded), "xlsx")


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _formulas_without_result(path: Path, sheet: str, columns: set[int]) -> dict[int, tuple[int, str]]:
    """Sheet row -> (column position, formula) of the first formula cell (in `columns`) saved without its computed result.

    Excel stores a formula's result beside it; files written by scripts often do not, and such a cell reads as empty.
    """
    with zipfile.ZipFile(path) as archive:
        if not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n)
                   for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            return {}
    import openpyxl

    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    results = openpyxl.load_workbook(path, read_only=True, data_only=True)
    found: dict[int, tuple[int, str]] = {}
    try:
        rows = zip(formulas[sheet].iter_rows(values_only=True), results[sheet].iter_rows(values_only=True))
        for row_number, (written, computed) in enumerate(rows, start=1):
            for position, (formula, value) in enumerate(zip(written, computed)):
                if position in columns and isinstance(formula, str) and formula.startswith("=") and value is None:
                    found[row_number] = (position, formula)
                    break
    finally:
        formulas.close()
        results.close()
    return found


def _with_formula_problems(grid: Grid, path: Path, sheet: str, columns: set[int]) -> Grid:
    found = _formulas_without_result(path, sheet, columns)
    if not found:
        return grid
    cells = pl.DataFrame(
        {LINE: list(found), "_formula_column": [c for c, _ in found.values()], "_formula": [f for _, f in found.values()]},
        schema={LINE: pl.Int32, "_formula_column": pl.Int32, "_formula": pl.String},
    )
    frame = grid.frame.join(cells, on=LINE, how="left", maintain_order="left")
    cell_columns = [c for c in frame.columns if c.startswith("c")]
    frame = frame.with_columns(
        [pl.when(pl.col("_formula_column") == int(c[1:])).then(pl.col("_formula")).otherwise(pl.col(c)).alias(c)
         for c in cell_columns]
        + [
            pl.when(pl.col("_formula").is_not_null()).then(pl.concat_str(
                pl.lit("column {column}, cell "),
                pl.col("_formula_column").replace_strict({c: _column_letter(c) for c in columns}, default="?",
                                                         return_dtype=pl.String),
                pl.col(LINE).cast(pl.String),
                pl.lit(": it holds a formula saved without its result, so it reads as empty; open the file in Excel and "
                       "save it again (Excel stores the results), or paste the values instead of the formulas"),
            )).otherwise(pl.col(PARSE_PROBLEM)).alias(PARSE_PROBLEM),
            pl.coalesce(pl.col("_formula_column"), pl.col(PARSE_COLUMN)).alias(PARSE_COLUMN),
        ]
    )
    return Grid(frame.drop("_formula_column", "_formula"), grid.encoding)


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr == "").then(None).otherwise(expr)


@dataclass
class MappedRows:
    """The data rows of a file under contract field names (strings, trimmed, '' as null) and the mapping that fitted."""

    mapping: Mapping
    frame: pl.DataFrame  # contract fields + source_line + _width_problem, _parse_problem, _parse_field
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
    return best if best else (None, [mapping.columns[f] for f in mapping.required_fields], [])


def _expected_header(mappings: tuple[Mapping, ...]) -> str:
    first = mappings[0]
    return ", ".join(repr(first.columns[f]) for f in first.required_fields)


def _refuse_unreadable_text(data: bytes, file_label: str, mappings: tuple[Mapping, ...]) -> None:
    """An empty file or one holding NUL bytes (UTF-16 without its byte-order mark, a binary file) is refused as a whole."""
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise RejectedFileError(
            f"{file_label}: the file is empty ({len(data)} bytes: no header, no rows). Expected a CSV whose first row is "
            f"the header ({_expected_header(mappings)}, ...), then one row per record; send the export again."
        )
    if b"\x00" in data and not data.startswith(UTF16_BOMS):
        line = data[:data.index(b"\x00")].count(b"\n") + 1
        accepted = sorted({e for m in mappings for e in m.encodings} | {"utf-16 with byte-order mark"})
        raise RejectedFileError(
            f"{file_label}: line {line} holds NUL bytes (\\x00), so the file is not text in an accepted encoding "
            f"({', '.join(accepted)}); it is probably UTF-16 without its byte-order mark, or not a CSV at all. "
            "Save it again as 'CSV UTF-8'."
        )


def read_mapped(path: Path, file_label: str, mappings: tuple[Mapping, ...]) -> MappedRows:
    """Read a CSV or XLSX file and bring its data rows onto the contract with the first mapping whose headers are all there.

    Raises RejectedFileError (UnmappableHeaderError when no mapping fits) when the file cannot be read as a whole.
    """
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path, file_label, mappings)
    data = path.read_bytes()
    _refuse_unreadable_text(data, file_label, mappings)
    # A byte-order mark says what the file is, whatever the mapping lists (Excel's "Unicode text" is UTF-16).
    forced = "utf-16" if data.startswith(UTF16_BOMS) else None
    grids: dict[tuple, Grid] = {}
    attempts: list[tuple[Mapping, str, list[str]]] = []
    seen_header: list[str | None] = []
    for mapping in mappings:
        for encoding in ([forced] if forced else mapping.encodings):
            candidate = (encoding, mapping.delimiter)
            if candidate not in grids:
                text = decode(data, encoding)
                if text is None:
                    attempts.append((mapping, encoding, ["(the file is not in this encoding)"]))
                    continue
                grids[candidate] = _csv_grid(text, mapping.delimiter, encoding)
            grid = grids[candidate]
            header_index, missing, row = _find_header(grid, mapping)
            if header_index is None:
                attempts.append((mapping, grid.encoding, missing))
                seen_header = seen_header or row
                continue
            return _project(grid, mapping, header_index, is_excel=False)
    raise UnmappableHeaderError(describe_failure(file_label, attempts, seen_header))


def _read_excel(path: Path, file_label: str, mappings: tuple[Mapping, ...]) -> MappedRows:
    """The sheet holding the list: the mapping's sheet, else the one sheet whose header fits; several such sheets are
    refused (only one list per file is read, the others would be lost without a word)."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
    except Exception as error:  # fastexcel's errors have no common public base class
        reason = str(error).splitlines()[0]
        raise RejectedFileError(
            f"{file_label}: cannot be opened as an Excel workbook ({reason}). Accepted: .xlsx/.xlsm saved by Excel or "
            "LibreOffice; the file may be cut short or be another format renamed to .xlsx: save it again and resend."
        ) from error
    names = reader.sheet_names
    grids: dict[str, Grid] = {}
    attempts: list[tuple[Mapping, str, list[str]]] = []
    seen_header: list[str | None] = []
    for mapping in mappings:
        order = ([mapping.sheet] if mapping.sheet in names else []) + [n for n in names if n != mapping.sheet]
        fitting = []
        for sheet in order:
            if sheet not in grids:
                grids[sheet] = _excel_grid(reader, sheet)
            header_index, missing, row = _find_header(grids[sheet], mapping)
            if header_index is None:
                attempts.append((mapping, f"xlsx, sheet '{sheet}'", missing))
                seen_header = seen_header or row
            else:
                fitting.append((sheet, header_index))
        if len(fitting) > 1:
            listed = ", ".join(f"'{sheet}'" for sheet, _ in fitting)
            raise RejectedFileError(
                f"{file_label}: sheets {listed} each hold a list with the headers of mapping '{mapping.name}'. Only one "
                f"list per file is read, so the rows of the other sheets would be lost: put every row on one sheet "
                f"({repr(mapping.sheet) if mapping.sheet else 'the first'}) or send one file per sheet."
            )
        if fitting:
            sheet, header_index = fitting[0]
            grid = grids[sheet]
            mapped_columns = set(mapping.column_positions(grid.row_values(header_index)).values())
            grid = _with_formula_problems(grid, path, sheet, mapped_columns)
            return _project(grid, mapping, header_index, is_excel=True)
    if all(grid.frame.height == 0 for grid in grids.values()):
        raise RejectedFileError(
            f"{file_label}: the workbook has no data on any sheet ({', '.join(repr(n) for n in names)}). Expected a sheet "
            f"whose header holds {_expected_header(mappings)}, ...; send the export again."
        )
    raise UnmappableHeaderError(describe_failure(file_label, attempts, seen_header))


def _project(grid: Grid, mapping: Mapping, header_index: int, is_excel: bool) -> MappedRows:
    header = grid.row_values(header_index)
    header_width = max(i for i, h in enumerate(header) if h and h.strip()) + 1
    frame = grid.frame
    if "_fields" in frame.columns and frame["_fields"][header_index] is not None:
        header_width = max(header_width, int(frame["_fields"][header_index]))  # trailing empty header cells count
    positions = mapping.column_positions(header)
    rows = frame.slice(header_index + 1)
    cell_columns = [c for c in rows.columns if c.startswith("c")]
    cleaned = rows.with_columns(
        [_blank_to_null(pl.col(c).str.strip_chars()).alias(c) for c in cell_columns]
    )
    blank = pl.all_horizontal([pl.col(c).is_null() for c in cell_columns]) & pl.col(PARSE_PROBLEM).is_null()
    blank_rows = cleaned.filter(blank).height
    cleaned = cleaned.filter(~blank)
    labels = {i: repr(h.strip()) if h and h.strip() else f"{i + 1}" for i, h in enumerate(header)}
    parse_problem = pl.col(PARSE_PROBLEM).str.replace(
        "{column}", pl.col(PARSE_COLUMN).replace_strict(labels, default="?", return_dtype=pl.String).fill_null("?"),
        literal=True,
    )
    width_problem = pl.lit(None, dtype=pl.String)
    if not is_excel:
        extra = [c for c in cell_columns if int(c[1:]) >= header_width]
        too_many = pl.any_horizontal([pl.col(c).is_not_null() for c in extra]) if extra else pl.lit(False)
        count, span = pl.col("_fields"), pl.col("_span")
        width_problem = (
            pl.when(count.is_not_null() & (count != header_width) & (span == 1))
            .then(pl.format("the line has {} fields but the header has {}", count, pl.lit(header_width)))
            .when(too_many & (span == 1))
            .then(pl.lit(f"the record has more fields than the header's {header_width}"))
            .otherwise(None)
        )
        # A record over several lines with the wrong field count: a quote is missing or extra, and line ends (maybe whole
        # rows) were read as part of a value. Said as such, rather than as a missing delimiter.
        parse_problem = pl.coalesce(
            parse_problem,
            pl.when(count.is_not_null() & (count != header_width) & (span > 1)).then(pl.format(
                "the record starting on line {} runs over {} lines and has {} fields but the header has {}: a quote is "
                "probably missing or extra, so line ends were read as part of a value; " + QUOTING_RULE
                + " (values not checked)",
                pl.col(LINE), span, count, pl.lit(header_width),
            )),
        )
    field_at = {position: name for name, position in positions.items()}
    projected = cleaned.select(
        [
            (pl.col(f"c{positions[f]}") if f in positions else pl.lit(None, dtype=pl.String)).alias(f)
            for f in mapping.columns
        ]
        + [
            pl.col(LINE),
            pl.when(parse_problem.is_null()).then(width_problem).alias("_width_problem"),
            parse_problem.alias("_parse_problem"),
            pl.col(PARSE_COLUMN).replace_strict(field_at, default=None, return_dtype=pl.String).alias("_parse_field"),
        ]
    )
    header_line = int(frame[LINE][header_index])
    return MappedRows(mapping, projected, grid.encoding, is_excel, header_line, blank_rows)
