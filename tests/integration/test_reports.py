"""Tests of the HTML reports: Vietnamese formatting, figures equal to the marts, escaping, and pages in a real browser.

The page checks are helper functions taking a warehouse path and an output directory, so they run on the small
hand-written fixture warehouse here and, once tests/conftest.py provides the session fixture `built_warehouse`
(a whole pipeline run), on that too: see the `report_warehouse` fixture.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import math
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from reports.format import (
    esc,
    fmt_date,
    fmt_datetime,
    fmt_int,
    fmt_number,
    fmt_pct,
    fmt_signed,
    join_names,
    period_grain,
    period_label,
    plotly_text,
    short_unit_name,
)
from reports.render import period_filename, render_reports, unit_filename

TESTS_DIR = Path(__file__).resolve().parents[1]
OUTPUT_DIR = TESTS_DIR / "output"  # git-ignored: screenshots for a person to look at


def _load(path: Path, name: str) -> ModuleType:
    """Loads a helper module by path (tests/ is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


fixture_builder = _load(TESTS_DIR / "fixtures" / "reports" / "build_fixture_warehouse.py", "edukpi_reports_fixture_builder")
browser_setup = _load(TESTS_DIR / "browser_setup.py", "edukpi_browser_setup")


# ---- fixtures ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_builder.build_fixture_warehouse(tmp_path_factory.mktemp("reports-fixture") / "warehouse.duckdb")


@dataclass(frozen=True)
class Rendered:
    db: Path
    out_dir: Path
    written: list[Path]  # the HTML pages
    every_page_in_browser: bool  # False: a sample of the unit pages (a full registry has ~70, each loads plotly.js)
    files: tuple[Path, ...] = ()  # everything written: the pages, the Excel workbooks, the folder's plotly.js


def rendered_from(db: Path, out_dir: Path, every_page_in_browser: bool) -> Rendered:
    files = render_reports(db, out_dir)
    return Rendered(db, out_dir, [p for p in files if p.suffix == ".html"], every_page_in_browser, tuple(files))


@pytest.fixture(scope="session")
def fixture_rendered(fixture_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    out_dir = tmp_path_factory.mktemp("reports-fixture-out")
    return rendered_from(fixture_warehouse, out_dir, every_page_in_browser=True)


@pytest.fixture(scope="session", params=["fixture", "pipeline"])
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """Reports of the hand-written fixture warehouse, and of the pipeline-built one (`built_warehouse` in conftest.py)."""
    if request.param == "fixture":
        return request.getfixturevalue("fixture_rendered")
    try:
        db = Path(request.getfixturevalue("built_warehouse"))
    except pytest.FixtureLookupError:
        pytest.skip("no `built_warehouse` session fixture in tests/conftest.py")
    out_dir = tmp_path_factory.mktemp("reports-pipeline-out")
    return rendered_from(db, out_dir, every_page_in_browser=False)


# ---- a small DOM for reading the pages back --------------------------------------------------------------------
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "Node | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list["Node"]:
        found = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            if all(node.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                found.append(node)
        return found

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()

    def text(self) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in ("script", "style"):
                parts.append(child.text())
        return " ".join("".join(parts).split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID_TAGS:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(path: Path) -> Node:
    builder = _Builder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    return builder.root


def card_values(doc: Node) -> dict[str, str]:
    values = {}
    for card in doc.find_all("div"):
        if card.has_class("card") and card.attrs.get("data-metric"):
            value = next(n for n in card.iter() if n.tag == "div" and n.has_class("value"))
            values[card.attrs["data-metric"]] = value.text()
    return values


def table_rows(doc: Node, **attrs: str) -> list[dict[str, str]]:
    rows = []
    for tr in doc.find_all("tr", **{f"data_{k}": v for k, v in attrs.items()}):
        rows.append({td.attrs["data-col"]: td.text() for td in tr.find_all("td") if td.attrs.get("data-col")})
    return rows


# ---- helpers usable with any warehouse (fixture or pipeline-built) ---------------------------------------------
def marts_rows(db: Path, sql: str, params: list | None = None) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()


def expected_metric_text(metric: str, value) -> str:
    return fmt_pct(value) if metric.endswith("_pct") else fmt_number(value)


def check_headline_figures(db: Path, out_dir: Path) -> int:
    """Every headline card of every period page shows the kpi_headline value, formatted Vietnamese-style."""
    checked = 0
    for page in sorted(out_dir.glob("bao-cao-*.html")):
        code = page.stem.removeprefix("bao-cao-")
        grain = "quarter" if "Q" in code else "month"
        cards = card_values(parse_html(page))
        for row in marts_rows(db, "select metric, value from marts.kpi_headline where period_grain = ? and period = ?", [grain, code]):
            assert row["metric"] in cards, f"{page.name}: no card for {row['metric']}"
            assert cards[row["metric"]] == expected_metric_text(row["metric"], row["value"]), (page.name, row)
            checked += 1
    return checked


QUOTA_STATUS_TEXT = {(True, "complete"): "Đạt", (False, "complete"): "Chưa đạt"}


def check_quota_tables(db: Path, out_dir: Path) -> int:
    """Each quarter page's full quota table has one row per kpi_quota_fulfilment row with the mart's numbers."""
    checked = 0
    for page in sorted(out_dir.glob("bao-cao-*Q*.html")):
        quarter = page.stem.removeprefix("bao-cao-")
        doc = parse_html(page)
        for row in marts_rows(db, "select * from marts.kpi_quota_fulfilment where quarter = ?", [quarter]):
            cells = [r for r in table_rows(doc, unit=row["unit_code"], quarter=quarter) if "quota" in r]
            assert cells, f"{page.name}: no quota row for {row['unit_code']}"
            for shown in cells:
                assert shown["articles_submitted"] == fmt_int(row["articles_submitted"])
                assert shown["quota"] == fmt_int(row["quota"])
                assert shown["articles_published"] == fmt_int(row["articles_published"])
                if row["quarter_status"] == "complete":
                    assert shown["status"] == QUOTA_STATUS_TEXT[(bool(row["quota_met"]), "complete")]
                checked += 1
    return checked


PLOTLY_HEADER = re.compile(r"\* plotly\.js (?:\([^)]*\) )?v\d")


def check_self_contained(path: Path) -> None:
    """Nothing loaded from the network (a link the reader may click, <a href="https://…"> to an article, is not loaded);
    plotly.js once when the page has charts: either the report folder's one copy through a relative <script src> that
    exists, or inline (the single-file form)."""
    text = path.read_text(encoding="utf-8")
    doc = parse_html(path)
    for node in doc.iter():
        for name in ("src", "href"):
            if node.tag == "a" and name == "href":
                continue
            value = node.attrs.get(name) or ""
            assert not re.match(r"^(https?:)?//", value), f"{path.name}: <{node.tag} {name}={value!r}> needs the network"
    assert not doc.find_all("link"), f"{path.name}: <link> elements load external files"
    charts = [n for n in doc.find_all("div") if n.has_class("plotly-graph-div")]
    inline = len(PLOTLY_HEADER.findall(text))
    sources = [n.attrs["src"] for n in doc.find_all("script") if n.attrs.get("src")]
    for src in sources:
        library = (path.parent / src).resolve()
        assert library.is_file(), f"{path.name}: <script src={src!r}> points at nothing"
        assert PLOTLY_HEADER.search(library.read_text(encoding="utf-8")[:400]), f"{path.name}: {src} is not plotly.js"
    assert inline + len(sources) == (1 if charts else 0), f"{path.name}: plotly.js {inline} times inline, {len(sources)} by src"


def page_figures(path: Path) -> list[tuple[str, list, dict]]:
    """(div id, data, layout) of every Plotly.newPlot call in a page, as the browser receives them."""
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r"Plotly\.newPlot\(\s*", text):
        args, i = [], match.end()
        for _ in range(3):
            value, i = decoder.raw_decode(text, i)
            args.append(value)
            i = re.compile(r"\s*,\s*").match(text, i).end()
        found.append(tuple(args))
    return found


CHART_PROBE = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => ({
    id: el.id,
    traces: (el.data || []).length,
    points: (el.data || []).map(t => ['x', 'y', 'z'].reduce((n, k) => n + ((t[k] || []).length || 0), 0)),
    marks: el.querySelectorAll('.bars path, path.js-line, path.point, .heatmaplayer image').length,
    drawnText: Array.from(el.querySelectorAll('text')).map(t => t.textContent).join(' | '),
}))"""


def browser_sample(db: Path, out_dir: Path, written: list[Path], units_per_type: int = 1) -> list[Path]:
    """Index, every period report and a few scorecards of each unit type (for a warehouse with the full registry)."""
    by_type: dict[str, list[str]] = {}
    for row in marts_rows(db, "select unit_type, unit_code from marts.dim_unit order by unit_type, unit_code"):
        by_type.setdefault(row["unit_type"], []).append(row["unit_code"])
    wanted = {out_dir / "index.html"} | {p for p in written if p.name.startswith("bao-cao-")}
    wanted |= {out_dir / unit_filename(code) for codes in by_type.values() for code in codes[:units_per_type]}
    return [p for p in written if p in wanted]


def open_pages_in_browser(paths: list[Path], screenshot: Path | None = None, parallel: int = 2) -> dict[str, dict]:
    """Opens each page from file:// in headless Chromium; returns per page the problems and what the charts drew.

    Pages load `parallel` at a time: each one parses the inline plotly.js (seconds on a small machine).
    """
    from playwright.sync_api import sync_playwright

    if not browser_setup.CHROMIUM.exists():
        pytest.skip(f"{browser_setup.CHROMIUM} is missing: run `python -m tests.browser_setup`")
    results: dict[str, dict] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(browser_setup.CHROMIUM), args=browser_setup.LAUNCH_ARGS)
        try:
            for batch_start in range(0, len(paths), parallel):
                opened = []
                for path in paths[batch_start:batch_start + parallel]:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    problems: list[str] = []
                    dialogs: list[str] = []
                    page.on("console", lambda m, p=problems: p.append(f"console {m.type}: {m.text}")
                            if m.type in ("error", "warning") or m.text.startswith("WARN") else None)
                    page.on("pageerror", lambda e, p=problems: p.append(f"page error: {e}"))
                    page.on("requestfailed", lambda r, p=problems: p.append(f"request failed: {r.url} {r.failure}"))
                    page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
                    page.goto(path.resolve().as_uri(), wait_until="commit")
                    opened.append((path, page, problems, dialogs))
                for path, page, problems, dialogs in opened:
                    page.wait_for_load_state("load", timeout=120_000)
                    page.wait_for_timeout(100)
                    charts = page.evaluate(CHART_PROBE)
                    figures = page.evaluate("document.querySelectorAll('figure.chart').length")
                    if screenshot is not None and path.name == "index.html":
                        screenshot.parent.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(screenshot), full_page=True)
                    results[str(path)] = {"problems": problems, "dialogs": dialogs, "charts": charts, "figures": figures}
                    page.close()
        finally:
            browser.close()
    return results


def check_browser_results(results: dict[str, dict]) -> None:
    for path, result in results.items():
        name = Path(path).name
        assert not result["problems"], f"{name}: {result['problems']}"
        assert not result["dialogs"], f"{name}: a dialog fired: {result['dialogs']}"
        assert len(result["charts"]) == result["figures"], f"{name}: {result['figures']} figures, {len(result['charts'])} drawn"
        for chart in result["charts"]:
            assert chart["traces"] > 0, f"{name} {chart['id']}: no traces"
            assert all(points > 0 for points in chart["points"]), f"{name} {chart['id']}: a trace without points"
            assert chart["marks"] > 0, f"{name} {chart['id']}: nothing drawn in the SVG"


# ---- formatting --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    (1234.5, "1.234,5"), (1234, "1.234"), (1234567.891, "1.234.567,9"), (0, "0"), (0.5, "0,5"), (-1234.5, "-1.234,5"),
    (999, "999"), (1000, "1.000"), (None, "–"), (-0.04, "0"),
])
def test_fmt_number(value, expected):
    assert fmt_number(value) == expected


def test_fmt_number_fixed_decimals_and_counts():
    assert fmt_number(1234.5, 2) == "1.234,50"
    assert fmt_number(2.25, 0) == "2"
    assert fmt_int(1234567) == "1.234.567"
    from decimal import Decimal
    assert fmt_number(Decimal("87.50")) == "87,5"


@pytest.mark.parametrize("value, expected", [(87.5, "87,5 %"), (90, "90 %"), (90.0, "90 %"), (100, "100 %"), (0, "0 %"),
                                             (66.666, "66,7 %"), (None, "–")])
def test_fmt_pct(value, expected):
    assert fmt_pct(value) == expected


def test_fmt_signed():
    assert fmt_signed(12) == "+12"
    assert fmt_signed(-3.5) == "-3,5"
    assert fmt_signed(0) == "0"
    assert fmt_signed(1234.5, 1) == "+1.234,5"


def test_dates():
    assert fmt_date(dt.date(2024, 5, 4)) == "04/05/2024"
    assert fmt_date(dt.datetime(2024, 12, 31, 23, 59)) == "31/12/2024"
    assert fmt_date("2024-02-08") == "08/02/2024"
    assert fmt_datetime(dt.datetime(2024, 7, 1, 9, 5)) == "01/07/2024 09:05"
    assert fmt_date(None) == "–"


@pytest.mark.parametrize("period, label, grain", [
    ("2024Q1", "Quý I/2024", "quarter"), ("2024Q2", "Quý II/2024", "quarter"), ("2024Q3", "Quý III/2024", "quarter"),
    ("2024Q4", "Quý IV/2024", "quarter"), ("2024-05", "Tháng 5/2024", "month"), ("2024-12", "Tháng 12/2024", "month"),
    ("2024", "Năm 2024", "year"),
])
def test_period_labels(period, label, grain):
    assert period_label(period) == label
    assert period_grain(period) == grain


@pytest.mark.parametrize("bad", ["2024Q5", "2024-13", "Q2 2024", "24Q1", ""])
def test_period_errors_say_what_is_accepted(bad):
    with pytest.raises(ValueError, match="2024Q2"):
        period_grain(bad)


def test_short_unit_names_keep_diacritics():
    assert short_unit_name("Phòng Giáo dục và Đào tạo Quận 4") == "Quận 4"
    # a district keeps its kind, as the registry writes it (the director asked for "Huyện Bình Chánh", not "Bình Chánh")
    assert short_unit_name("Phòng Giáo dục và Đào tạo huyện Cần Giờ") == "Huyện Cần Giờ"
    assert short_unit_name("Phòng Giáo dục và Đào tạo huyện Bình Chánh") == "Huyện Bình Chánh"
    assert short_unit_name("Phòng Giáo dục và Đào tạo thành phố Thủ Đức") == "TP Thủ Đức"
    assert short_unit_name("Trường THPT chuyên Lê Hồng Phong") == "THPT chuyên Lê Hồng Phong"
    assert short_unit_name("Văn phòng Sở") == "Văn phòng Sở"
    assert join_names(["Quận 4", "Cần Giờ"]) == "Quận 4 và Cần Giờ"
    assert join_names(["A", "B", "C"]) == "A, B và C"


def test_escaping_for_html_and_plotly():
    assert esc('<script>alert("x")</script> & co') == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"
    assert plotly_text("<b>bold</b> & <br>") == "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;br&gt;"
    # truncation never cuts an entity in half
    assert plotly_text("<" * 10, max_chars=5) == "&lt;&lt;&lt;&lt;…"


# ---- rendering ---------------------------------------------------------------------------------------------------
def test_render_writes_index_periods_and_unit_pages(fixture_rendered, fixture_warehouse):
    out_dir, written = fixture_rendered.out_dir, fixture_rendered.written
    names = {p.relative_to(out_dir).as_posix() for p in written}
    assert written[0] == out_dir / "index.html"
    # every quarter in the data plus the latest month
    assert {"bao-cao-2024Q1.html", "bao-cao-2024Q2.html", "bao-cao-2024Q3.html", "bao-cao-2024-08.html"} <= names
    assert not any(n.startswith("bao-cao-2024-0") and n != "bao-cao-2024-08.html" for n in names)
    units = marts_rows(fixture_warehouse, "select unit_code from marts.dim_unit")
    assert {unit_filename(u["unit_code"]) for u in units} <= names
    index = parse_html(out_dir / "index.html")
    links = {a.attrs.get("href") for a in index.find_all("a")}
    assert {period_filename(c) for c in ("2024Q1", "2024Q2", "2024Q3", "2024-08")} <= links
    assert {unit_filename(u["unit_code"]) for u in units} <= links
    # period reports link to the scorecards; scorecards link back
    q2_links = {a.attrs.get("href") for a in parse_html(out_dir / "bao-cao-2024Q2.html").find_all("a")}
    assert "don-vi/PGD_CGIO.html" in q2_links and "index.html" in q2_links
    unit_links = {a.attrs.get("href") for a in parse_html(out_dir / "don-vi/PGD_CGIO.html").find_all("a")}
    assert "../index.html" in unit_links and "../bao-cao-2024Q2.html" in unit_links


def test_period_argument_selects(fixture_warehouse, tmp_path):
    written = render_reports(fixture_warehouse, tmp_path / "one", ["2024Q2"])
    assert sorted(p.name for p in written if p.name.startswith("bao-cao")) == ["bao-cao-2024Q2.html", "bao-cao-2024Q2.xlsx"]
    written = render_reports(fixture_warehouse, tmp_path / "month", ["2024-05"])
    assert sorted(p.name for p in written if p.name.startswith("bao-cao")) == ["bao-cao-2024-05.html", "bao-cao-2024-05.xlsx"]
    assert "Tháng 5/2024" in parse_html(tmp_path / "month" / "bao-cao-2024-05.html").find_all("h1")[0].text()
    written = render_reports(fixture_warehouse, tmp_path / "year", ["2024"])
    assert sorted(p.name for p in written if p.name.startswith("bao-cao") and p.suffix == ".html") == [
        "bao-cao-2024-08.html", "bao-cao-2024Q1.html", "bao-cao-2024Q2.html", "bao-cao-2024Q3.html"]
    with pytest.raises(ValueError, match="2023Q4.*available"):
        render_reports(fixture_warehouse, tmp_path / "bad", ["2023Q4"])


def test_warehouse_is_only_read(fixture_warehouse, tmp_path):
    before = hashlib.sha256(fixture_warehouse.read_bytes()).hexdigest()
    # a second read-only reader may hold the file at the same time (staff querying the published copy)
    other = duckdb.connect(str(fixture_warehouse), read_only=True)
    try:
        render_reports(fixture_warehouse, tmp_path / "out", ["2024Q2"])
    finally:
        other.close()
    assert hashlib.sha256(fixture_warehouse.read_bytes()).hexdigest() == before
    assert not fixture_warehouse.with_name(fixture_warehouse.name + ".wal").exists()


def test_missing_mart_column_is_named(tmp_path):
    db = fixture_builder.build_fixture_warehouse(tmp_path / "broken.duckdb")
    con = duckdb.connect(str(db))
    con.execute("alter table marts.kpi_headline rename column meets_target to target_met")
    con.close()
    with pytest.raises(RuntimeError, match=r"marts\.kpi_headline lacks column\(s\) meets_target"):
        render_reports(db, tmp_path / "out")


# ---- the numbers on the pages are the marts' -----------------------------------------------------------------------
def test_headline_figures_equal_marts(rendered):
    assert check_headline_figures(rendered.db, rendered.out_dir) > 0


def test_quota_tables_equal_marts(rendered):
    assert check_quota_tables(rendered.db, rendered.out_dir) > 0


def test_fixture_figures_by_hand(fixture_rendered):
    """Independent of the formatting code: the values written in the fixture, as a reader sees them."""
    out_dir = fixture_rendered.out_dir
    doc = parse_html(out_dir / "bao-cao-2024Q2.html")
    cards = card_values(doc)
    assert cards["feedback_within_sla_pct"] == "90,5 %"
    assert cards["units_meeting_quota_pct"] == "75 %"
    assert cards["district_offices_meeting_quota"] == "3"
    assert cards["portal_pageviews"] == "1.465.125"
    row = [r for r in table_rows(doc, unit="PGD_CGIO", quarter="2024Q2") if "quota" in r][0]
    assert (row["articles_submitted"], row["quota"], row["articles_published"], row["status"]) == ("2", "3", "1", "Chưa đạt")
    summary = doc.find_all("section", id="tom-tat")[0].text()
    assert "Trong Quý II/2024, 3/4 phòng GDĐT đạt chỉ tiêu 3 bài/quý; chưa đạt: Huyện Cần Giờ." in summary
    assert "90,5 % được trả lời đúng hạn (mục tiêu 90 %: đạt)" in summary
    assert "Tháng 6/2024 (mùa thi" in summary
    titles = {f.attrs["data-chart"]: f.find_all("h3")[0].text() for f in doc.find_all("figure")}
    assert titles["quota-district_office"] == "Phòng GDĐT chưa đạt chỉ tiêu Quý II/2024: Huyện Cần Giờ"
    assert titles["portal-monthly"].startswith("Lượt xem toàn cổng cao nhất vào Tháng 6/2024 (884.938 lượt)")
    running = parse_html(out_dir / "bao-cao-2024Q3.html").find_all("section", id="tom-tat")[0].text()
    assert "có nguy cơ chưa đạt: Quận 4 và Huyện Cần Giờ" in running
    assert "số liệu đến 20/08/2024" in running


def test_plotly_uses_vietnamese_separators(fixture_rendered):
    out_dir = fixture_rendered.out_dir
    page = out_dir / "bao-cao-2024Q2.html"
    charts = [n for n in parse_html(page).find_all("div") if n.has_class("plotly-graph-div")]
    assert page.read_text(encoding="utf-8").count('"separators":",."') == len(charts) > 0


# ---- safety --------------------------------------------------------------------------------------------------------
def test_page_title_with_script_is_escaped(fixture_rendered):
    out_dir = fixture_rendered.out_dir
    page = out_dir / "bao-cao-2024-08.html"
    text = page.read_text(encoding="utf-8")
    assert fixture_builder.XSS_PAGE_TITLE not in text
    assert "alert(1)" in text  # it is there, only escaped
    doc = parse_html(page)
    shown = [cell.text() for cell in doc.find_all("td", data_col="page_title")]
    assert any(fixture_builder.XSS_PAGE_TITLE in s for s in shown)
    # in the figure data the title travels entity-escaped, so Plotly draws it as text
    assert "&lt;script&gt;alert(1)&lt;" in text


def test_page_title_with_script_runs_nothing_in_browser(fixture_rendered):
    out_dir = fixture_rendered.out_dir
    page = out_dir / "bao-cao-2024-08.html"
    result = open_pages_in_browser([page])[str(page)]
    assert result["dialogs"] == []
    assert not result["problems"]
    # drawn as text; long axis labels wrap onto lines (so compare without spaces)
    top_pages = next(c for c in result["charts"] if c["id"] == "chart-top-pages")
    assert fixture_builder.XSS_PAGE_TITLE.replace(" ", "") in top_pages["drawnText"].replace(" ", "")
    heatmap = next(c for c in result["charts"] if c["id"] == "chart-quota-affiliated_unit")
    assert fixture_builder.XSS_UNIT_NAME.replace(" ", "") in heatmap["drawnText"].replace(" ", "")


def test_unit_name_with_markup_is_text_everywhere(fixture_rendered):
    for path in fixture_rendered.written:
        assert "<img src=x" not in path.read_text(encoding="utf-8"), path.name
    index = parse_html(fixture_rendered.out_dir / "index.html")
    assert fixture_builder.XSS_UNIT_NAME in [a.text() for a in index.find_all("a")]
    unit_page = parse_html(fixture_rendered.out_dir / unit_filename("GDTX_XSS"))
    assert unit_page.find_all("h1")[0].text() == fixture_builder.XSS_UNIT_NAME
    assert unit_page.find_all("title")[0].text().startswith(fixture_builder.XSS_UNIT_NAME)


# ---- self-contained, in a real browser ---------------------------------------------------------------------------
def test_pages_are_self_contained(rendered):
    for path in rendered.written:
        check_self_contained(path)


def test_figures_pass_plotly_validation(rendered):
    """The charts are written as plain dicts, without plotly.py's property validation (it made rendering slow): each
    figure must still be one plotly.py accepts and leaves unchanged, so a misspelt property or a bad value fails here
    instead of being silently ignored by plotly.js."""
    import plotly.graph_objects as go

    checked = 0
    for path in rendered.written:
        for div_id, data, layout in page_figures(path):
            try:
                fig = go.Figure(data=data, layout=layout)
            except ValueError as error:
                pytest.fail(f"{path.name} {div_id}: {error}")
            assert json.loads(fig.to_json()) == {"data": data, "layout": layout}, f"{path.name} {div_id}: plotly.py changes it"
            checked += 1
    assert checked > 0


def test_pages_open_in_chromium_with_charts_drawn(rendered):
    pages = rendered.written if rendered.every_page_in_browser else browser_sample(rendered.db, rendered.out_dir, rendered.written)
    screenshot = OUTPUT_DIR / ("reports-index.png" if rendered.every_page_in_browser else "reports-index-pipeline.png")
    results = open_pages_in_browser(pages, screenshot=screenshot)
    check_browser_results(results)
    assert screenshot.exists()
    assert any(r["charts"] for r in results.values())


def test_page_sizes_are_reported(rendered, capsys):
    out_dir, written = rendered.out_dir, rendered.written
    sizes = {p.relative_to(out_dir).as_posix(): p.stat().st_size for p in written}
    with capsys.disabled():
        largest = max(sizes.values())
        print(f"\n{len(sizes)} report pages, {sum(sizes.values()) / 1e6:.1f} MB in all, largest {largest / 1e6:.2f} MB")
    assert sizes["index.html"] < 200_000  # no plotly.js on the index
    assert largest < 8_000_000


def test_vendored_plotly_bundle_matches_the_plotly_package() -> None:
    """The pages embed the cartesian bundle; it must be the plotly.js version the Python figures are written for."""
    import re

    from plotly.offline import get_plotlyjs

    from reports.pages import PLOTLY_BUNDLE

    version = re.compile(r"plotly\.js(?: \([a-z -]+\))? v(\d+\.\d+\.\d+)")
    assert version.search(PLOTLY_BUNDLE.read_text(encoding="utf-8")[:400]).group(1) == version.search(get_plotlyjs()[:400]).group(1)


# ---- texts follow the reference data -----------------------------------------------------------------------------
def _dbt(args: list[str], build_db: Path, work: Path) -> None:
    import os
    import subprocess

    from edukpi.settings import DBT_PROJECT_DIR

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("EDUKPI_", "DBT_"))},
        "EDUKPI_BUILD_DB": str(build_db),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), *args, "--project-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        env=env, cwd=work, capture_output=True, text=True,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]


def test_quota_text_follows_the_reference_quota(tmp_path: Path) -> None:
    """A tiny dbt build: the quota sentence states the quotas of reference.unit_type_quota; raising them (and
    rebuilding the models) changes the text, with no report code naming a quota."""
    from ingestion.contracts import raw_schema_ddl
    from reports.marts import Marts, Period
    from reports.render import Context, quota_summary

    build_db = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(build_db)) as con:
        for statement in raw_schema_ddl():
            con.execute(statement)
    _dbt(["seed"], build_db, tmp_path)
    with duckdb.connect(str(build_db)) as con:
        quota_by_type = dict(con.execute("select unit_type, quota_articles_per_quarter from reference.unit_type_quota").fetchall())
        # one unit of each type with a quota that existed through 2024Q1
        in_2024q1 = ("select unit_code, unit_name from reference.unit_registry where unit_type = ? and valid_from <= '2024-01-01' "
                     "and (valid_to is null or valid_to >= '2024-03-31') order by unit_code limit 1")
        district = con.execute(in_2024q1, ["district_office"]).fetchone()
        school = con.execute(in_2024q1, ["affiliated_unit"]).fetchone()
        con.executemany(
            "insert into raw.article_submissions (submission_id, unit_code, unit_as_sent, submitted_at, status, "
            "source_file, source_line, loaded_at) values (?, ?, ?, ?, 'received', 'submissions/2024Q1.csv', ?, now())",
            [("T1", *district, dt.datetime(2024, 2, 1, 9), 2), ("T2", *school, dt.datetime(2024, 5, 10, 9), 3)],
        )
    _dbt(["run"], build_db, tmp_path)
    quarter = Period(code="2024Q1", grain="quarter", start=dt.date(2024, 1, 1), end=dt.date(2024, 3, 31),
                     quarter="2024Q1", months=("2024-01", "2024-02", "2024-03"))

    def quota_sentences() -> str:
        with Marts(build_db) as marts:
            ctx = Context(marts=marts, out_dir=tmp_path, generated_at=dt.datetime.now(), as_of="", as_of_date=None,
                          units=[], unit_by_code={}, period_files={}, source_name=build_db.name)
            return " ".join(quota_summary(ctx, quarter, {}, marts.quota_rows()))

    before = quota_sentences()
    assert f"chỉ tiêu của phòng GDĐT là {quota_by_type['district_office']} bài/quý" in before, before
    assert f"(chỉ tiêu {quota_by_type['affiliated_unit']} bài/quý)" in before, before

    with duckdb.connect(str(build_db)) as con:
        con.execute("update reference.unit_type_quota set quota_articles_per_quarter = quota_articles_per_quarter + 4 "
                    "where quota_articles_per_quarter > 0")
    _dbt(["run", "--select", "+kpi_quota_fulfilment"], build_db, tmp_path)  # the quota mart again: the seeds keep the edited quotas
    after = quota_sentences()
    assert f"chỉ tiêu của phòng GDĐT là {quota_by_type['district_office'] + 4} bài/quý" in after, after
    assert f"(chỉ tiêu {quota_by_type['affiliated_unit'] + 4}" in after, after
    assert f"(chỉ tiêu {quota_by_type['affiliated_unit']} bài/quý)" not in after, after


def test_deadline_note_states_the_deadlines_applied() -> None:
    """The SLA note comes from the deadlines applied to the tickets (fct_feedback_tickets.sla_working_days)."""
    from reports.charts import deadline_note

    applied = [{"category": "Khiếu nại", "sla_working_days": 20, "tickets": 2},
               {"category": "Tuyển sinh", "sla_working_days": 12, "tickets": 9},
               {"category": "Thi cử", "sla_working_days": 12, "tickets": 4}]
    assert deadline_note(applied) == "Thời hạn: 12 ngày làm việc (khiếu nại: 20 ngày) theo danh mục SLA của Sở."
    assert deadline_note(applied[1:]) == "Thời hạn: 12 ngày làm việc theo danh mục SLA của Sở."


# ---- issue #14: what the director asked for ---------------------------------------------------------------------------
def _chromium():
    from playwright.sync_api import sync_playwright

    if not browser_setup.CHROMIUM.exists():
        pytest.skip(f"{browser_setup.CHROMIUM} is missing: run `python -m tests.browser_setup`")
    return sync_playwright()


def _page_kinds(rendered: Rendered, single_file: Path | None = None) -> dict[str, Path]:
    """One page of each kind: index, quarter report, month report, a district office's scorecard, a scorecard without
    charts when there is one, and the single-file report."""
    out = rendered.out_dir
    kinds = {"index": out / "index.html"}
    reports = sorted(p for p in rendered.written if p.name.startswith("bao-cao-"))
    kinds["quarter"] = next(p for p in reports if "Q" in p.name)
    kinds["month"] = next(p for p in reports if "Q" not in p.name)
    units = [p for p in rendered.written if p.parent.name == "don-vi"]
    kinds["unit"] = next((p for p in units if p.name.startswith("PGD_")), units[0])
    without_charts = [p for p in units if "plotly-graph-div" not in p.read_text(encoding="utf-8")]
    if without_charts:
        kinds["unit-without-charts"] = without_charts[0]
    if single_file is not None:
        kinds["single-file"] = single_file
    return kinds


WIDTH_PROBE = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    innerWidth: window.innerWidth,
    wide: Array.from(document.querySelectorAll('body *'))
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-scroll'))
        .slice(0, 5).map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right)),
    labelsCut: Array.from(document.querySelectorAll('.js-plotly-plot .ytick text, .js-plotly-plot .xtick text'))
        .filter(t => getComputedStyle(t).display !== 'none')
        .filter(t => t.getBoundingClientRect().left < t.closest('.js-plotly-plot').getBoundingClientRect().left - 1
                  || t.getBoundingClientRect().right > t.closest('.js-plotly-plot').getBoundingClientRect().right + 1)
        .map(t => t.closest('.js-plotly-plot').id + ': ' + t.textContent),
})"""


def test_every_page_kind_fits_a_390px_phone(rendered, tmp_path):
    """At 390 px the page never scrolls sideways (a table may scroll inside its own box), and heatmap/bar labels are
    not cut at the chart's left edge."""
    single = render_reports(rendered.db, tmp_path, [_page_kinds(rendered)["quarter"].stem.removeprefix("bao-cao-")],
                            single_file=True)[0]
    kinds = _page_kinds(rendered, single)
    results = {}
    with _chromium() as playwright:
        browser = playwright.chromium.launch(executable_path=str(browser_setup.CHROMIUM), args=browser_setup.LAUNCH_ARGS)
        try:
            for kind, path in kinds.items():
                page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True)
                page.goto(path.resolve().as_uri(), wait_until="load", timeout=120_000)
                page.wait_for_timeout(300)
                results[kind] = page.evaluate(WIDTH_PROBE)
                if kind in ("quarter", "index"):
                    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(OUTPUT_DIR / f"phone-390-{kind}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
    for kind, result in results.items():
        assert result["innerWidth"] == 390, (kind, result)
        assert result["scrollWidth"] <= result["innerWidth"], f"{kind} ({kinds[kind].name}) scrolls sideways: {result}"
        assert not result["labelsCut"], f"{kind}: axis labels cut at the chart's edge: {result['labelsCut']}"


def test_index_first_screen_names_the_offices_that_missed(rendered):
    """The index opens with the quarter pages' plain-language summary: the district offices behind quota by name, on the
    first screen (above the cards)."""
    db, out = rendered.db, rendered.out_dir
    latest = max(r["period"] for r in marts_rows(db, "select distinct period from marts.kpi_headline where period_grain = 'quarter'"))
    rows = marts_rows(db, "select * from marts.kpi_quota_fulfilment where quarter = ? and unit_type = 'district_office'", [latest])
    behind = sorted(short_unit_name(r["unit_name"]) for r in rows if r["is_behind_quota"])
    ahead = sorted(short_unit_name(r["unit_name"]) for r in rows if not r["is_behind_quota"])
    index = parse_html(out / "index.html")
    summary = index.find_all("section", id="moi-nhat")[0]
    first_list = summary.find_all("ul")[0].text()
    named = behind if len(behind) <= len(ahead) or not ahead else ahead  # the page names the shorter list
    assert named, "the warehouse has no district office quota rows to name"
    for name in named[:10]:
        assert name in first_list, f"{name} is not named in the index summary: {first_list}"
    assert "đúng hạn" in first_list  # share answered on time
    assert "lượt xem" in first_list  # portal reach
    with _chromium() as playwright:
        browser = playwright.chromium.launch(executable_path=str(browser_setup.CHROMIUM), args=browser_setup.LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto((out / "index.html").resolve().as_uri(), wait_until="load")
            box = page.evaluate("""() => { const li = document.querySelector('#moi-nhat ul li');
                                           const cards = document.querySelector('#moi-nhat .cards');
                                           return {li: li.getBoundingClientRect().bottom, cards: cards ? cards.getBoundingClientRect().top : 1e9}; }""")
        finally:
            browser.close()
    assert box["li"] < 800, f"the summary's first sentence is below the first screen: {box}"
    assert box["li"] < box["cards"], "the summary must come before the cards"


# A4 landscape less the 12 mm margins of the page's @page rule, in CSS pixels (96 per inch)
PRINTED_PAGE_HEIGHT_PX = (210 - 2 * 12) / 25.4 * 96


def _print_layout(path: Path) -> tuple[int, float]:
    """(pages of Chromium's PDF of the page, the page's height laid out for print in A4 pages)."""
    with _chromium() as playwright:
        browser = playwright.chromium.launch(executable_path=str(browser_setup.CHROMIUM), args=browser_setup.LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(path.resolve().as_uri(), wait_until="load", timeout=120_000)
            page.wait_for_timeout(300)
            assert page.is_visible("button.print"), f"{path.name}: no visible print button"
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
            page.emulate_media(media="print")
            height = page.evaluate("document.documentElement.scrollHeight")
        finally:
            browser.close()
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf)), height / PRINTED_PAGE_HEIGHT_PX


def test_quarter_report_prints_without_near_empty_pages(rendered):
    """A visible print button; printed, the quarter report takes at most one page more than its content fills: no
    forced breaks leaving near-empty pages (the sample's Q2/2024 took 20 pages, page 2 holding three cards)."""
    path = next(p for p in rendered.written if p.name.startswith("bao-cao-") and "Q" in p.name)
    pages, content_pages = _print_layout(path)
    assert pages <= math.ceil(content_pages) + 1, f"{path.name}: {pages} printed pages for {content_pages:.1f} pages of content"


def test_article_counts_are_named_for_what_they_count(fixture_rendered):
    out = fixture_rendered.out_dir
    doc = parse_html(out / "bao-cao-2024Q2.html")
    card = [n for n in doc.find_all("div") if n.attrs.get("data-metric") == "articles_published"][0]
    assert "theo ngày đăng" in card.text()
    summary = doc.find_all("section", id="tom-tat")[0].text()
    assert "(tính theo ngày đăng)" in summary
    stages = [f for f in doc.find_all("figure") if f.attrs.get("data-chart") == "pipeline-stages"][0].text()
    assert "kể cả rút lại" in stages and "theo quý gửi" in stages.lower() and "theo ngày đăng" in stages
    unit = parse_html(out / unit_filename("PGD_CGIO"))
    headers = [th.text() for th in unit.find_all("th")]
    assert "Rút lại" in headers
    assert "Bài gửi (không tính rút lại)" in headers and "Bài gửi (kể cả rút lại)" in headers
    assert "Bài gửi trong quý (không tính bài rút lại)" in headers
    assert "Bài đã gửi" not in headers and "Đã gửi" not in headers


def test_unit_page_says_up_or_down_and_users_are_labelled(fixture_rendered):
    out = fixture_rendered.out_dir
    text = parse_html(out / unit_filename("SGD_VP")).find_all("section", id="tom-tat")[0].text()
    match = re.search(r"\((tăng|giảm|không đổi)[^)]*so với tháng trước\)", text)
    assert match, text
    assert not re.search(r"\(-?\d[\d.,]* % so với tháng trước\)", text)
    unit = parse_html(out / unit_filename("PGD_Q1"))
    headers = [th.text() for th in unit.find_all("th")]
    assert "Người dùng" not in headers
    assert "Người dùng (không trùng trong tháng)" in headers and "Lượt người dùng theo ngày" in headers


def test_page_titled_slash_shows_the_site_name(fixture_rendered):
    doc = parse_html(fixture_rendered.out_dir / "bao-cao-2024Q2.html")
    cells = [r["page_title"] for r in table_rows(doc, month="2024-06")]
    assert any(c.startswith("Trang chủ pgdquan1.hcm.edu.vn") for c in cells), cells
    assert not any(c.startswith("/") for c in cells), cells


def test_response_axis_is_capped_and_says_how_many_are_beyond():
    from reports.charts import RESPONSE_AXIS_MAX_DAYS, response_distribution

    tickets = ([{"working_days_to_response": d, "within_sla": d <= 10} for d in range(0, 12)]
               + [{"working_days_to_response": 155, "within_sla": False}, {"working_days_to_response": 64, "within_sla": False}])
    chart = response_distribution("x", tickets, None, "Quý II/2024", [])
    assert chart.fig["layout"]["xaxis"]["range"] == [-0.5, RESPONSE_AXIS_MAX_DAYS + 0.5]
    assert max(v for t in chart.fig["data"] for v in t["x"]) <= RESPONSE_AXIS_MAX_DAYS
    assert "2 phản ánh được trả lời sau hơn 30 ngày làm việc (lâu nhất 155 ngày)" in chart.note
    short = response_distribution("y", tickets[:12], None, "Quý II/2024", [])
    assert short.fig["layout"]["xaxis"]["range"] == [-0.5, 11.5] and "Trục ngang" not in short.note


def test_target_is_not_a_label_on_the_plot(fixture_rendered):
    for div_id, data, layout in page_figures(fixture_rendered.out_dir / "bao-cao-2024Q2.html"):
        if div_id == "chart-sla-trend":
            assert not layout.get("annotations")
            assert any(t.get("name", "").startswith("Mục tiêu") for t in data)
            break
    else:
        pytest.fail("no sla-trend chart")


def test_footer_speaks_to_leadership(fixture_rendered):
    for path in fixture_rendered.written:
        footer = parse_html(path).find_all("footer")[0].text()
        assert "marts" not in footer and ".duckdb" not in footer, f"{path.name}: {footer}"


def test_feedback_tables_show_right_unit_and_right_title(rendered):
    db, out = rendered.db, rendered.out_dir
    quarter = next(p for p in rendered.written if p.name.startswith("bao-cao-") and "Q" in p.name)
    code = quarter.stem.removeprefix("bao-cao-")
    expected = {r["unit_code"]: r for r in marts_rows(
        db, "select * from marts.kpi_feedback_response where period_grain = 'quarter' and period = ? and unit_code is not null", [code])}
    rows = [r for r in table_rows(parse_html(quarter), period=code) if "answered_by_authorised_title_pct" in r]
    assert rows and len(rows) == len(expected)
    doc_rows = [n for n in parse_html(quarter).find_all("tr") if n.attrs.get("data-period") == code and n.attrs.get("data-unit")]
    for node in doc_rows:
        cells = {td.attrs.get("data-col"): td.text() for td in node.find_all("td")}
        if "answered_by_authorised_title_pct" not in cells:
            continue
        row = expected[node.attrs["data-unit"]]
        assert cells["answered_by_authorised_title_pct"] == fmt_pct(row["answered_by_authorised_title_pct"])
        assert cells["answered_by_assigned_unit_pct"] == fmt_pct(row["answered_by_assigned_unit_pct"])


def test_report_folder_keeps_one_plotly_copy_and_stays_small(rendered):
    """One plotly.js in the folder, loaded by every chart page; the folder stays small (the sample's was 118 MB with
    the library inlined in 85 pages; the target is under 20 MB)."""
    out = rendered.out_dir
    files = [p for p in out.rglob("*") if p.is_file()]
    copies = [p for p in files if p.suffix in (".js", ".html") and PLOTLY_HEADER.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert [p.name for p in copies] == ["plotly-cartesian-3.7.0.min.js"], copies
    total = sum(p.stat().st_size for p in files)
    largest_page = max(p.stat().st_size for p in rendered.written)
    assert total < 20_000_000, f"report folder {total / 1e6:.1f} MB"
    assert largest_page < 1_000_000, f"a page of {largest_page / 1e6:.2f} MB: is plotly.js inlined again?"


def test_single_file_report_opens_alone_without_broken_links(rendered, tmp_path):
    out = tmp_path / "mail"
    quarter = next(p for p in rendered.written if p.name.startswith("bao-cao-") and "Q" in p.name).stem.removeprefix("bao-cao-")
    written = render_reports(rendered.db, out, [quarter], single_file=True)
    assert [p.name for p in written] == [f"bao-cao-{quarter}-mot-tep.html"]
    assert sorted(p.name for p in out.iterdir()) == [written[0].name]  # nothing else needed beside it
    path = written[0]
    check_self_contained(path)
    assert len(PLOTLY_HEADER.findall(path.read_text(encoding="utf-8"))) == 1
    doc = parse_html(path)
    hrefs = [a.attrs.get("href") for a in doc.find_all("a") if a.attrs.get("href")]
    # within the page, or absolute (an article on the portal): never a relative link to the folder the mail lacks
    assert all(h.startswith(("#", "https://", "http://")) for h in hrefs), f"links to pages the e-mailed file does not have: {hrefs}"
    assert "liên kết" in doc.text()  # the page says the links were dropped
    results = open_pages_in_browser([path])
    check_browser_results(results)
    assert results[str(path)]["charts"]


def test_single_file_needs_a_period(fixture_warehouse, tmp_path):
    with pytest.raises(ValueError, match="--period"):
        render_reports(fixture_warehouse, tmp_path, None, single_file=True)


def test_period_tables_as_excel(rendered):
    import openpyxl

    db, out = rendered.db, rendered.out_dir
    quarter = next(p for p in rendered.written if p.name.startswith("bao-cao-") and "Q" in p.name)
    code = quarter.stem.removeprefix("bao-cao-")
    book_path = out / f"bao-cao-{code}.xlsx"
    assert book_path.name in {a.attrs.get("href") for a in parse_html(quarter).find_all("a")}
    book = openpyxl.load_workbook(book_path, read_only=True)
    assert {"Chỉ tiêu bài viết", "Phản ánh kiến nghị", "Cổng thông tin theo tháng", "Bài gửi và bài đăng"} <= set(book.sheetnames)
    sheet = list(book["Chỉ tiêu bài viết"].iter_rows(values_only=True))
    header, body = sheet[0], sheet[1:]
    assert header[:4] == ("Mã đơn vị", "Đơn vị", "Quý", "Bài gửi trong quý (không tính bài rút lại)")
    expected = {r["unit_code"]: r["articles_submitted"] for r in marts_rows(
        db, "select unit_code, articles_submitted from marts.kpi_quota_fulfilment where quarter = ?", [code])}
    assert {row[0]: row[3] for row in body} == expected
    pipe = list(book["Bài gửi và bài đăng"].iter_rows(values_only=True))
    assert "Rút lại" in pipe[0] and "Đăng trong quý (theo ngày đăng)" in pipe[0]
