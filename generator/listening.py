"""Sample social-listening exports, seeded and deterministic.

Mentions of the department arrive every day (fewer at weekends) with a spike every few weeks (a news story: several times
the usual mentions, more of them negative, fading over two days). A monitoring tool is exported weekly over the last ten
days, so exports overlap and a mention's counts grow between them; some exports come from a Vietnamese-language tool.
Every stream has its own random generator, so the other sources' files are unchanged by this module.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from generator.people import invented_people
from generator.presets import DATE_FROM, N_DAYS, Preset
from generator.writers import write_csv

_STREAMS = {"mentions": 201}
MENTIONS_PER_DAY = {"tiny": 10.0, "sample": 25.0, "city-year": 60.0, "x10": 200.0}
SPIKE_EVERY_DAYS = 40
SPIKE_MULTIPLIER = 5.0
EXPORT_EVERY_DAYS, EXPORT_WINDOW_DAYS = 7, 10
VIETNAMESE_EXPORT_EVERY = 4  # every fourth weekly export comes from the Vietnamese-language tool
SOURCE_TYPES = (("Online News", "Báo điện tử", "news.example.vn", 0.45), ("Facebook", "Facebook", "facebook.com", 0.3),
                ("Forums", "Diễn đàn", "forum.example.vn", 0.1), ("Blogs", "Blog", "blog.example.vn", 0.05),
                ("YouTube", "YouTube", "youtube.com", 0.07), ("Podcasts", "Khác", "podcast.example.vn", 0.03))
SENTIMENTS = (("Positive", "Tích cực"), ("Neutral", "Trung lập"), ("Negative", "Tiêu cực"), ("Not Rated", "Chưa đánh giá"))
USUAL_SENTIMENT, SPIKE_SENTIMENT = (0.22, 0.5, 0.23, 0.05), (0.08, 0.32, 0.55, 0.05)
TOPICS = ("Tuyển sinh lớp 10", "Học phí năm học mới", "Lịch thi tốt nghiệp THPT", "Sách giáo khoa mới",
          "An toàn trường học", "Thu chi đầu năm", "Bữa ăn bán trú", "Dạy thêm học thêm", "Tuyển dụng giáo viên")
EN_COLUMNS = ["Date", "Time", "Headline", "URL", "Opening Text", "Hit Sentence", "Source", "Influencer", "Language",
              "Reach", "Engagement", "Sentiment", "Keywords"]
VI_COLUMNS = {"Date": "Ngày", "Time": "Giờ", "Headline": "Tiêu đề", "URL": "Đường dẫn", "Opening Text": "Đoạn mở đầu",
              "Hit Sentence": "Câu nhắc đến", "Source": "Loại nguồn", "Influencer": "Tác giả", "Language": "Ngôn ngữ",
              "Reach": "Lượt tiếp cận", "Engagement": "Tương tác", "Sentiment": "Sắc thái", "Keywords": "Từ khóa"}


def _rng(seed: int, stream: str, *more: int) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAMS[stream], *more])


def spike_days(seed: int) -> list[dt.date]:
    """The days a story broke (a spike of mentions), about every SPIKE_EVERY_DAYS days after the first five weeks."""
    rng = _rng(seed, "mentions", 1)
    days, offset = [], 35
    while offset < N_DAYS:
        days.append(DATE_FROM + dt.timedelta(days=int(offset)))
        offset += SPIKE_EVERY_DAYS + int(rng.integers(-10, 11))
    return days


def _daily_counts(seed: int, config: Preset, spikes: list[dt.date]) -> tuple[np.ndarray, np.ndarray]:
    """Mentions per day and whether the day belongs to a story (spike day or the two days fading after it)."""
    rng = _rng(seed, "mentions", 2)
    base = MENTIONS_PER_DAY.get(config.name, MENTIONS_PER_DAY["sample"])
    days = [DATE_FROM + dt.timedelta(days=i) for i in range(N_DAYS)]
    rate = np.array([base * (0.5 if d.weekday() >= 5 else 1.0) for d in days])
    story = np.zeros(N_DAYS, dtype=bool)
    for spike in spikes:
        i = (spike - DATE_FROM).days
        for lag, factor in ((0, SPIKE_MULTIPLIER), (1, SPIKE_MULTIPLIER / 2), (2, SPIKE_MULTIPLIER / 4)):
            if i + lag < N_DAYS:
                rate[i + lag] = max(rate[i + lag], base * factor)
                story[i + lag] = True
    return rng.poisson(rate), story


def build_mentions(seed: int, config: Preset) -> pl.DataFrame:
    """Every mention with its final counts (a mention's counts grow over its first week)."""
    counts, story = _daily_counts(seed, config, spike_days(seed))
    rng = _rng(seed, "mentions", 3)
    day = np.repeat(np.arange(N_DAYS), counts)
    n = len(day)
    kind = rng.choice(len(SOURCE_TYPES), n, p=[w for *_, w in SOURCE_TYPES])
    sentiment = np.where(story[day], rng.choice(4, n, p=SPIKE_SENTIMENT), rng.choice(4, n, p=USUAL_SENTIMENT))
    topic = rng.integers(0, len(TOPICS), n)
    return pl.DataFrame({
        "mention_id": np.arange(n), "day": day, "kind": kind, "sentiment": sentiment, "topic": topic,
        "minute": rng.integers(6 * 60, 23 * 60, n), "reach": rng.lognormal(7.5, 1.4, n).astype(np.int64),
        "engagement": rng.lognormal(2.5, 1.3, n).astype(np.int64), "author": invented_people(rng, n)["name"],
    })


def _export_rows(mentions: pl.DataFrame, exported: int, vietnamese: bool) -> pl.DataFrame:
    """The mentions of the EXPORT_WINDOW_DAYS days up to `exported` (a day index) with their counts as of that day."""
    part = mentions.filter(pl.col("day").is_between(exported - EXPORT_WINDOW_DAYS + 1, exported))
    grown = ((exported - pl.col("day") + 1) / 7).clip(upper_bound=1.0)
    when = pl.lit(DATE_FROM) + pl.duration(days=pl.col("day"))
    kinds = {i: k[1 if vietnamese else 0] for i, k in enumerate(SOURCE_TYPES)}
    domains = {i: k[2] for i, k in enumerate(SOURCE_TYPES)}
    moods = {i: s[1 if vietnamese else 0] for i, s in enumerate(SENTIMENTS)}
    topics = dict(enumerate(TOPICS))
    frame = part.select(
        when.dt.strftime("%d/%m/%Y" if vietnamese else "%d-%b-%Y").alias("Date"),
        (pl.format("{}:{}", (pl.col("minute") // 60).cast(pl.String).str.zfill(2),
                   (pl.col("minute") % 60).cast(pl.String).str.zfill(2))).alias("Time"),
        pl.col("topic").replace_strict(topics, return_dtype=pl.String).alias("Headline"),
        pl.format("https://{}/bai-viet-{}", pl.col("kind").replace_strict(domains, return_dtype=pl.String),
                  pl.col("mention_id")).alias("URL"),
        pl.lit(None, pl.String).alias("Opening Text"),
        pl.format("... Sở GD&ĐT TP.HCM về {} ...", pl.col("topic").replace_strict(topics, return_dtype=pl.String)).alias("Hit Sentence"),
        pl.col("kind").replace_strict(kinds, return_dtype=pl.String).alias("Source"),
        pl.col("author").alias("Influencer"), pl.lit("vi").alias("Language"),
        (pl.col("reach") * grown).floor().cast(pl.Int64).alias("Reach"),
        (pl.col("engagement") * grown).floor().cast(pl.Int64).alias("Engagement"),
        pl.col("sentiment").replace_strict(moods, return_dtype=pl.String).alias("Sentiment"),
        pl.lit("Sở GD&ĐT").alias("Keywords"),
    )
    return frame.rename(VI_COLUMNS) if vietnamese else frame


def write_listening(out_dir: Path, config: Preset, seed: int, files: dict[str, list[str]], rows: dict[str, int]) -> dict:
    """Weekly overlapping mention exports (every VIETNAMESE_EXPORT_EVERY-th from the Vietnamese tool)."""
    folder = out_dir / "listening"
    folder.mkdir(parents=True, exist_ok=True)
    files.setdefault("listening", [])
    mentions = build_mentions(seed, config)
    rows["listening_mentions"] = mentions.height
    rows["listening_export_rows"] = 0
    for number, exported in enumerate(range(EXPORT_EVERY_DAYS - 1, N_DAYS, EXPORT_EVERY_DAYS)):
        vietnamese = number % VIETNAMESE_EXPORT_EVERY == VIETNAMESE_EXPORT_EVERY - 1
        export = _export_rows(mentions, exported, vietnamese)
        day = DATE_FROM + dt.timedelta(days=exported)
        path = folder / (f"de_cap_{day:%Y-%m-%d}.csv" if vietnamese else f"mentions_{day:%Y-%m-%d}.csv")
        write_csv(export, path, bom=True)
        files["listening"].append(path.relative_to(out_dir).as_posix())
        rows["listening_export_rows"] += export.height
    return {"listening_spike_days": [d.isoformat() for d in spike_days(seed)]}
