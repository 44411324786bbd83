"""The sample-data generator: byte-identical output per seed, every source of docs/data-contracts.md present, realistic behaviour."""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from edukpi import settings
from generator import ACCESS_LOG_UNITS, PAGE_REPORT_UNITS, PRESETS, generate

SUBMISSION_HEADER = ["Mã bài", "Đơn vị", "Ngày gửi", "Tiêu đề", "Mục kế hoạch", "Tác giả", "Trạng thái", "Ngày đăng",
                     "Kênh đăng", "Đường dẫn"]
FEEDBACK_HEADER = ["Mã phản ánh", "Thời điểm tiếp nhận", "Kênh tiếp nhận", "Lĩnh vực", "Họ tên người phản ánh",
                   "Số điện thoại", "Email", "Nội dung", "Đơn vị được giao", "Thời điểm chuyển", "Đơn vị trả lời",
                   "Thời điểm trả lời", "Chức danh người trả lời", "Thời điểm công khai", "Trạng thái"]
BOT = re.compile(r"bot|crawl|spider|slurp|curl|wget|python-requests|httpclient|headless|facebookexternalhit|zalo(?!app)", re.I)
CLF = re.compile(r'^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) HTTP/1\.[01]" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$')


@dataclass(frozen=True)
class Generated:
    root: Path
    summary: dict


@pytest.fixture(scope="module")
def tiny_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Generated, Generated]:
    runs = []
    for name in ("first", "second"):
        root = tmp_path_factory.mktemp(name) / "raw"
        runs.append(Generated(root, generate("tiny", 7, root, progress=False)))
    return runs[0], runs[1]


@pytest.fixture(scope="module")
def tiny(tiny_twice: tuple[Generated, Generated]) -> Generated:
    return tiny_twice[0]


@pytest.fixture(scope="module")
def registry() -> pl.DataFrame:
    return pl.read_csv(settings.UNIT_REGISTRY_CSV, infer_schema=False)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _ga4(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect() as con:
        con.sql(f"""
            create view events as
            select strptime(event_date, '%Y%m%d')::date as event_date, event_timestamp, event_name, user_pseudo_id,
                   list_filter(event_params, p -> p.key = 'page_location')[1].value.string_value as page_location,
                   list_filter(event_params, p -> p.key = 'page_title')[1].value.string_value as page_title,
                   list_filter(event_params, p -> p.key = 'ga_session_id')[1].value.int_value as ga_session_id,
                   device.category as device, traffic_source.source as source
            from read_parquet('{root}/analytics/ga4/*.parquet')""")
        return con.sql(sql).fetchall()


# --- determinism and files ------------------------------------------------------------------------------------------


def test_same_preset_and_seed_give_byte_identical_files(tiny_twice: tuple[Generated, Generated]) -> None:
    first, second = tiny_twice
    digests_first, digests_second = _digests(first.root), _digests(second.root)
    assert len(digests_first) > 1_700
    assert digests_first.keys() == digests_second.keys()
    differing = [path for path, digest in digests_first.items() if digests_second[path] != digest]
    assert not differing, differing[:10]
    summary_first = {k: v for k, v in first.summary.items() if k != "out_dir"}
    assert summary_first == {k: v for k, v in second.summary.items() if k != "out_dir"}


def test_every_source_has_its_files(tiny: Generated, registry: pl.DataFrame) -> None:
    root = tiny.root
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range((dt.date(2025, 6, 30) - dt.date(2024, 1, 1)).days + 1)]
    expected_ga4 = {f"events_{d:%Y%m%d}.parquet" for d in days}
    assert {p.name for p in (root / "analytics" / "ga4").iterdir()} == expected_ga4

    hosts = dict(zip(registry["unit_code"], registry["site_host"]))
    log_hosts = {hosts[code] for code in ACCESS_LOG_UNITS}
    assert {p.name for p in (root / "analytics" / "access_logs").iterdir()} == log_hosts
    for host in log_hosts:
        assert {p.name for p in (root / "analytics" / "access_logs" / host).iterdir()} == {
            f"access-{d:%Y%m%d}.log.gz" for d in days}

    months = sorted({f"{d:%Y-%m}" for d in days})
    assert {p.name for p in (root / "analytics" / "page_reports").iterdir()} == {
        f"{hosts[code]}_{month}.csv" for code in PAGE_REPORT_UNITS for month in months}

    quarters = ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2"]
    assert sorted(p.name for p in (root / "submissions").iterdir()) == [f"{q}.csv" for q in quarters[:-1]] + ["2025Q2.xlsx"]
    assert sorted(p.name for p in (root / "feedback").iterdir()) == [f"phan_anh_{q}.csv" for q in quarters]

    marker = json.loads((root / settings.SAMPLE_MARKER).read_text(encoding="utf-8"))
    assert marker["preset"] == "tiny" and marker["seed"] == 7
    assert (marker["date_from"], marker["date_to"]) == ("2024-01-01", "2025-06-30")
    assert marker["generator_version"]


def test_summary_counts_and_late_arriving_days(tiny: Generated) -> None:
    summary = tiny.summary
    assert summary["files"] == {"ga4": 547, "access_logs": 1094, "page_reports": 54, "submissions": 6, "feedback": 6,
                                "facebook": 78 + 18, "zalo": 18 + 2 + 18, "moderation": 6, "disclosure": 178,
                                "listening": 78, "incidents": 6, "monthly_reports": 2, "press": 3 + 2 + 2, "officers": 2}
    assert 10_000 < summary["rows"]["ga4_events"] <= 50_000, "tiny must stay tiny: the pipeline test runs on it"
    assert 3 <= len(summary["late_arriving_days"]) <= 4
    for note in summary["late_arriving_days"]:
        assert (tiny.root / note["file"]).is_file() and note["late_events"] >= 0
    assert sum(summary["files"].values()) + 1 == sum(1 for p in tiny.root.rglob("*") if p.is_file())
    (events,) = _ga4(tiny.root, "select count(*) from events")[0]
    assert events == summary["rows"]["ga4_events"]


def test_refuses_a_folder_that_holds_other_data(tmp_path: Path) -> None:
    (tmp_path / "export_from_the_portal.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="real data"):
        generate("tiny", 7, tmp_path, progress=False)
    assert not (tmp_path / settings.SAMPLE_MARKER).exists()


def test_presets() -> None:
    assert {"tiny", "sample", "city-year", "x10"} <= PRESETS.keys()
    assert PRESETS["x10"].ga4_sessions_per_day == pytest.approx(10 * PRESETS["city-year"].ga4_sessions_per_day)
    with pytest.raises(ValueError, match="unknown preset"):
        generate("huge", 7, Path("/nonexistent"), progress=False)


# --- registry -------------------------------------------------------------------------------------------------------


def test_registry_has_the_22_district_offices_dissolved_on_2025_07_01(registry: pl.DataFrame) -> None:
    assert registry.columns == ["unit_code", "unit_name", "unit_type", "parent_code", "valid_from", "valid_to", "site_host"]
    districts = registry.filter(pl.col("unit_type") == "district_office")
    assert districts.height == 22
    assert districts["valid_to"].to_list() == ["2025-06-30"] * 22
    assert districts.filter(pl.col("unit_code") == "PGD_TDUC")["valid_from"].item() == "2021-01-01"
    assert set(registry["unit_type"]) == {"district_office", "affiliated_unit", "gdnn_gdtx_centre", "department_division"}
    assert registry.filter(pl.col("unit_type") == "affiliated_unit").height >= 30
    assert registry["unit_code"].is_unique().all()
    assert all(re.fullmatch(r"[A-Z0-9_]+", code) for code in registry["unit_code"])
    assert all(unicodedata.is_normalized("NFC", name) and name != _fold(name) for name in registry["unit_name"])
    parents = set(registry["parent_code"].drop_nulls())
    assert parents <= set(registry["unit_code"])
    hosts = registry["site_host"].drop_nulls()
    assert hosts.is_unique().all()
    assert registry.filter(pl.col("unit_code") == "SGD_VP")["site_host"].item() == "hcm.edu.vn"
    assert registry.filter(pl.col("unit_name") == "Trường THPT chuyên Lê Hồng Phong")["unit_code"].item() == "THPT_LHP"
    quota = pl.read_csv(settings.UNIT_REGISTRY_CSV.with_name("unit_type_quota.csv"))
    assert dict(quota.iter_rows()) == {"district_office": 3, "affiliated_unit": 1, "gdnn_gdtx_centre": 1,
                                       "department_division": 0}


# --- GA4 ------------------------------------------------------------------------------------------------------------


def test_ga4_follows_the_bigquery_export_schema(tiny: Generated) -> None:
    with duckdb.connect() as con:
        columns = con.sql(f"describe select * from read_parquet('{tiny.root}/analytics/ga4/events_20240621.parquet')").fetchall()
    types = {name: kind for name, kind, *_ in columns}
    assert list(types) == ["event_date", "event_timestamp", "event_name", "event_params", "user_pseudo_id", "device", "geo",
                           "traffic_source"]
    assert types["event_timestamp"] == "BIGINT"
    assert types["event_params"] == ("STRUCT(\"key\" VARCHAR, \"value\" STRUCT(string_value VARCHAR, int_value BIGINT, "
                                     "float_value DOUBLE, double_value DOUBLE))[]")
    # event_date is the local (UTC+7) date of event_timestamp.
    mismatched = _ga4(tiny.root, """
        select count(*) from events
        where event_date <> (make_timestamp(event_timestamp) + interval 7 hour)::date""")[0][0]
    assert mismatched == 0


def test_ga4_event_mix_and_sessions(tiny: Generated) -> None:
    mix = dict(_ga4(tiny.root, "select event_name, count(*) from events group by 1"))
    assert set(mix) == {"page_view", "session_start", "user_engagement", "scroll", "click"}
    assert mix["page_view"] > sum(mix.values()) / 2
    sessions = _ga4(tiny.root, "select count(*) from (select distinct user_pseudo_id, ga_session_id from events)")[0][0]
    assert mix["session_start"] == pytest.approx(sessions, rel=0.01)
    devices = dict(_ga4(tiny.root, "select device, count(*) from events where event_name = 'page_view' group by 1"))
    assert devices["mobile"] > devices["desktop"] > devices.get("tablet", 0)
    sources = set(row[0] for row in _ga4(tiny.root, "select distinct source from events"))
    assert sources == {"google", "(direct)", "facebook.com", "zalo"}


def test_ga4_traffic_has_seasons_weekly_rhythm_and_a_dominant_portal(tiny: Generated, registry: pl.DataFrame) -> None:
    monthly = dict(_ga4(tiny.root, """
        select strftime(event_date, '%Y-%m'), count(*) from events where event_name = 'page_view' group by 1"""))
    assert monthly["2024-06"] > 1.3 * monthly["2024-02"], "exam results in June, Tết in February"
    assert monthly["2025-06"] > monthly["2025-05"]
    weekday, weekend = _ga4(tiny.root, """
        select avg(n) filter (where dayofweek(d) between 1 and 5), avg(n) filter (where dayofweek(d) in (0, 6))
        from (select event_date as d, count(*) as n from events where event_name = 'page_view' group by 1)""")[0]
    assert weekend < 0.8 * weekday
    tet, before = _ga4(tiny.root, """
        select count(*) filter (where event_date between '2024-02-08' and '2024-02-14'),
               count(*) filter (where event_date between '2024-01-25' and '2024-01-31')
        from events where event_name = 'page_view'""")[0]
    assert tet < 0.6 * before
    hosts = dict(_ga4(tiny.root, """
        select regexp_extract(page_location, '^https://([^/?]+)', 1), count(*) from events
        where event_name = 'page_view' group by 1"""))
    assert max(hosts, key=hosts.get) == "hcm.edu.vn" and hosts["hcm.edu.vn"] > 0.5 * sum(hosts.values())
    by_code = dict(zip(registry["unit_code"], registry["site_host"]))
    assert not {by_code[c] for c in ACCESS_LOG_UNITS + PAGE_REPORT_UNITS} & hosts.keys(), "those sites are not in GA4"
    assert set(hosts) <= set(registry["site_host"].drop_nulls())
    titles = _ga4(tiny.root, "select distinct page_title from events")
    assert any(_fold(t) != t.casefold() for (t,) in titles), "Vietnamese titles with diacritics"


# --- access logs and page reports -------------------------------------------------------------------------------------


def test_access_logs_look_like_real_nginx_logs(tiny: Generated) -> None:
    lines = bots = assets = not_found = malformed = duplicates = page_views = 0
    for path in sorted((tiny.root / "analytics" / "access_logs").rglob("*.log.gz")):
        raw = gzip.decompress(path.read_bytes())
        assert raw.endswith(b"\n") or not raw
        seen = set()
        for line in raw.decode("utf-8").splitlines():
            lines += 1
            duplicates += line in seen
            seen.add(line)
            match = CLF.match(line)
            if not match:
                malformed += 1
                continue
            assert match.group(2).endswith(" +0700")
            assert dt.datetime.strptime(match.group(2)[:20], "%d/%b/%Y:%H:%M:%S").date() == dt.date(
                int(path.name[7:11]), int(path.name[11:13]), int(path.name[13:15]))
            is_bot = bool(BOT.search(match.group(8)))
            is_asset = bool(re.search(r"\.(css|js|png|jpg|jpeg|gif|svg|ico|webp|woff2?|ttf|map|pdf)(\?|$)", match.group(4)))
            bots += is_bot
            assets += is_asset
            not_found += match.group(5) == "404"
            page_views += (match.group(3) == "GET" and match.group(5) in ("200", "304") and not is_bot and not is_asset)
    assert lines > 10_000
    # Tiny sites: crawlers and the hourly uptime check outnumber people, as on real small sites.
    assert bots > 0.05 * lines and assets > 0.1 * lines and not_found > 10 and page_views > 0.05 * lines
    assert 5 <= malformed < 0.01 * lines
    assert 5 <= duplicates < 0.01 * lines


def test_page_reports_follow_the_data_api_columns(tiny: Generated) -> None:
    frames = [pl.read_csv(p, infer_schema=False) for p in sorted((tiny.root / "analytics" / "page_reports").glob("*.csv"))]
    for frame in frames:
        assert frame.columns == ["date", "hostName", "pagePath", "pageTitle", "screenPageViews", "activeUsers", "sessions",
                                 "userEngagementDuration"]
    report = pl.concat(frames).with_columns(pl.col("screenPageViews", "activeUsers", "sessions").cast(pl.Int64))
    assert report.height > 500
    assert (report["activeUsers"] <= report["sessions"]).all() and (report["sessions"] <= report["screenPageViews"]).all()
    assert report["date"].str.contains(r"^20(24|25)\d{4}$").all() and report["pagePath"].str.starts_with("/").all()


# --- submissions ----------------------------------------------------------------------------------------------------


def _submissions(root: Path) -> pl.DataFrame:
    frames = []
    for path in sorted((root / "submissions").iterdir()):
        if path.suffix == ".csv":
            assert path.read_bytes().startswith(b"\xef\xbb\xbf"), f"{path.name}: UTF-8 with BOM"
            frame = pl.read_csv(path, infer_schema=False)
        else:
            frame = pl.read_excel(path, sheet_name="Danh sách", infer_schema_length=0)
        assert frame.columns == SUBMISSION_HEADER, path.name
        frames.append(frame.with_columns(pl.lit(path.stem).alias("file")))
    return pl.concat(frames)


def test_submissions_flow_and_spelling(tiny: Generated, registry: pl.DataFrame) -> None:
    sub = _submissions(tiny.root)
    assert set(sub["Trạng thái"]) == {"Đã tiếp nhận", "Được chọn", "Đã đăng", "Không sử dụng", "Rút lại"}
    stamp = "%d/%m/%Y %H:%M"
    sub = sub.with_columns(sent=pl.col("Ngày gửi").str.strptime(pl.Datetime, stamp),
                           published=pl.col("Ngày đăng").str.strptime(pl.Datetime, stamp))
    published = sub.filter(pl.col("Trạng thái") == "Đã đăng")
    assert (published["published"] > published["sent"]).all()
    assert set(published["Kênh đăng"]) == {"Cổng thông tin", "Báo chí", "Bộ GDĐT"}
    assert published["Đường dẫn"].str.starts_with("https://").all()
    others = sub.filter(pl.col("Trạng thái") != "Đã đăng")
    assert others["Ngày đăng"].is_null().all() and others["Kênh đăng"].is_null().all()
    assert (sub["sent"] <= dt.datetime(2025, 6, 30, 23, 59)).all()
    # Each row sits in the file of the quarter it was sent in, except re-sent exact duplicates in a later file.
    quarter = sub["sent"].dt.strftime("%Y") + "Q" + sub["sent"].dt.quarter().cast(pl.Utf8)
    moved = sub.filter(quarter != sub["file"])
    assert 2 <= moved.height <= 3
    duplicated = sub.filter(pl.col("Mã bài").is_in(moved["Mã bài"].to_list())).drop("file").unique()
    assert duplicated.height == moved.height, "a re-sent row is an exact copy"
    assert sub["Mục kế hoạch"].drop_nulls().str.contains(r"^(I|II|III|IV|V)\.\d$").all()

    by_name = {_fold(n): c for n, c in zip(registry["unit_name"], registry["unit_code"])}
    by_name |= {_fold(c): c for c in registry["unit_code"]}
    units = sub["Đơn vị"].to_list()
    assert all(_fold(u) in by_name for u in units), [u for u in units if _fold(u) not in by_name][:5]
    exact = set(registry["unit_name"])
    assert 0.01 < sum(u not in exact for u in units) / len(units) < 0.1, "a few names typed differently"
    assert any(u in set(registry["unit_code"]) for u in units)
    assert any(u == _fold(u) and u not in set(registry["unit_code"]) for u in units) or any(u.isupper() for u in units)


def test_submissions_show_laggards_and_an_end_of_quarter_rush(tiny: Generated, registry: pl.DataFrame) -> None:
    sub = _submissions(tiny.root).unique("Mã bài").filter(pl.col("Trạng thái") != "Rút lại")
    by_name = {_fold(n): c for n, c in zip(registry["unit_name"], registry["unit_code"])}
    by_name |= {_fold(c): c for c in registry["unit_code"]}
    sent = sub["Ngày gửi"].str.strptime(pl.Datetime, "%d/%m/%Y %H:%M")
    sub = sub.with_columns(unit=pl.col("Đơn vị").map_elements(lambda u: by_name[_fold(u)], return_dtype=pl.Utf8),
                           quarter=sent.dt.year().cast(pl.Utf8) + "Q" + sent.dt.quarter().cast(pl.Utf8), sent=sent)
    districts = registry.filter(pl.col("unit_type") == "district_office")["unit_code"].to_list()
    counts = sub.filter(pl.col("unit").is_in(districts)).group_by("unit", "quarter").len()
    grid = pl.DataFrame({"unit": districts}).join(counts["quarter"].unique().to_frame(), how="cross")
    grid = grid.join(counts, on=["unit", "quarter"], how="left").with_columns(pl.col("len").fill_null(0))
    met_share = grid.group_by("unit").agg((pl.col("len") >= 3).mean().alias("met"))
    assert met_share.filter(pl.col("met") <= 0.5).height >= 3, "some district offices are usually behind"
    assert (grid["len"] >= 3).mean() > 0.6, "most district offices meet the quota"
    # Last three weeks of a quarter (from the 10th of its last month) are 23 % of the days but far more submissions.
    rush = ((sub["sent"].dt.month() % 3 == 0) & (sub["sent"].dt.day() >= 10)).mean()
    assert rush > 0.4


# --- feedback -------------------------------------------------------------------------------------------------------


def _feedback(root: Path) -> pl.DataFrame:
    frames = []
    for path in sorted((root / "feedback").glob("*.csv")):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), f"{path.name}: UTF-8 with BOM"
        frame = pl.read_csv(path, infer_schema=False)
        assert frame.columns == FEEDBACK_HEADER, path.name
        frames.append(frame)
    return pl.concat(frames)


def test_feedback_tickets(tiny: Generated, registry: pl.DataFrame) -> None:
    fb = _feedback(tiny.root)
    assert fb["Mã phản ánh"].is_unique().all() and fb.height > 200
    codes = set(registry["unit_code"])
    assert set(fb["Đơn vị được giao"]) <= codes
    assert set(fb["Đơn vị trả lời"].drop_nulls()) <= codes
    assert set(fb["Trạng thái"]) <= {"Đang xử lý", "Đã trả lời", "Đã chuyển", "Đã đóng"}
    assert set(fb["Kênh tiếp nhận"]) <= {"Cổng thông tin", "Đường dây nóng", "Email", "Trực tiếp", "Hệ thống 1022"}
    assert "Khiếu nại" in set(fb["Lĩnh vực"]) and (fb["Lĩnh vực"] == "Khiếu nại").mean() < 0.05
    assert fb["Số điện thoại"].drop_nulls().str.contains(r"^(0|\+84)[35789]\d{8}$").all()
    assert fb["Số điện thoại"].drop_nulls().str.starts_with("+84").any()
    assert fb["Email"].drop_nulls().str.contains(r"^[a-z0-9.]+@[a-z.]+$").all()
    assert fb["Nội dung"].str.contains(r"0[35789]\d{8}|@").any(), "contacts written into the text"
    assert all(unicodedata.is_normalized("NFC", text) for text in fb["Nội dung"])

    stamp = "%Y-%m-%d %H:%M:%S"
    fb = fb.with_columns(
        received=pl.col("Thời điểm tiếp nhận").str.strptime(pl.Datetime, stamp),
        forwarded=pl.col("Thời điểm chuyển").str.strptime(pl.Datetime, stamp),
        answered=pl.col("Thời điểm trả lời").str.strptime(pl.Datetime, stamp),
        published=pl.col("Thời điểm công khai").str.strptime(pl.Datetime, stamp),
    )
    answered = fb.filter(pl.col("answered").is_not_null())
    assert (answered["answered"] > answered["received"]).all()
    assert (answered["answered"].dt.date() == answered["received"].dt.date()).any(), "some answered on the same day"
    assert answered.filter(pl.col("published").is_not_null()).select((pl.col("published") > pl.col("answered")).all()).item()
    assert 0.6 < answered["published"].is_not_null().mean() < 0.98
    assert (answered["Đơn vị trả lời"] != answered["Đơn vị được giao"]).any()
    forwarded = fb.filter(pl.col("forwarded").is_not_null())
    assert forwarded.height > 0 and (forwarded["forwarded"] > forwarded["received"]).all()
    assert (fb["received"].dt.weekday() >= 6).mean() > 0.03, "the portal takes feedback at weekends too"

    still_open = fb.filter(pl.col("Trạng thái") == "Đang xử lý")
    assert 0.003 < still_open.height / fb.height < 0.05
    assert still_open["answered"].is_null().all() and still_open["Đơn vị trả lời"].is_null().all()
    assert (still_open["received"] >= dt.datetime(2025, 5, 1)).mean() > 0.5, "open tickets are mostly recent"


def test_social_channels_overlap_and_keep_their_history(tiny: Generated) -> None:
    """Weekly Business Suite exports overlap with growing counts; two are in Vietnamese; insights of 2024 carry the metric
    names Meta removed; the portal's articles are shared to both channels."""
    root = tiny.root
    exports = sorted((root / "facebook" / "posts").glob("meta_posts_*.csv"))
    views: dict[str, list[int]] = {}
    headers = set()
    for path in exports:
        frame = pl.read_csv(path, infer_schema=False)
        headers.add(frame.columns[0])
        post_id, count = ("Post ID", "Views") if "Post ID" in frame.columns else ("ID bài viết", "Lượt xem")
        for pid, value in frame.select(post_id, count).iter_rows():
            views.setdefault(pid, []).append(int(value))
    assert headers == {"Post ID", "ID bài viết"}
    repeated = [v for v in views.values() if len(v) >= 3]
    assert len(repeated) > 0.5 * len(views)
    assert all(v == sorted(v) for v in views.values()), "counts only grow from one export to the next"
    assert any(v[-1] > v[0] for v in repeated)

    names_by_year: dict[str, set[str]] = {}
    for path in (root / "facebook" / "insights").glob("*.ndjson"):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            names_by_year.setdefault(path.stem[-7:-3], set()).add(item["name"])
            for value in item["values"]:
                assert value["end_time"][11:] in ("07:00:00+0000", "08:00:00+0000"), value
    assert names_by_year["2024"] == {"page_impressions", "page_fans", "post_impressions", "post_impressions_unique"}
    assert names_by_year["2025"] == {"page_media_view", "page_follows", "post_media_view", "post_total_media_view_unique"}

    portal = {url for path in (root / "submissions").glob("*.csv")
              for url in pl.read_csv(path, infer_schema=False)["Đường dẫn"].drop_nulls() if "hcm.edu.vn/tin-tuc" in url}
    linked = {url for path in exports for text in pl.read_csv(path, infer_schema=False).to_series(4).drop_nulls()
              for url in re.findall(r"https://\S+", text)}
    assert len(linked & portal) > 100, "fanpage posts link to the portal's articles"
    log = pl.concat([pl.read_csv(p, infer_schema=False) for p in sorted((root / "moderation").glob("*.csv"))])
    assert set(log["Kênh"]) == {"Facebook", "Zalo"}
    stamp = "%d/%m/%Y %H:%M"
    hours = log.drop_nulls("Thời điểm xử lý").select(
        (pl.col("Thời điểm xử lý").str.strptime(pl.Datetime, stamp) - pl.col("Thời điểm phát hiện").str.strptime(pl.Datetime, stamp))
        .dt.total_hours())
    assert 0 < (hours.to_series() > 24).sum() < 0.3 * hours.height, "most comments handled within a day, some later"
