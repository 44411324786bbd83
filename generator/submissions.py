"""Article submissions units send to the department office: one list per quarter (CSV, the last as XLSX)."""
from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import numpy as np
import polars as pl

from generator.calendar import WorkingCalendar, as_datetime, day_seconds
from generator.draws import stream_rng
from generator.people import invented_people
from generator.presets import AS_OF, DATE_FROM, DATE_TO, PORTAL_UNIT, QUARTERS, Preset, quarter_label
from generator.text import fold_ascii, slug
from generator.titles import unit_kind, unit_titles
from generator.writers import write_csv, write_xlsx

SUBMISSION_COLUMNS = ["Mã bài", "Đơn vị", "Ngày gửi", "Tiêu đề", "Mục kế hoạch", "Tác giả", "Trạng thái", "Ngày đăng",
                      "Kênh đăng", "Đường dẫn"]
STATUS_VI = {"received": "Đã tiếp nhận", "selected": "Được chọn", "published": "Đã đăng", "rejected": "Không sử dụng",
             "withdrawn": "Rút lại"}
CHANNEL_VI = {"portal": "Cổng thông tin", "press": "Báo chí", "ministry": "Bộ GDĐT"}
PRESS_SITES = ("https://tuoitre.vn/", "https://thanhnien.vn/", "https://www.sggp.org.vn/", "https://nld.com.vn/",
               "https://vnexpress.net/", "https://plo.vn/", "https://giaoducthoidai.vn/")


def _rates(rng: np.random.Generator, units: pl.DataFrame, preset: Preset) -> tuple[np.ndarray, set[str]]:
    """Expected submissions per quarter of each unit, and the chronic laggards among them."""
    codes = units["unit_code"].to_list()
    types = units["unit_type"].to_list()
    # Chronic laggards: a few district offices usually below 3 a quarter, a few schools and centres at 0.
    laggards = set(rng.choice([c for c, t in zip(codes, types) if t == "district_office"], 5, replace=False).tolist())
    laggards |= set(rng.choice([c for c, t in zip(codes, types) if t == "affiliated_unit"], 3, replace=False).tolist())
    laggards |= set(rng.choice([c for c, t in zip(codes, types) if t == "gdnn_gdtx_centre"], 2, replace=False).tolist())
    normal_rate = {"district_office": 6.0, "affiliated_unit": 2.3, "gdnn_gdtx_centre": 2.2, "department_division": 0.5}
    lagging_rate = {"district_office": 1.6, "affiliated_unit": 0.35, "gdnn_gdtx_centre": 0.35, "department_division": 0.5}
    rate = np.array([lagging_rate[t] if c in laggards else normal_rate[t] * preset.submission_rate_scale
                     for c, t in zip(codes, types)])
    rate[np.array(codes) == PORTAL_UNIT] = 0.2
    return rate, laggards


def _units_and_days(rng: np.random.Generator, units: pl.DataFrame, calendar: WorkingCalendar, rate: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Sending unit (row of `units`) and calendar day of every submission, quarter by quarter."""
    codes = units["unit_code"].to_list()
    unit_of, day_of = [], []
    for q_start, q_end in QUARTERS:
        i0, i1 = calendar.index(q_start), calendar.index(q_end)
        day_index = np.arange(i0, i1 + 1)
        to_end = i1 - day_index
        # End-of-quarter rush: the last three weeks carry most submissions.
        weights = np.where(calendar.working[day_index], 1.0, 0.12) * (1.0 + 5.0 * np.clip(1 - to_end / 21.0, 0, 1))
        valid = units.select(((pl.col("valid_from") <= q_end) & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= q_start)))
                             ).to_series().to_numpy()
        counts = rng.poisson(rate * valid)
        unit_of.append(np.repeat(np.arange(len(codes)), counts))
        day_of.append(rng.choice(day_index, counts.sum(), p=weights / weights.sum()))
    unit_idx = np.concatenate(unit_of)
    day_idx = np.concatenate(day_of)
    return unit_idx, day_idx


def _editorial_flow(rng: np.random.Generator, calendar: WorkingCalendar, day_idx: np.ndarray, titles: pl.Series
                    ) -> tuple[np.ndarray, pl.Series, np.ndarray, np.ndarray]:
    """What the office did with each article by the export: status, publication time, channel and URL."""
    n = len(day_idx)
    outcome = rng.choice(["published", "rejected", "withdrawn", "selected"], n, p=[0.78, 0.15, 0.04, 0.03])
    decided_day = calendar.after_working_days(day_idx, rng.integers(1, 5, n))
    decided_at = as_datetime(calendar, decided_day, day_seconds(rng, n, 0.0))
    published_day = calendar.after_working_days(decided_day, rng.integers(0, 7, n))
    published_at = as_datetime(calendar, published_day, day_seconds(rng, n, 0.1))
    withdrawn_at = as_datetime(calendar, calendar.after_working_days(day_idx, rng.integers(0, 4, n)), day_seconds(rng, n, 0))
    # The list is exported at the end of the data: later decisions are not in it yet.
    decided = (decided_at <= AS_OF).to_numpy()
    is_published = (outcome == "published") & decided & (published_at <= AS_OF).to_numpy()
    status = np.where(outcome == "withdrawn", np.where((withdrawn_at <= AS_OF).to_numpy(), "withdrawn", "received"),
                      np.where(~decided, "received", np.where(outcome == "rejected", "rejected",
                                                              np.where(is_published, "published", "selected"))))
    channel = np.where(is_published, rng.choice(["portal", "press", "ministry"], n, p=[0.78, 0.15, 0.07]), "")
    slugs = slug(titles).to_numpy()
    number = rng.integers(100_000, 999_999, n).astype(str)
    press = np.asarray(PRESS_SITES, dtype=object)[rng.integers(0, len(PRESS_SITES), n)]
    url = np.where(channel == "portal", "https://hcm.edu.vn/tin-tuc/" + slugs.astype(object) + "-" + number,
                   np.where(channel == "press", press + slugs.astype(object) + "-" + number + ".htm",
                            np.where(channel == "ministry", "https://moet.gov.vn/tintuc/Pages/tin-tong-hop.aspx?ItemID=" + number,
                                     "")))
    return status, published_at, channel, url


def _as_typed(rng: np.random.Generator, units: pl.DataFrame, unit_idx: np.ndarray, titles: pl.Series
              ) -> tuple[np.ndarray, np.ndarray]:
    """The unit as people typed it, and the titles; two rows of each in decomposed (NFD) Vietnamese."""
    codes = units["unit_code"].to_list()
    n = len(unit_idx)
    # People type the unit: mostly the registry name, sometimes without diacritics, in other case, or the code.
    names = units["unit_name"].to_numpy()[unit_idx].astype(object)
    variant = rng.choice(5, n, p=[0.955, 0.012, 0.012, 0.011, 0.01])
    folded = fold_ascii(pl.Series(names.astype(str))).to_numpy().astype(object)
    typed = np.where(variant == 1, folded, names)
    typed = np.where(variant == 2, np.char.upper(names.astype(str)).astype(object), typed)
    typed = np.where(variant == 3, np.char.lower(names.astype(str)).astype(object), typed)
    typed = np.where(variant == 4, np.asarray(codes, dtype=object)[unit_idx], typed)
    titles_out = titles.to_numpy().astype(object)
    # Two rows pasted from a Mac: decomposed (NFD) Vietnamese.
    for row in rng.choice(np.flatnonzero(variant == 0), min(2, int((variant == 0).sum())), replace=False):
        typed[row] = unicodedata.normalize("NFD", typed[row])
        titles_out[row] = unicodedata.normalize("NFD", titles_out[row])
    return typed, titles_out


def build_submissions(seed: int, preset: Preset, registry: pl.DataFrame, calendar: WorkingCalendar
                      ) -> tuple[pl.DataFrame, dict]:
    """Articles units send to the department office: quotas kept by most, laggards, end-of-quarter rush, editorial flow."""
    rng = stream_rng(seed, "submissions")
    units = registry.with_columns(kind=pl.Series([unit_kind(c, t) for c, t in registry.select("unit_code", "unit_type").iter_rows()]))
    codes = units["unit_code"].to_list()
    rate, laggards = _rates(rng, units, preset)
    unit_idx, day_idx = _units_and_days(rng, units, calendar, rate)
    n = len(unit_idx)
    seconds = day_seconds(rng, n, 0.15)
    submitted = as_datetime(calendar, day_idx, seconds)
    kinds = units["kind"].to_numpy()[unit_idx].tolist()
    title_units = units.select(pl.all().gather(unit_idx))
    titles, plan_items = unit_titles(rng, kinds, day_idx - calendar.index(DATE_FROM), title_units)
    plan_items = np.where(rng.random(n) < 0.15, "", np.asarray(plan_items, dtype=object))

    officials = invented_people(stream_rng(seed, "people", 1), len(codes))["name"].to_numpy()
    others = invented_people(stream_rng(seed, "people", 2), n)["name"].to_numpy()
    author = np.where(rng.random(n) < 0.85, officials[unit_idx], others)
    status, published_at, channel, url = _editorial_flow(rng, calendar, day_idx, titles)
    typed, titles_out = _as_typed(rng, units, unit_idx, titles)

    frame = pl.DataFrame({
        "submitted_at": submitted, "unit_code": np.asarray(codes)[unit_idx], "unit_as_sent": typed.astype(str),
        "title": titles_out.astype(str), "plan_item": plan_items.astype(str), "author": author.astype(str),
        "status": status.astype(str), "published_at": published_at, "channel": channel.astype(str), "url": url.astype(str),
    }).with_columns(pl.when(pl.col("status") == "published").then(pl.col("published_at")).otherwise(None).alias("published_at"))
    frame = frame.with_row_index("_seq").sort(["submitted_at", "_seq"]).with_columns(
        year=pl.col("submitted_at").dt.year(), quarter=pl.col("submitted_at").dt.quarter())
    frame = frame.with_columns(
        submission_id=pl.format("BV-{}-{}", "year", (pl.int_range(1, pl.len() + 1).over("year")).cast(pl.Utf8).str.zfill(5)),
        file=pl.format("{}Q{}", "year", "quarter"),
    ).drop("_seq")
    notes = {"lagging_units": sorted(laggards)}
    return frame, notes


def _submission_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("submission_id").alias("Mã bài"),
        pl.col("unit_as_sent").alias("Đơn vị"),
        pl.col("submitted_at").dt.strftime("%d/%m/%Y %H:%M").alias("Ngày gửi"),
        pl.col("title").alias("Tiêu đề"),
        pl.col("plan_item").alias("Mục kế hoạch"),
        pl.col("author").alias("Tác giả"),
        pl.col("status").replace_strict(STATUS_VI).alias("Trạng thái"),
        pl.col("published_at").dt.strftime("%d/%m/%Y %H:%M").fill_null("").alias("Ngày đăng"),
        pl.col("channel").replace_strict({**CHANNEL_VI, "": ""}).alias("Kênh đăng"),
        pl.col("url").alias("Đường dẫn"),
    ).select(SUBMISSION_COLUMNS)


def write_submissions(out_dir: Path, config: Preset, seed: int, registry: pl.DataFrame, calendar: WorkingCalendar,
                       files: dict[str, list[str]], rows: dict[str, int]) -> dict:
    """One list per quarter: CSV (UTF-8 with BOM), the last quarter as XLSX; a few rows re-sent in a later list."""
    (out_dir / "submissions").mkdir(parents=True, exist_ok=True)
    submissions, notes = build_submissions(seed, config, registry, calendar)
    # Units re-send: three rows of 2024Q2's last days turn up again, identical, in the 2024Q3 list.
    late_q2 = submissions.filter((pl.col("file") == "2024Q2") & (pl.col("submitted_at") >= dt.datetime(2024, 6, 20)))
    carried = late_q2[np.sort(stream_rng(seed, "submissions", 1).choice(late_q2.height, min(3, late_q2.height), replace=False))]
    for label in sorted(submissions["file"].unique().to_list()):
        part = submissions.filter(pl.col("file") == label)
        if label == "2024Q3":
            part = pl.concat([carried, part])
        if label == quarter_label(DATE_TO):
            path = out_dir / "submissions" / f"{label}.xlsx"
            write_xlsx(_submission_rows(part), path)
        else:
            path = out_dir / "submissions" / f"{label}.csv"
            write_csv(_submission_rows(part), path, bom=True)
        files["submissions"].append(path.relative_to(out_dir).as_posix())
    rows["submissions"] = submissions.height + carried.height
    return {"duplicated_submissions": carried["submission_id"].to_list(), **notes}
