"""Sample incident log of the press office, seeded and deterministic.

Most stories that made mentions spike (generator.listening.spike_days) become an incident within a day; the press and the
hotline raise others. The log is saved at the end of each quarter and keeps the previous month's incidents on it: those are
listed again in the next quarter's file, with the response and resolution that came after the earlier save.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from generator.listening import TOPICS, spike_days
from generator.presets import AS_OF, DATE_FROM, N_DAYS, QUARTERS, quarter_label
from generator.writers import write_csv

_STREAM = 203
COLUMNS = {"incident_id": "Mã sự cố", "topic": "Chủ đề", "detected_at": "Thời điểm phát hiện", "via": "Nguồn phát hiện",
           "first_response_at": "Phản hồi đầu tiên", "resolved_at": "Thời điểm kết thúc", "lead": "Đơn vị chủ trì",
           "severity": "Mức độ"}
SPIKE_INCIDENT_SHARE = 0.75
OTHER_INCIDENTS_PER_DAY = {"Báo chí": 0.8 / 30, "Đường dây nóng": 0.6 / 30}
SEVERITIES = (("Thấp", 0.35), ("Trung bình", 0.4), ("Cao", 0.2), ("Nghiêm trọng", 0.05))
LEAD_UNITS = (("SGD_VP", 0.6), ("SGD_GDTRH", 0.15), ("SGD_KHTC", 0.1), ("SGD_TTR", 0.1), ("SGD_GDTH", 0.05))
TIME_FORMAT = "%d/%m/%Y %H:%M"
RELISTED_DAYS = 31


def build_incidents(seed: int) -> pl.DataFrame:
    """Every incident with its times (response and resolution NULL when they come after the data's end)."""
    rng = np.random.default_rng([seed, _STREAM])
    spikes = [d for d in spike_days(seed) if rng.random() < SPIKE_INCIDENT_SHARE]
    origins = [("Theo dõi mạng xã hội", d + dt.timedelta(days=int(rng.integers(0, 2)))) for d in spikes]
    for via, per_day in OTHER_INCIDENTS_PER_DAY.items():
        days = np.flatnonzero(rng.random(N_DAYS) < per_day)
        origins += [(via, DATE_FROM + dt.timedelta(days=int(i))) for i in days]
    origins.sort(key=lambda item: (item[1], item[0]))
    n = len(origins)
    detected = [dt.datetime.combine(day, dt.time(7)) + dt.timedelta(minutes=int(m))
                for (_, day), m in zip(origins, rng.integers(0, 12 * 60, n))]
    to_response = rng.lognormal(np.log(4.0), 0.9, n)
    to_resolution = to_response + rng.lognormal(np.log(40.0), 0.8, n)
    frame = pl.DataFrame({
        "incident_id": [f"SK-{d:%Y}-{i + 1:03d}" for i, d in enumerate(detected)],
        "topic": [TOPICS[t] for t in rng.integers(0, len(TOPICS), n)],
        "detected_at": detected, "via": [via for via, _ in origins],
        "first_response_at": [d + dt.timedelta(hours=float(h)) for d, h in zip(detected, to_response)],
        "resolved_at": [d + dt.timedelta(hours=float(h)) for d, h in zip(detected, to_resolution)],
        "lead": rng.choice([u for u, _ in LEAD_UNITS], n, p=[w for _, w in LEAD_UNITS]),
        "severity": rng.choice([s for s, _ in SEVERITIES], n, p=[w for _, w in SEVERITIES]),
    })
    return frame.with_columns(
        [pl.when(pl.col(c) <= AS_OF).then(pl.col(c)).alias(c) for c in ("first_response_at", "resolved_at")]
    )


def _as_saved(incidents: pl.DataFrame, saved_at: dt.datetime) -> pl.DataFrame:
    """The log as saved at `saved_at`: incidents detected by then, times after it not yet known."""
    part = incidents.filter(pl.col("detected_at") <= saved_at)
    return part.select(
        pl.col("incident_id"), pl.col("topic"), pl.col("detected_at").dt.strftime(TIME_FORMAT), pl.col("via"),
        *[pl.when(pl.col(c) <= saved_at).then(pl.col(c).dt.strftime(TIME_FORMAT)).alias(c)
          for c in ("first_response_at", "resolved_at")],
        pl.col("lead"), pl.col("severity"),
    ).rename(COLUMNS)


def write_incidents(out_dir: Path, seed: int, files: dict[str, list[str]], rows: dict[str, int]) -> dict:
    """One file per quarter, saved at its end: the incidents of the quarter and, listed again with what is known now,
    those of the last RELISTED_DAYS days before it."""
    folder = out_dir / "incidents"
    folder.mkdir(parents=True, exist_ok=True)
    files.setdefault("incidents", [])
    incidents = build_incidents(seed)
    rows["incidents"] = incidents.height
    rows["incident_rows"] = 0
    for q_start, q_end in QUARTERS:
        saved_at = min(dt.datetime.combine(q_end, dt.time(23, 59)), AS_OF)
        relisted_from = dt.datetime.combine(q_start - dt.timedelta(days=RELISTED_DAYS), dt.time())
        log = _as_saved(incidents.filter(pl.col("detected_at") >= relisted_from), saved_at)
        path = folder / f"su_co_{quarter_label(q_start)}.csv"
        write_csv(log, path, bom=True)
        files["incidents"].append(path.relative_to(out_dir).as_posix())
        rows["incident_rows"] += log.height
    return {"incidents_open_at_end": int(incidents["resolved_at"].null_count())}
