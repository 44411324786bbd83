"""Vietnamese display formatting for the reports: numbers 1.234,5, percentages "87,5 %", dates dd/mm/yyyy, periods, names.

Only presentation lives here (rounding for display, separators, labels, escaping); no KPI is computed.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

MISSING = "–"  # shown where a mart has NULL (e.g. a percentage whose denominator is 0)

QUARTER_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

_QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR_RE = re.compile(r"^\d{4}$")

UNIT_TYPE_LABELS = {
    "district_office": "Phòng GDĐT quận, huyện, TP Thủ Đức",
    "affiliated_unit": "Đơn vị trực thuộc Sở",
    "gdnn_gdtx_centre": "Trung tâm GDNN-GDTX",
    "department_division": "Phòng, ban thuộc Sở",
}
UNIT_TYPE_ORDER = ["district_office", "affiliated_unit", "gdnn_gdtx_centre", "department_division"]

# Labels for the status of a unit's article quota in a quarter.
QUOTA_STATUS_LABELS = {
    "met": "Đạt",
    "not_met": "Chưa đạt",
    "running_met": "Đã đạt",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ chưa đạt",
    "running_not_met": "Khó đạt",
    "none": "Không áp dụng",
}

CHANNEL_LABELS = {"portal": "Cổng thông tin", "press": "Báo chí", "ministry": "Bộ GDĐT"}
DEVICE_LABELS = {"desktop": "Máy tính", "mobile": "Điện thoại", "tablet": "Máy tính bảng"}


def _as_float(value: object) -> float:
    if isinstance(value, Decimal):
        return float(value)
    return float(value)  # type: ignore[arg-type]


def _group_thousands(digits: str) -> str:
    parts = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return ".".join(parts)


def fmt_number(value: object, decimals: int | None = None) -> str:
    """1234.5 -> '1.234,5'; 1234 -> '1.234'; None -> '–'.

    decimals=None keeps integers whole and shows other numbers with one decimal (trailing ',0' dropped).
    """
    if value is None:
        return MISSING
    number = _as_float(value)
    if number != number:  # NaN
        return MISSING
    if decimals is None:
        decimals = 0 if number == round(number) else 1
        text = f"{abs(number):.{decimals}f}"
        if decimals and text.endswith(".0"):
            text = text[:-2]
    else:
        text = f"{abs(number):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    sign = "-" if number < 0 and any(c not in "0." for c in text) else ""
    result = sign + _group_thousands(whole)
    if fraction:
        result += "," + fraction
    return result


def fmt_int(value: object) -> str:
    """A count: 12345 -> '12.345'."""
    return fmt_number(value, 0)


def fmt_pct(value: object, decimals: int = 1) -> str:
    """A percentage already in 0–100: 87.5 -> '87,5 %'; 90 -> '90 %'."""
    if value is None:
        return MISSING
    text = fmt_number(value, decimals)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return f"{text} %"


def fmt_signed(value: object, decimals: int | None = None) -> str:
    """A change with its sign: 12 -> '+12', -3.5 -> '-3,5', 0 -> '0'."""
    if value is None:
        return MISSING
    text = fmt_number(value, decimals)
    if _as_float(value) > 0 and text not in ("0", "0,0"):
        return "+" + text
    return text


def fmt_date(value: dt.date | dt.datetime | str | None) -> str:
    """dd/mm/yyyy."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: dt.datetime | None) -> str:
    """dd/mm/yyyy HH:MM."""
    if value is None:
        return MISSING
    return value.strftime("%d/%m/%Y %H:%M")


def period_grain(period: str) -> str:
    """'2024Q2' -> 'quarter', '2024-05' -> 'month', '2024' -> 'year'; anything else is an error."""
    if _QUARTER_RE.match(period):
        return "quarter"
    if _MONTH_RE.match(period):
        return "month"
    if _YEAR_RE.match(period):
        return "year"
    raise ValueError(
        f"period {period!r} is not understood; use a quarter like '2024Q2', a month like '2024-05' or a year like '2024'"
    )


def period_label(period: str) -> str:
    """'2024Q2' -> 'Quý II/2024', '2024-05' -> 'Tháng 5/2024', '2024' -> 'Năm 2024'."""
    match = _QUARTER_RE.match(period)
    if match:
        return f"Quý {QUARTER_ROMAN[int(match.group(2))]}/{match.group(1)}"
    match = _MONTH_RE.match(period)
    if match:
        return f"Tháng {int(match.group(2))}/{match.group(1)}"
    if _YEAR_RE.match(period):
        return f"Năm {period}"
    raise ValueError(f"period {period!r} is not understood; use '2024Q2', '2024-05' or '2024'")


def month_short_label(month: str) -> str:
    """'2024-05' -> 'T5/2024' (axis ticks)."""
    match = _MONTH_RE.match(month)
    if not match:
        raise ValueError(f"month {month!r} is not understood; use 'yyyy-mm'")
    return f"T{int(match.group(2))}/{match.group(1)}"


def quarter_short_label(quarter: str) -> str:
    """'2024Q2' -> 'Q2/2024' (axis ticks)."""
    match = _QUARTER_RE.match(quarter)
    if not match:
        raise ValueError(f"quarter {quarter!r} is not understood; use 'yyyyQn'")
    return f"Q{match.group(2)}/{match.group(1)}"


def month_number(month: str) -> int:
    """'2024-06' -> 6 (used to recognise the exam season)."""
    match = _MONTH_RE.match(month)
    if not match:
        raise ValueError(f"month {month!r} is not understood; use 'yyyy-mm'")
    return int(match.group(2))


_SHORT_NAME_PREFIXES = [
    ("Phòng Giáo dục và Đào tạo thành phố ", "TP "),
    ("Phòng Giáo dục và Đào tạo quận ", "Quận "),
    ("Phòng Giáo dục và Đào tạo Quận ", "Quận "),
    # Every district keeps its kind, as the registry names it: 'Quận 4', 'Huyện Bình Chánh', 'TP Thủ Đức'.
    ("Phòng Giáo dục và Đào tạo huyện ", "Huyện "),
    ("Phòng Giáo dục và Đào tạo Huyện ", "Huyện "),
    ("Phòng Giáo dục và Đào tạo ", ""),
    ("Trường ", ""),
]


def short_unit_name(name: str | None) -> str:
    """The name leaders use in a list: 'Phòng Giáo dục và Đào tạo huyện Cần Giờ' -> 'Huyện Cần Giờ',
    'Phòng Giáo dục và Đào tạo Quận 4' -> 'Quận 4', 'Trường THPT chuyên Lê Hồng Phong' -> 'THPT chuyên Lê Hồng Phong'."""
    if not name:
        return MISSING
    for prefix, replacement in _SHORT_NAME_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return replacement + name[len(prefix):]
    return name


def natural_key(text: str) -> tuple:
    """Sort key that puts 'Quận 2' before 'Quận 10'."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text))


def esc(value: object) -> str:
    """HTML-escape any text that comes from data (also quotes, for attributes)."""
    if value is None:
        return MISSING
    return html.escape(str(value), quote=True)


def plotly_text(value: object, max_chars: int | None = None) -> str:
    """A data string made safe for Plotly labels and hover text.

    Plotly renders a subset of HTML in labels; escaping '<', '>' and '&' makes it show them as characters. Truncation
    happens before escaping so that an entity is never cut in half.
    """
    if value is None:
        return MISSING
    text = str(value)
    if max_chars is not None and len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return html.escape(text, quote=False)


def join_names(names: list[str], limit: int = 6) -> str:
    """'A, B và C'; more than `limit` names end with 'và các đơn vị khác'."""
    if not names:
        return ""
    if len(names) > limit:
        return ", ".join(names[:limit]) + " và các đơn vị khác"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " và " + names[-1]


def safe_filename(code: str) -> str:
    """A unit code as a file name (codes are ASCII in the registry; anything else is replaced)."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "_", code)
    return cleaned or "_"
