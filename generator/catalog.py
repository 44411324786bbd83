"""The unit registry, the sites of the units and every page of every site (evergreen pages, spikes, news)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from edukpi import settings
from generator.draws import stream_rng
from generator.presets import ACCESS_LOG_UNITS, DATE_FROM, N_DAYS, PAGE_REPORT_UNITS, PORTAL_UNIT
from generator.text import slug
from generator.titles import (CENTRE_EVERGREEN, DISTRICT_EVERGREEN, NEWS_FROM_DAY, NEWS_PER_DAY, PORTAL_EVERGREEN,
                              SCHOOL_EVERGREEN, unit_kind, unit_titles)
from generator.traffic import SPIKES


def load_registry(path: Path | None = None) -> pl.DataFrame:
    registry = pl.read_csv(path or settings.UNIT_REGISTRY_CSV, infer_schema=False)
    registry = registry.with_columns(
        pl.col("valid_from").str.to_date(), pl.col("valid_to").str.to_date(), pl.col("site_host").fill_null("")
    )
    prefix = "Phòng Giáo dục và Đào tạo "
    return registry.with_columns(
        # "Quận 7", "quận Bình Thạnh", "huyện Củ Chi", "thành phố Thủ Đức": the area a district office serves.
        area=pl.when(pl.col("unit_type") == "district_office").then(pl.col("unit_name").str.strip_prefix(prefix))
        .otherwise(None)
    )


@dataclass(frozen=True)
class Site:
    host: str
    unit_code: str
    unit_name: str
    kind: str
    source_form: str  # ga4 | access_log | page_report


@dataclass
class Catalog:
    """Every page of every site: sites are contiguous blocks, so one cumulative array samples pages for all sites."""

    sites: list[Site]
    site_of_page: np.ndarray
    site_start: np.ndarray
    site_end: np.ndarray
    path_np: np.ndarray  # object arrays of str
    title_np: np.ndarray
    url: pa.Array
    title_arr: pa.Array
    publish_day: np.ndarray  # days since DATE_FROM; evergreen pages: far in the past
    base_weight: np.ndarray
    is_news: np.ndarray
    spike_page: np.ndarray  # page index per SPIKES entry

    def day_weights(self, day: int) -> np.ndarray:
        """Per-site normalised page weights of one day (each site sums to 1): news fade, evergreen pages stay."""
        age = day - self.publish_day
        decay = np.where(age >= 0, np.exp(-np.maximum(age, 0) / 4.0) + 0.04 * np.exp(-np.maximum(age, 0) / 150.0), 0.0)
        news = np.where(self.is_news, self.base_weight * decay, 0.0)
        evergreen = np.where(self.is_news, 0.0, self.base_weight)
        n_sites = len(self.sites)
        news_sum = np.bincount(self.site_of_page, news, minlength=n_sites)
        ever_sum = np.bincount(self.site_of_page, evergreen, minlength=n_sites)
        evergreen_share = np.where(news_sum > 0, np.where(np.arange(n_sites) == 0, 0.45, 0.55), 1.0)
        weights = (evergreen * (evergreen_share / ever_sum)[self.site_of_page]
                   + news * ((1 - evergreen_share) / np.where(news_sum > 0, news_sum, 1.0))[self.site_of_page])
        return weights

    def sampler(self, weights: np.ndarray) -> np.ndarray:
        """Cumulative weights where site s spans exactly [s, s + 1)."""
        cumulative = np.cumsum(weights)
        before = np.concatenate([[0.0], cumulative])[self.site_start]
        total = cumulative[self.site_end - 1] - before
        cum = self.site_of_page + (cumulative - before[self.site_of_page]) / total[self.site_of_page]
        cum[self.site_end - 1] = np.arange(len(self.sites)) + 1.0
        return cum

    def pick(self, cum: np.ndarray, site: np.ndarray, u: np.ndarray) -> np.ndarray:
        page = np.searchsorted(cum, site + u, side="right")
        return np.clip(page, self.site_start[site], self.site_end[site] - 1)


def build_catalog(seed: int, registry: pl.DataFrame) -> Catalog:
    rng = stream_rng(seed, "catalog")
    hosted = registry.filter(pl.col("site_host") != "")
    # The portal first: site 0.
    hosted = pl.concat([hosted.filter(pl.col("unit_code") == PORTAL_UNIT), hosted.filter(pl.col("unit_code") != PORTAL_UNIT)])
    sites = []
    for row in hosted.iter_rows(named=True):
        form = ("access_log" if row["unit_code"] in ACCESS_LOG_UNITS
                else "page_report" if row["unit_code"] in PAGE_REPORT_UNITS else "ga4")
        sites.append(Site(row["site_host"], row["unit_code"], row["unit_name"], unit_kind(row["unit_code"], row["unit_type"]), form))
    missing = set(ACCESS_LOG_UNITS + PAGE_REPORT_UNITS) - {s.unit_code for s in sites}
    if missing:
        raise ValueError(f"{settings.UNIT_REGISTRY_CSV}: units {sorted(missing)} need a site_host for the sample logs/reports")

    site_of_page, paths, titles, publish, weight, news_flag = [], [], [], [], [], []
    news_site, news_kind, news_day = [], [], []
    spike_page = np.zeros(len(SPIKES), dtype=np.int64)
    for number, site in enumerate(sites):
        evergreen = {"portal": PORTAL_EVERGREEN, "district": DISTRICT_EVERGREEN, "school": SCHOOL_EVERGREEN,
                     "centre": CENTRE_EVERGREEN}[site.kind]
        for path, title, w in evergreen:
            site_of_page.append(number), paths.append(path), titles.append(title.format(unit=site.unit_name))
            publish.append(-10**6), weight.append(w), news_flag.append(False)
        if site.kind == "portal":
            for spike_number, (first, _, _, path, title) in enumerate(SPIKES):
                spike_page[spike_number] = len(paths)
                site_of_page.append(number), paths.append(path), titles.append(title)
                publish.append((first - DATE_FROM).days - 3), weight.append(6.0), news_flag.append(True)
        count = rng.poisson(NEWS_PER_DAY[site.kind] * (N_DAYS - NEWS_FROM_DAY))
        days = np.sort(rng.integers(NEWS_FROM_DAY, N_DAYS, count))
        news_site += [number] * count
        news_kind += [site.kind] * count
        news_day.append(days)
    news_day_arr = np.concatenate(news_day)
    units = registry.join(pl.DataFrame({"site_host": [sites[i].host for i in news_site]}).with_row_index("_n"),
                          on="site_host").sort("_n")
    news_titles, _ = unit_titles(rng, news_kind, news_day_arr, units)
    news_titles = news_titles.to_list()
    article_ids = 10_000 + rng.permutation(len(news_titles) * 3)[: len(news_titles)]
    slugs = slug(pl.Series(news_titles)).to_list()
    # Insert the news of each site right after its evergreen pages: sites stay contiguous.
    order = np.argsort(np.concatenate([np.array(site_of_page, dtype=np.int64), np.array(news_site, dtype=np.int64)]),
                       kind="stable")
    all_site = np.concatenate([np.array(site_of_page, dtype=np.int64), np.array(news_site, dtype=np.int64)])[order]
    all_path = np.array(paths + [f"/tin-tuc/{s}-{i}" for s, i in zip(slugs, article_ids)], dtype=object)[order]
    all_title = np.array(titles + news_titles, dtype=object)[order]
    all_publish = np.concatenate([np.array(publish, dtype=np.int64), news_day_arr])[order]
    all_weight = np.concatenate([np.array(weight), rng.lognormal(0.0, 1.0, len(news_titles))])[order]
    all_news = np.concatenate([np.array(news_flag, dtype=bool), np.ones(len(news_titles), dtype=bool)])[order]
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    spike_page = inverse[spike_page]
    site_start = np.searchsorted(all_site, np.arange(len(sites)), side="left")
    site_end = np.searchsorted(all_site, np.arange(len(sites)), side="right")
    hosts = np.array([s.host for s in sites], dtype=object)
    urls = ["https://" + h + p for h, p in zip(hosts[all_site], all_path)]
    return Catalog(
        sites=sites, site_of_page=all_site, site_start=site_start, site_end=site_end, path_np=all_path,
        title_np=all_title, url=pa.array(urls, pa.string()), title_arr=pa.array(list(all_title), pa.string()),
        publish_day=all_publish, base_weight=all_weight, is_news=all_news, spike_page=spike_page,
    )
