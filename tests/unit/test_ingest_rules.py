"""The small rules ingestion relies on: unit name folding, contact masking, hashing normalisation, line numbers, deliveries."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingestion.daily import DayFile
from ingestion.loading import _refuse_double_deliveries
from ingestion.mappings import load_mappings
from ingestion.pseudonymise import (
    hmac_hex,
    install_hmac,
    mask_contacts,
    mask_contacts_sql,
    normalise_name,
    normalise_name_py,
    normalise_phone,
    normalise_phone_py,
)
from ingestion.readers import read_mapped
from ingestion.units import fold_expr, fold_text, load_registry, lookup_table, match_units


def test_folding_is_the_same_in_python_and_polars() -> None:
    names = load_registry()["unit_name"].to_list() + ["  Phòng  GIÁO DỤC và đào tạo Quận 1 ", "Đỗ Đức Dũng"]
    folded = pl.DataFrame({"name": names}).select(fold_expr(pl.col("name")))["name"].to_list()
    assert folded == [fold_text(n) for n in names]
    assert fold_text("Phòng Giáo dục và Đào tạo thành phố Thủ Đức") == "phong giao duc va dao tao thanh pho thu duc"


def test_unit_lookup_by_code_name_and_unambiguous_short_name() -> None:
    registry = pl.DataFrame({
        "unit_code": ["PGD_Q1", "THPT_A", "TT_A", "PGD_X"],
        "unit_name": ["Phòng Giáo dục và Đào tạo Quận 1", "Trường THPT An Lạc", "THPT An Lạc", "Phòng Giáo dục và Đào tạo PGD_Q1"],
    })
    lookup = lookup_table(registry)
    typed = pl.DataFrame({"unit": ["quan 1", "PGD_Q1", "thpt an lac", "Trường THPT An Lạc", "Quận 99", None]})
    matched = match_units(typed, "unit", lookup, "unit")
    assert matched["unit_code"].to_list() == [
        "PGD_Q1",  # short name, only one unit has it
        "PGD_Q1",  # a code wins over PGD_X's short name "pgd_q1"
        "TT_A",  # a full name wins over THPT_A's short name
        "THPT_A",
        None,
        None,
    ]


def test_contacts_are_masked_the_same_in_polars_and_duckdb() -> None:
    texts = [
        "gọi 0909 123 456 hoặc +84 909123456, 84-909-123-456, (028) 3829 1234",
        "mail Nguyen.Van-A@sub.example.com.vn!",
        "mã hồ sơ 2024020712, năm 2024, lớp 10A1, 12.345.678 đồng",
        "Chrome/120.0.6099.224 Safari/537.36",
        None,
    ]
    polars_masked = pl.DataFrame({"t": texts}).select(mask_contacts(pl.col("t")))["t"].to_list()
    with duckdb.connect() as con:
        duck_masked = [r[0] for r in con.execute(f"select {mask_contacts_sql('t')} from unnest(?::varchar[]) with ordinality u(t, i) "
                                                  "order by i", [texts]).fetchall()]
    assert polars_masked == duck_masked
    assert polars_masked[0] == "gọi [số điện thoại] hoặc [số điện thoại], [số điện thoại], [số điện thoại]"
    assert polars_masked[1] == "mail [email]!"
    assert polars_masked[2:] == texts[2:]  # numbers that are not phone numbers stay


def test_hmac_in_duckdb_equals_the_reference_implementation() -> None:
    values = ["0909123456", "nguyễn văn an", "x" * 300]
    for key in (b"short key", b"k" * 100):
        with duckdb.connect() as con:
            install_hmac(con, key)
            hashed = [r[0] for r in con.execute("select hmac_key(v) from unnest(?::varchar[]) with ordinality u(v, i) order by i",
                                                [values]).fetchall()]
            assert con.execute("select hmac_key(''), hmac_key(null)").fetchone() == (None, None)
        assert hashed == [hmac_hex(key, v) for v in values]


def test_identity_normalisation_in_polars_matches_python() -> None:
    names = ["Nguyễn  Văn An", " NGUYỄN VĂN AN ", "Nguye\u0302\u0303n Văn An"]  # the last one decomposed
    phones = ["0909 123 456", "+84 909 123 456", "84909123456", "909123456", "(028) 3829-1234"]
    frame = pl.DataFrame({"name": names, "phone": phones[:3]})
    assert frame.select(normalise_name(pl.col("name")))["name"].to_list() == [normalise_name_py(n) for n in names]
    assert len({normalise_name_py(n) for n in names}) == 1
    normalised = pl.DataFrame({"p": phones}).select(normalise_phone(pl.col("p")))["p"].to_list()
    assert normalised == [normalise_phone_py(p) for p in phones] == ["0909123456"] * 4 + ["02838291234"]


def test_csv_line_numbers_survive_blank_lines_quoted_newlines_and_crlf(tmp_path: Path) -> None:
    csv = tmp_path / "page.csv"
    csv.write_bytes(
        b"Report of February\r\n\r\n"
        b"date,hostName,pagePath,pageTitle,screenPageViews,activeUsers,sessions,userEngagementDuration\r\n"
        b'20240201,a.hcm.edu.vn,/,"two\r\nlines",1,1,1,1\r\n'
        b"\r\n"
        b"20240202,a.hcm.edu.vn,/,x,2,2,2\r\n"
        b"20240203,a.hcm.edu.vn,/,x,3,3,3,3"
    )
    rows = read_mapped(csv, "page.csv", load_mappings("page_report"))
    assert rows.header_line == 3 and rows.blank_rows == 1
    assert rows.frame["source_line"].to_list() == [4, 7, 8]
    assert rows.frame["page_title"].to_list()[0] == "two\nlines"
    assert rows.frame["_width_problem"].to_list() == [None, "the line has 7 fields but the header has 8", None]


def test_two_deliveries_of_one_day_are_refused() -> None:
    day = dt.date(2024, 2, 7)
    files = [
        DayFile(Path("a"), "analytics/ga4/events_20240207.parquet", "x", day),
        DayFile(Path("b"), "analytics/ga4/events_20240207.ndjson", "y", day),
        DayFile(Path("c"), "analytics/access_logs/a.hcm.edu.vn/access-20240207.log", "z", day),
        DayFile(Path("d"), "analytics/access_logs/b.hcm.edu.vn/access-20240207.log", "w", day),
    ]
    with pytest.raises(ValueError, match="events_20240207.parquet and analytics/ga4/events_20240207.ndjson"):
        _refuse_double_deliveries(files)
    _refuse_double_deliveries(files[2:])  # one file per host and day is the normal case


def test_access_log_line_that_is_not_utf8_is_quarantined_and_line_numbers_stay_true(tmp_path: Path) -> None:
    from ingestion.loading import load_daily
    from edukpi.settings import Settings
    from ingestion.sources import SOURCES

    folder = tmp_path / "raw" / "analytics" / "access_logs" / "a.hcm.edu.vn"
    folder.mkdir(parents=True)
    (tmp_path / "raw" / ".edukpi-sample.json").write_text("{}", encoding="utf-8")
    (folder / "access-20240209.log").write_bytes(
        b'1.1.1.1 - - [09/Feb/2024:09:15:02 +0700] "GET /a HTTP/1.1" 200 5 "-" "Mozilla/5.0"\n\n'
        b'2.2.2.2 - - [09/Feb/2024:09:15:03 +0700] "GET /b HTTP/1.1" 200 5 "-" "Mo\xff\xfezilla"\n'
        b'3.3.3.3 - - [09/Feb/2024:09:15:04 +0700] "GET /c HTTP/1.1" 200 5 "-" "Mozilla/5.0"\n'
    )
    db = tmp_path / "build.duckdb"
    settings = Settings(raw_dir=tmp_path / "raw", build_db=db, warehouse_db=tmp_path / "w.duckdb", reports_dir=tmp_path, hmac_key=None)
    report = load_daily(settings, SOURCES["access_log"], [dt.date(2024, 2, 9)])
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 2, 1)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select source_line, path from raw.access_log_hits order by 1").fetchall() == [(1, "/a"), (4, "/c")]
        line, value, reason = con.execute("select source_line, value, reason from raw.quarantine").fetchone()
    assert (line, reason) == (3, "the line is not valid UTF-8 text")
    assert value.startswith("[ip withheld] - - [09/Feb/2024:09:15:03 +0700]")


def test_access_log_request_breaking_its_rule_is_quarantined_with_contacts_masked(tmp_path: Path) -> None:
    """The request is masked only for the lines breaking a rule (issue #15): the quarantine still never shows a phone or
    an e-mail, and good lines keep their client address (text before the first space) hashed."""
    from ingestion.loading import load_daily
    from edukpi.settings import Settings
    from ingestion.sources import SOURCES

    folder = tmp_path / "raw" / "analytics" / "access_logs" / "a.hcm.edu.vn"
    folder.mkdir(parents=True)
    (tmp_path / "raw" / ".edukpi-sample.json").write_text("{}", encoding="utf-8")
    (folder / "access-20240209.log").write_text(
        '10.0.0.1 - - [09/Feb/2024:09:15:02 +0700] "GET /a HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux)"\n'
        '10.0.0.2 - - [09/Feb/2024:09:15:03 +0700] "lien-he?sdt=0909 123 456&mail=an@example.com" 400 0 "-" "curl"\n',
        encoding="utf-8",
    )
    db = tmp_path / "build.duckdb"
    settings = Settings(raw_dir=tmp_path / "raw", build_db=db, warehouse_db=tmp_path / "w.duckdb", reports_dir=tmp_path, hmac_key=None)
    report = load_daily(settings, SOURCES["access_log"], [dt.date(2024, 2, 9)])
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (2, 1, 1)
    key = settings.pseudonymisation_key()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select client_key, path, user_agent from raw.access_log_hits").fetchall() == [
            (hmac_hex(key, "10.0.0.1"), "/a", "Mozilla/5.0 (X11; Linux)")]
        line, column, value, reason = con.execute("select source_line, column_name, value, reason from raw.quarantine").fetchone()
    assert (line, column) == (2, "request")
    assert value == "lien-he?sdt=[số điện thoại]&mail=[email]"
    assert reason == "request 'lien-he?sdt=[số điện thoại]&mail=[email]' is not METHOD path HTTP/x"
