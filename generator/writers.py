"""Writing files the way the real exports are written, byte for byte the same for the same data."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl

from edukpi import settings


def write_csv(frame: pl.DataFrame, path: Path, bom: bool) -> None:
    # Empty text is written as an empty field (a,,b), as exports do, not as a quoted "".
    frame = frame.with_columns(pl.col(pl.Utf8).replace("", None))
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_bom=bom, line_terminator="\n", quote_style="necessary", null_value="")
    path.write_bytes(buffer.getvalue())


def check_target(out_dir: Path) -> None:
    """Refuse to mix sample data into a folder of real exports: the marker would allow the development HMAC key."""
    if not out_dir.exists():
        return
    present = [p.name for p in out_dir.iterdir() if p.name != ".gitkeep"]
    if present and not (out_dir / settings.SAMPLE_MARKER).exists():
        raise FileExistsError(
            f"{out_dir} already holds {len(present)} entries ({', '.join(sorted(present)[:5])}) and no "
            f"{settings.SAMPLE_MARKER}: it looks like real data. Generate into an empty folder or remove those files first."
        )


def write_xlsx(rows: pl.DataFrame, path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    # Fixed document properties: the same seed gives the same bytes.
    workbook.set_properties({"title": "Danh sách bài viết gửi Văn phòng Sở", "author": "Văn phòng Sở",
                             "created": dt.datetime(2025, 7, 1, 8, 0, 0)})
    sheet = workbook.add_worksheet("Danh sách")
    bold = workbook.add_format({"bold": True})
    for column, name in enumerate(rows.columns):
        sheet.write_string(0, column, name, bold)
    for r, values in enumerate(rows.iter_rows(), start=1):
        for column, value in enumerate(values):
            if value not in (None, ""):
                sheet.write_string(r, column, str(value))
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 42)
    sheet.set_column(2, 2, 17)
    sheet.set_column(3, 3, 80)
    workbook.close()
