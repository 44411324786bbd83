"""Sample saved school websites for the public-disclosure checker ("3 công khai"), seeded and deterministic.

Schools directly under the department have their registered site; a few schools of district offices have a site under
their office's domain. Each site has a home page and a disclosure page per school year listing the documents with the
date they were posted. Some documents are missing, some posted after the deadline, some linked but never saved
(a broken link), one page is cut short and one date is impossible (both quarantined). Own random stream: the other
sources' files keep their bytes.
"""
from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

import numpy as np
import polars as pl

from generator.presets import Preset

_STREAM = 105
SCHOOL_YEARS = (2023, 2024)  # first calendar year of the school years shown (deadline 30 June of the next year)
# (section word used in links, document title, file name stem, saved as a page rather than a PDF)
DOCUMENTS = (
    ("Thông tin chung về cơ sở giáo dục", "thong-tin-chung", True),
    ("Công khai tài chính", "tai-chinh", False),
    ("Đội ngũ nhà giáo, cán bộ quản lý và nhân viên", "doi-ngu", False),
    ("Cơ sở vật chất", "co-so-vat-chat", False),
    ("Kiểm định chất lượng giáo dục", "kiem-dinh", False),
    ("Kế hoạch giáo dục của nhà trường", "ke-hoach-giao-duc", False),
    ("Kết quả giáo dục", "ket-qua-giao-duc", False),
    ("Báo cáo thường niên", "bao-cao-thuong-nien", False),
)
DISTRICT_SCHOOLS = (("PGD_Q1", "thcsnguyendu", "Trường THCS Nguyễn Du"), ("PGD_Q1", "thminhduc", "Trường Tiểu học Minh Đức"),
                    ("PGD_Q3", "thcsledinhchinh", "Trường THCS Lê Đình Chinh"), ("PGD_BTHANH", "mnhoahong", "Trường Mầm non Hoa Hồng"))
MISSING_SHARE, LATE_SHARE, BROKEN_SHARE = 0.08, 0.1, 0.05
PDF_STUB = b"%PDF-1.4\n% sample document\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _sites(registry: pl.DataFrame, config: Preset) -> list[tuple[str, str]]:
    """(host, school name) of every sample site: registered schools with a site, then schools under district offices."""
    schools = registry.filter(pl.col("unit_code").str.starts_with("THPT_") & pl.col("site_host").is_not_null())
    limit = 6 if config.name == "tiny" else schools.height
    sites = [(row["site_host"], row["unit_name"]) for row in schools.head(limit).iter_rows(named=True)]
    hosts = dict(zip(registry["unit_code"], registry["site_host"]))
    sites += [(f"{prefix}.{hosts[office]}", name) for office, prefix, name in DISTRICT_SCHOOLS if hosts.get(office)]
    return sites


def _page(title: str, body: str, posted_iso: str | None = None) -> str:
    meta = f'<meta name="date" content="{posted_iso}">\n' if posted_iso else ""
    return ("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n" + meta
            + f"<title>{escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _document_items(rng: np.random.Generator, start_year: int) -> list[tuple[str, str, str, bool]]:
    """(title, href, posted date dd/mm/yyyy, saved) of the documents listed for one school year; missing ones left out."""
    items = []
    for title, stem, is_page in DOCUMENTS:
        u = rng.random(3)
        if u[0] < MISSING_SHARE:
            continue
        deadline = dt.date(start_year + 1, 6, 30)
        posted = deadline + dt.timedelta(days=int(rng.integers(3, 40))) if u[1] < LATE_SHARE else \
            deadline - dt.timedelta(days=int(rng.integers(0, 60)))
        label = f"{start_year}-{start_year + 1}"
        href = f"{stem}-{label}.html" if is_page else f"../files/{stem}-{label}.pdf"
        items.append((f"{title} năm học {label}", href, posted.strftime("%d/%m/%Y"), is_page or u[2] >= BROKEN_SHARE))
    return items


def _write_site(site_dir: Path, name: str, rng: np.random.Generator) -> list[Path]:
    written = []
    (site_dir / "cong-khai").mkdir(parents=True, exist_ok=True)
    (site_dir / "files").mkdir(parents=True, exist_ok=True)
    links = "".join(f'<li><a href="cong-khai/nam-hoc-{y}-{y + 1}.html">Ba công khai năm học {y}-{y + 1}</a></li>\n'
                    for y in SCHOOL_YEARS)
    home = _page(name, f"<h1>{escape(name)}</h1>\n<ul>\n<li><a href=\"tin-tuc.html\">Tin tức</a></li>\n{links}</ul>")
    written.append(site_dir / "index.html")
    written[-1].write_text(home, encoding="utf-8")
    for start_year in SCHOOL_YEARS:
        label = f"{start_year}-{start_year + 1}"
        rows = []
        for title, href, posted, saved in _document_items(rng, start_year):
            rows.append(f'<li><a href="{escape(href)}">{escape(title)}</a> (đăng ngày {posted})</li>')
            if saved and href.endswith(".pdf"):
                written.append(site_dir / "files" / href.rsplit("/", 1)[-1])
                written[-1].write_bytes(PDF_STUB)
            elif saved:
                written.append(site_dir / "cong-khai" / href)
                iso = dt.datetime.strptime(posted, "%d/%m/%Y").date().isoformat()
                written[-1].write_text(_page(title, f"<h1>{escape(title)}</h1>\n<p>Cập nhật ngày {posted}.</p>", iso),
                                       encoding="utf-8")
        written.append(site_dir / "cong-khai" / f"nam-hoc-{label}.html")
        body = f"<h1>Công khai năm học {label}</h1>\n<ul>\n" + "\n".join(rows) + "\n</ul>"
        written[-1].write_text(_page(f"Công khai {label} - {name}", body), encoding="utf-8")
    return written


def write_disclosure(out_dir: Path, config: Preset, seed: int, registry: pl.DataFrame, files: dict[str, list[str]],
                     rows: dict[str, int]) -> dict:
    """Saved sites under disclosure/<host>/; returns the sites, the cut-short page and the page with an impossible date."""
    rng = np.random.default_rng([seed, _STREAM])
    root = out_dir / "disclosure"
    files.setdefault("disclosure", [])
    sites = _sites(registry, config)
    for host, name in sites:
        for path in _write_site(root / host, name, rng):
            files["disclosure"].append(path.relative_to(out_dir).as_posix())
    # A page saved while the connection dropped (no closing tags), and a news page with a date that does not exist.
    cut_short = root / sites[0][0] / "tin-tuc.html"
    cut_short.write_text(_page("Tin tức", "<h1>Tin tức</h1>\n<p>Đang cập nhật")[:90], encoding="utf-8")
    impossible = root / sites[1][0] / "tin-tuc.html"
    impossible.write_text(_page("Tin tức", '<h1>Tin tức</h1>\n<ul>\n<li><a href="cong-khai/">Báo cáo thường niên</a> '
                                "(đăng ngày 31/06/2024)</li>\n</ul>"), encoding="utf-8")
    files["disclosure"] += [cut_short.relative_to(out_dir).as_posix(), impossible.relative_to(out_dir).as_posix()]
    rows["disclosure_pages"] = sum(1 for f in files["disclosure"] if f.endswith(".html"))
    return {"disclosure_sites": [host for host, _ in sites],
            "disclosure_cut_short_page": cut_short.relative_to(out_dir).as_posix(),
            "disclosure_impossible_date_page": impossible.relative_to(out_dir).as_posix()}
