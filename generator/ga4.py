"""The GA4 BigQuery export: one Parquet file per day, nested event parameters as GA4 writes them."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from generator.catalog import Catalog
from generator.draws import bucket, mix64, stream_rng
from generator.presets import DATE_FROM, UTC_OFFSET_S, Preset
from generator.traffic import HOUR_WEIGHTS, Traffic

GA4_VALUE = pa.struct([("string_value", pa.string()), ("int_value", pa.int64()), ("float_value", pa.float64()),
                       ("double_value", pa.float64())])
GA4_PARAM = pa.struct([("key", pa.string()), ("value", GA4_VALUE)])
GA4_SCHEMA = pa.schema([
    ("event_date", pa.string()),
    ("event_timestamp", pa.int64()),
    ("event_name", pa.string()),
    ("event_params", pa.list_(GA4_PARAM)),
    ("user_pseudo_id", pa.string()),
    ("device", pa.struct([("category", pa.string())])),
    ("geo", pa.struct([("city", pa.string())])),
    ("traffic_source", pa.struct([("name", pa.string()), ("medium", pa.string()), ("source", pa.string())])),
])
EVENT_NAMES = ("session_start", "page_view", "user_engagement", "scroll", "click")
PARAM_KEYS = ("page_location", "page_title", "ga_session_id", "engagement_time_msec")
DEVICES = (("mobile", 0.66), ("desktop", 0.31), ("tablet", 0.03))
CITIES = (("Ho Chi Minh City", 0.78), ("Bien Hoa", 0.035), ("Thu Dau Mot", 0.03), ("Di An", 0.02), ("Hanoi", 0.04),
          ("Can Tho", 0.015), ("Vung Tau", 0.015), ("Da Nang", 0.01), ("Long Xuyen", 0.005), ("(not set)", 0.05))
# (name, medium, source, share): first-user acquisition, as the export's traffic_source column holds
SOURCES = (("(organic)", "organic", "google", 0.52), ("(direct)", "(none)", "(direct)", 0.25),
           ("(referral)", "referral", "facebook.com", 0.13), ("(referral)", "referral", "zalo", 0.10))
# Fixed writer settings: the same data gives the same bytes.
PARQUET_OPTIONS = dict(compression="zstd", compression_level=3, use_dictionary=True, write_statistics=True,
                       data_page_version="1.0", version="2.6")


def _user_ids(global_user: np.ndarray, seed: int) -> pa.Array:
    """GA4 style `1234567890.1700000000`: a random number and the first-visit time."""
    first = 1_640_995_200 + (mix64(global_user, seed * 97 + 2) % np.uint64(63_072_000)).astype(np.int64)
    number = 100_000_000 + (mix64(global_user, seed * 97 + 1) % np.uint64(1_900_000_000)).astype(np.int64)
    return pc.binary_join_element_wise(pc.cast(pa.array(number), pa.string()), pc.cast(pa.array(first), pa.string()), ".")


def _take(values: tuple, codes: np.ndarray) -> pa.Array:
    return pa.array(list(values), pa.string()).take(pa.array(codes.astype(np.int32)))


@dataclass
class Ga4Context:
    catalog: Catalog
    site_index: np.ndarray  # GA4 sites (indices into catalog.sites)
    share: np.ndarray
    user_offset: np.ndarray
    user_pool: np.ndarray


def ga4_context(catalog: Catalog, preset: Preset, seed: int) -> Ga4Context:
    rng = stream_rng(seed, "ga4")
    index = np.array([i for i, s in enumerate(catalog.sites) if s.source_form == "ga4"], dtype=np.int64)
    kinds = [catalog.sites[i].kind for i in index]
    size = np.array([{"portal": 0.0, "district": 1.0, "school": 0.8, "centre": 0.3}[k] for k in kinds])
    size = size * rng.lognormal(0.0, 0.45, len(index))
    share = np.where(np.array(kinds) == "portal", 0.62, 0.38 * size / size.sum())
    pool = np.ceil(40 * preset.ga4_sessions_per_day * share).astype(np.int64) + 20
    return Ga4Context(catalog, index, share, np.concatenate([[0], np.cumsum(pool)[:-1]]), pool)


GA4_BATCH_SESSIONS = 100_000  # sessions per row group: bounds memory on the busiest days of the large presets


def ga4_day(ctx: Ga4Context, preset: Preset, traffic: Traffic, day: int, weights_cum: np.ndarray, seed: int
             ) -> Iterator[pa.Table]:
    """One day of the GA4 export, as tables of at most GA4_BATCH_SESSIONS sessions each (one row group per table)."""
    rng = stream_rng(seed, "ga4", day)
    mult = np.where(ctx.site_index == 0, traffic.portal[day], traffic.subsite[day])
    n_sessions = rng.poisson(preset.ga4_sessions_per_day * ctx.share * mult)
    session_site_local = np.repeat(np.arange(len(ctx.site_index)), n_sessions)
    n = len(session_site_local)
    # Returning visitors: a skewed draw from each site's pool of users.
    user = (ctx.user_offset[session_site_local]
            + np.floor(ctx.user_pool[session_site_local] * rng.random(n) ** 2).astype(np.int64))
    start_s = rng.choice(24, n, p=HOUR_WEIGHTS) * 3600 + rng.integers(0, 3600, n)
    for batch, first in enumerate(range(0, max(n, 1), GA4_BATCH_SESSIONS)):
        part = slice(first, first + GA4_BATCH_SESSIONS)
        yield _ga4_events(ctx, traffic, day, weights_cum, seed, stream_rng(seed, "ga4", day, batch),
                          ctx.site_index[session_site_local[part]], user[part], start_s[part])


@dataclass
class PageViews:
    """The page views of a batch of sessions, in session order."""

    session: np.ndarray  # session of each page view
    first: np.ndarray  # per session: index of its first page view
    order_in_session: np.ndarray
    time_us: np.ndarray  # microseconds since local midnight
    page: np.ndarray  # index into the catalogue
    session_start_s: np.ndarray  # per session, moved earlier so the session ends on its day


def _page_views(ctx: Ga4Context, traffic: Traffic, day: int, weights_cum: np.ndarray, rng: np.random.Generator,
                session_site: np.ndarray, start_s: np.ndarray) -> PageViews:
    catalog = ctx.catalog
    n = len(session_site)
    n_pv = np.minimum(rng.geometric(0.4, n), 25)
    pv_session = np.repeat(np.arange(n), n_pv)
    first_pv = np.cumsum(n_pv) - n_pv
    order_in_session = np.arange(len(pv_session)) - first_pv[pv_session]
    gaps = np.where(order_in_session == 0, 0.0, rng.exponential(50.0, len(pv_session)) + 2.0)
    running = np.cumsum(gaps)
    offset_s = running - running[first_pv][pv_session]
    duration = offset_s[first_pv + n_pv - 1] + 90.0
    start_s = np.clip(np.minimum(start_s, 86_399 - np.ceil(duration)), 0, None).astype(np.int64)
    pv_us = ((start_s[pv_session] + offset_s) * 1e6).astype(np.int64) + rng.integers(0, 999_999, len(pv_session))

    pv_site = session_site[pv_session]
    page = catalog.pick(weights_cum, pv_site, rng.random(len(pv_session)))
    spike = traffic.spike_of_day[day]
    if spike >= 0:
        to_spike = (pv_site == 0) & (rng.random(len(pv_session)) < traffic.spike_share[day])
        page[to_spike] = catalog.spike_page[spike]
    return PageViews(pv_session, first_pv, order_in_session, pv_us, page, start_s)


def _events(rng: np.random.Generator, views: PageViews) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every event in time order: its page view, event name code, microseconds since midnight, engagement ms (-1: none)."""
    n = len(views.first)
    pv_us, first_pv = views.time_us, views.first
    pv_index = np.arange(len(views.session))
    engaged = rng.random(len(views.session)) < 0.32
    scrolled = rng.random(len(views.session)) < 0.15
    clicked = rng.random(len(views.session)) < 0.05
    event_pv = np.concatenate([first_pv, pv_index, pv_index[engaged], pv_index[scrolled], pv_index[clicked]])
    event_name = np.concatenate([np.zeros(n, np.int8), np.ones(len(pv_index), np.int8), np.full(engaged.sum(), 2, np.int8),
                                 np.full(scrolled.sum(), 3, np.int8), np.full(clicked.sum(), 4, np.int8)])
    event_us = np.concatenate([pv_us[first_pv], pv_us, pv_us[engaged] + rng.integers(1_000_000, 30_000_000, engaged.sum()),
                               pv_us[scrolled] + rng.integers(3_000_000, 40_000_000, scrolled.sum()),
                               pv_us[clicked] + rng.integers(2_000_000, 60_000_000, clicked.sum())])
    engagement_ms = np.concatenate([
        np.full(n + len(pv_index), -1, np.int64),
        np.minimum(rng.lognormal(np.log(22_000), 0.9, engaged.sum()), 1_800_000).astype(np.int64),
        np.minimum(rng.lognormal(np.log(15_000), 0.7, scrolled.sum()), 1_800_000).astype(np.int64),
        np.full(clicked.sum(), -1, np.int64),
    ])
    event_us = np.minimum(event_us, 86_400_000_000 - 1)
    order = np.argsort(event_us, kind="stable")
    return event_pv[order], event_name[order], event_us[order], engagement_ms[order]


def _page_location(location: pa.Array, with_click_id: np.ndarray, event_session: np.ndarray, user_source: np.ndarray,
                   seed: int, day: int) -> pa.Array:
    """Landing URLs of social visits with the click id appended (fbclid, or Zalo's utm parameters)."""
    if not with_click_id.any():
        return location
    facebook_ids = pc.binary_join_element_wise(
        "?fbclid=IwAR", pc.cast(pa.array((mix64(event_session, seed + day) % np.uint64(10**12)).astype(np.int64)),
                                pa.string()), "")
    zalo = pa.array(user_source[event_session] == 3)
    click_ids = pc.if_else(zalo, "?zarsrc=30&utm_source=zalo&utm_medium=zalo", facebook_ids)
    suffixed = pc.binary_join_element_wise(location, click_ids, "")
    return pc.if_else(pa.array(with_click_id), suffixed, location)


def _event_params(location: pa.Array, title: pa.Array, session_id: np.ndarray, engagement_ms: np.ndarray) -> pa.Array:
    """event_params: page_location, page_title, ga_session_id and, for engagement events, engagement_time_msec."""
    n_events = len(engagement_ms)
    has_engagement = engagement_ms >= 0
    n_params = 3 + has_engagement.astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(n_params)])
    total = int(offsets[-1])
    base = offsets[:-1]
    key_code = np.full(total, 3, np.int8)
    key_code[base], key_code[base + 1], key_code[base + 2] = 0, 1, 2
    string_source = np.full(total, 2 * n_events, np.int64)
    string_source[base], string_source[base + 1] = np.arange(n_events), n_events + np.arange(n_events)
    strings = pa.concat_arrays([location.cast(pa.string()), title, pa.nulls(1, pa.string())]).take(pa.array(string_source))
    int_value = np.zeros(total, np.int64)
    int_valid = np.zeros(total, bool)
    int_value[base + 2], int_valid[base + 2] = session_id, True
    eng_pos = base[has_engagement] + 3
    int_value[eng_pos], int_valid[eng_pos] = engagement_ms[has_engagement], True
    value = pa.StructArray.from_arrays(
        [strings, pa.array(int_value, pa.int64(), mask=~int_valid), pa.nulls(total, pa.float64()),
         pa.nulls(total, pa.float64())], fields=list(GA4_VALUE))
    params = pa.StructArray.from_arrays([_take(PARAM_KEYS, key_code), value], fields=list(GA4_PARAM))
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), params, type=pa.list_(GA4_PARAM))


def _ga4_events(ctx: Ga4Context, traffic: Traffic, day: int, weights_cum: np.ndarray, seed: int, rng: np.random.Generator,
                session_site: np.ndarray, user: np.ndarray, start_s: np.ndarray) -> pa.Table:
    """The events of the given sessions: page views, session_start, engagement, scrolls, clicks."""
    catalog = ctx.catalog
    views = _page_views(ctx, traffic, day, weights_cum, rng, session_site, start_s)
    user_source = bucket(mix64(user, seed * 97 + 5), [s[3] for s in SOURCES])
    # Social landing pages carry the click id in the URL, as in real exports.
    social = (views.order_in_session == 0) & (user_source[views.session] >= 2) & (rng.random(len(views.session)) < 0.6)
    event_pv, event_name, event_us, engagement_ms = _events(rng, views)
    event_session = views.session[event_pv]
    event_user = user[event_session]

    midnight_utc_s = (day + (DATE_FROM - dt.date(1970, 1, 1)).days) * 86_400 - UTC_OFFSET_S
    timestamp_us = midnight_utc_s * 1_000_000 + event_us
    session_id = midnight_utc_s + views.session_start_s[event_session]

    n_events = len(event_pv)
    location = _page_location(catalog.url.take(pa.array(views.page[event_pv])), social[event_pv], event_session,
                              user_source, seed, day)
    title = catalog.title_arr.take(pa.array(views.page[event_pv]))
    event_params = _event_params(location, title, session_id, engagement_ms)

    source = user_source[event_session]
    date_string = (DATE_FROM + dt.timedelta(days=day)).strftime("%Y%m%d")
    columns = [
        pa.repeat(pa.scalar(date_string, pa.string()), n_events),
        pa.array(timestamp_us, pa.int64()),
        _take(EVENT_NAMES, event_name),
        event_params,
        _user_ids(user.astype(np.uint64), seed).take(pa.array(event_session)),
        pa.StructArray.from_arrays([_take(tuple(d for d, _ in DEVICES),
                                          bucket(mix64(event_user, seed * 97 + 3), [w for _, w in DEVICES]))],
                                   names=["category"]),
        pa.StructArray.from_arrays([_take(tuple(c for c, _ in CITIES),
                                          bucket(mix64(event_user, seed * 97 + 4), [w for _, w in CITIES]))],
                                   names=["city"]),
        pa.StructArray.from_arrays([_take(tuple(s[0] for s in SOURCES), source), _take(tuple(s[1] for s in SOURCES), source),
                                    _take(tuple(s[2] for s in SOURCES), source)], names=["name", "medium", "source"]),
    ]
    return pa.Table.from_arrays(columns, schema=GA4_SCHEMA)
