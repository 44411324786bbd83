"""The analytics sources month by month: GA4 export per day, access logs per host and day, page reports per month."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from generator.access_logs import access_log_days
from generator.catalog import Catalog
from generator.draws import stream_rng
from generator.ga4 import GA4_BATCH_SESSIONS, GA4_SCHEMA, PARQUET_OPTIONS, ga4_context, ga4_day
from generator.page_reports import page_report_month
from generator.presets import DATE_FROM, N_DAYS, Preset
from generator.traffic import Traffic
from generator.writers import write_csv


def write_analytics(out_dir: Path, config: Preset, seed: int, catalog: Catalog, traffic: Traffic, progress: bool,
                     files: dict[str, list[str]], rows: dict[str, int]) -> list[dict]:
    """GA4 export (a file per day), access logs (per host per day), page reports (per host per month); month by month."""
    ga4 = ga4_context(catalog, config, seed)
    ga4_dir = out_dir / "analytics" / "ga4"
    log_dir = out_dir / "analytics" / "access_logs"
    report_dir = out_dir / "analytics" / "page_reports"
    log_sites = [i for i, s in enumerate(catalog.sites) if s.source_form == "access_log"]
    report_sites = [i for i, s in enumerate(catalog.sites) if s.source_form == "page_report"]
    for folder in [ga4_dir, report_dir] + [log_dir / catalog.sites[site].host for site in log_sites]:
        folder.mkdir(parents=True, exist_ok=True)
    for key in ("ga4_events", "ga4_page_views", "access_log_lines", "page_report_rows"):
        rows[key] = 0

    late_rng = stream_rng(seed, "late")
    late_days = set(np.sort(late_rng.choice(np.arange(10, N_DAYS - 10), int(late_rng.integers(3, 5)), replace=False)).tolist())
    late_notes = []
    # Access logs are built for several days at once (cheap for small presets), in chunks of a bounded number of lines.
    log_chunk_days = int(np.clip(250_000 // (config.access_log_page_views_per_day * 6), 1, 31))

    bar = tqdm(total=N_DAYS, desc=f"edukpi generate {config.name}", unit="day", disable=not (progress and config.show_progress))
    month_starts = [d for d in range(N_DAYS) if (DATE_FROM + dt.timedelta(days=d)).day == 1]
    for month_start, month_end in zip(month_starts, month_starts[1:] + [N_DAYS]):
        days = np.arange(month_start, month_end)
        weights = {int(d): catalog.day_weights(int(d)) for d in days}
        cums = {d: catalog.sampler(w) for d, w in weights.items()}
        for day in days.tolist():
            date = DATE_FROM + dt.timedelta(days=day)
            path = ga4_dir / f"events_{date:%Y%m%d}.parquet"
            day_events = 0
            with pq.ParquetWriter(path, GA4_SCHEMA, **PARQUET_OPTIONS) as writer:
                for table in ga4_day(ga4, config, traffic, day, cums[day], seed):
                    writer.write_table(table, row_group_size=GA4_BATCH_SESSIONS * 8)
                    day_events += table.num_rows
                    rows["ga4_page_views"] += int(pc.sum(pc.equal(table["event_name"], "page_view")).as_py() or 0)
            files["ga4"].append(path.relative_to(out_dir).as_posix())
            rows["ga4_events"] += day_events
            if day in late_days:
                late = int(round(day_events * float(late_rng.uniform(0.02, 0.08))))
                late_notes.append({"date": date.isoformat(), "file": path.relative_to(out_dir).as_posix(), "late_events": late})
            bar.update(1)
        for site in log_sites:
            for chunk_start in range(month_start, month_end, log_chunk_days):
                chunk = np.arange(chunk_start, min(chunk_start + log_chunk_days, month_end))
                logs = access_log_days(catalog, site, config, traffic, chunk, {int(d): cums[int(d)] for d in chunk}, seed)
                for day, (body, n_lines) in zip(chunk.tolist(), logs):
                    path = log_dir / catalog.sites[site].host / f"access-{DATE_FROM + dt.timedelta(days=day):%Y%m%d}.log.gz"
                    path.write_bytes(body)
                    files["access_logs"].append(path.relative_to(out_dir).as_posix())
                    rows["access_log_lines"] += n_lines
        for site in report_sites:
            frame = page_report_month(catalog, site, config, traffic, days, weights, seed)
            path = report_dir / f"{catalog.sites[site].host}_{DATE_FROM + dt.timedelta(days=month_start):%Y-%m}.csv"
            write_csv(frame, path, bom=False)
            files["page_reports"].append(path.relative_to(out_dir).as_posix())
            rows["page_report_rows"] += frame.height
    bar.close()
    return late_notes
