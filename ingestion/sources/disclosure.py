"""Saved copies of school websites (public disclosure, "3 công khai") -> raw.disclosure_items: every page and link, with the
school year and date written beside it and whether a linked file was saved; no network, only the files on disk."""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import polars as pl

from ingestion.contracts import DISCLOSURE_ITEMS
from ingestion.mappings import Mapping
from ingestion.readers import LINE, MappedRows
from ingestion.tabular import RunContext, TabularSource
from ingestion.validation import Problem

FIELDS = [f.name for f in DISCLOSURE_ITEMS.fields]
# Elements whose text is "beside" a link: the date or school year of a document is written in the same list item,
# paragraph or table row as its link.
BLOCKS = {"li", "p", "tr", "td", "div", "section", "article", "h1", "h2", "h3", "h4", "dd", "dt"}
SCHOOL_YEAR = re.compile(r"\b(20\d{2})\s*[-–—/]\s*(20\d{2})\b")
DAY_FIRST = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
ACCEPTED = "UTF-8 HTML (or a <meta charset> naming its encoding) saved whole, ending in </html>"


@dataclass
class _Link:
    href: str
    line: int
    text: list[str] = field(default_factory=list)
    context: str = ""


class _PageParser(HTMLParser):
    """Collects the page's title, dates it declares, and each link with its own text and the text of its block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.heading: list[str] = []
        self.page_date: str | None = None
        self.links: list[_Link] = []
        self._open: list[str] = []
        self._blocks: list[tuple[list[str], list[_Link]]] = []
        self._anchor: _Link | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "a" and values.get("href", "").strip():
            self._anchor = _Link(values["href"].strip(), self.getpos()[0], [values.get("title", "")])
        elif tag in BLOCKS:
            self._blocks.append(([], []))
        elif tag == "time" and values.get("datetime") and not self.page_date:
            self.page_date = values["datetime"][:10]
        elif tag == "meta" and values.get("name", "").lower() in ("date", "dc.date", "article:published_time"):
            self.page_date = self.page_date or values.get("content", "")[:10] or None
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            self.links.append(self._anchor)
            if self._blocks:
                self._blocks[-1][1].append(self._anchor)
            self._anchor = None
        elif tag in BLOCKS and self._blocks:
            words, links = self._blocks.pop()
            text = " ".join(" ".join(words).split())
            for link in links:
                link.context = link.context or text
            if self._blocks:
                self._blocks[-1][0].extend(words)
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        current = self._open[-1] if self._open else ""
        if current == "title":
            self.title.append(data)
        elif current == "h1":
            self.heading.append(data)
        if self._anchor is not None:
            self._anchor.text.append(data)
        if self._blocks:
            self._blocks[-1][0].append(data)


def _decode(data: bytes) -> tuple[str | None, str | None]:
    """(text, None) or (None, why the page cannot be read)."""
    if not data.strip():
        return None, "the saved page is empty"
    if b"\x00" in data[:4096]:
        return None, "the saved page is not text (it holds NUL bytes: UTF-16 or a binary file saved under .html)"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        declared = CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii")), None
            except (LookupError, UnicodeDecodeError):
                pass
        return None, (f"the saved page is not UTF-8 (byte {error.start}) and declares no charset it can be read in")


def _dates_in(text: str) -> tuple[str | None, str | None]:
    """(school year 'yyyy-yyyy', first date as 'dd/mm/yyyy' or 'yyyy-mm-dd') written in the text, each or None."""
    year = SCHOOL_YEAR.search(text)
    day = DAY_FIRST.search(text)
    iso = ISO_DAY.search(text)
    shown = f"{int(day.group(1)):02d}/{int(day.group(2)):02d}/{day.group(3)}" if day else (iso.group(0) if iso else None)
    return (f"{year.group(1)}-{year.group(2)}" if year else None), shown


def _linked_file(site_dir: Path, page: Path, host: str, href: str) -> tuple[str | None, str | None]:
    """(file inside the saved site relative to data/raw, 'true'/'false' whether it was saved), or (None, None) for a link
    elsewhere (another host, mailto:, a fragment)."""
    parts = urlsplit(href)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None, None
    if parts.netloc and parts.netloc.lower().removeprefix("www.") != host.lower().removeprefix("www."):
        return None, None
    path = unquote(parts.path)
    if not path:
        return None, None
    target = Path(os.path.normpath((site_dir / path.lstrip("/")) if path.startswith("/") else (page.parent / path)))
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    relative = Path(os.path.relpath(target, site_dir.parent.parent))
    if relative.parts[:2] != ("disclosure", site_dir.name):
        return None, None  # a path climbing out of the saved site
    return relative.as_posix(), "true" if target.is_file() else "false"


def _rows(path: Path, file_label: str) -> list[dict]:
    host = file_label.split("/")[1]
    site_dir = path.parents[len(file_label.split("/")) - 3]
    page_file = path.relative_to(site_dir).as_posix()
    base = {"site_host": host, "page_file": page_file, "_parse_problem": None}
    text, problem = _decode(path.read_bytes())
    if problem is None and not re.search(r"</html\s*>", text[-4096:], re.IGNORECASE):
        problem = "the saved page is cut short (it does not end with </html>): save the page again"
    if problem is not None:
        return [{**base, LINE: 1, "_parse_problem": f"{problem}. Accepted: {ACCEPTED}"}]
    parser = _PageParser()
    parser.feed(unicodedata.normalize("NFC", text))
    parser.close()
    title = " ".join(" ".join(parser.heading or parser.title).split())
    page_year, _ = _dates_in(title)
    rows = [{**base, LINE: 1, "item_kind": "page", "item_text": title or None, "href": page_file,
             "school_year_label": page_year, "published_on": parser.page_date}]
    for link in parser.links:
        own = " ".join(" ".join(link.text).split())
        beside = link.context if own in link.context else " ".join(f"{own} {link.context}".split())
        year, day = _dates_in(beside)
        linked, present = _linked_file(site_dir, path, host, link.href)
        rows.append({**base, LINE: link.line, "item_kind": "link", "item_text": beside or None, "href": link.href,
                     "linked_file": linked, "linked_file_present": present, "school_year_label": year,
                     "published_on": day})
    return rows


def read_saved_page(path: Path, file_label: str, mappings: tuple[Mapping, ...]) -> MappedRows:
    """A saved page as rows under contract field names: its own row and one per link. A page that cannot be read (empty,
    not text, undeclared encoding, cut short) is one row carrying the reason, which quarantines it."""
    rows = _rows(path, file_label)
    frame = pl.DataFrame(
        [{name: row.get(name) for name in [*FIELDS, LINE, "_parse_problem"]} for row in rows],
        schema={**{name: pl.String for name in FIELDS}, LINE: pl.Int64, "_parse_problem": pl.String},
    ).with_columns(pl.lit(None, pl.String).alias("_width_problem"), pl.lit(None, pl.String).alias("_parse_field"))
    return MappedRows(mappings[0], frame, "utf-8", False, 0, 0)


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    return frame, []


SOURCE = TabularSource(
    contract=DISCLOSURE_ITEMS,
    patterns=("disclosure/*/**/*.html", "disclosure/*/**/*.htm"),
    rules=rules,
    table_select="""
        site_host, page_file, item_kind, item_text, href, linked_file, cast(linked_file_present as boolean),
        school_year_label, published_on
    """,
    reader=read_saved_page,
)
