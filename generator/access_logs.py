"""nginx access logs (Combined Log Format, gzip, one file per host and day) of the hosts outside GA4."""
from __future__ import annotations

import datetime as dt
import gzip
import io
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from generator.catalog import Catalog
from generator.draws import bucket, mix64, stream_rng
from generator.presets import DATE_FROM, Preset
from generator.traffic import HOUR_WEIGHTS, Traffic

BROWSER_AGENTS = (
    ("Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36", 0.2),
    ("Mozilla/5.0 (Linux; Android 14; 23106RN0DA) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.165 Mobile Safari/537.36", 0.1),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 0.16),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1", 0.06),
    ("Mozilla/5.0 (Linux; Android 12; CPH2269) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", 0.06),
    ("Mozilla/5.0 (Linux; Android 13; SM-A325F Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
     "Chrome/124.0.6367.179 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/466.0.0.53.109;]", 0.06),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", 0.16),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0", 0.05),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/123.0.198 "
     "Chrome/117.0.5938.198 Safari/537.36", 0.07),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", 0.03),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0", 0.02),
    ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 0.03),
)
# (user agent, IP prefix, hits per day as a share of human page views, minimum hits per day)
BOTS = (
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "66.249.66.", 0.15, 2),
    ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/125.0.6422.175 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "66.249.72.", 0.1, 1),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "40.77.167.", 0.06, 1),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "54.36.148.", 0.04, 0),
    ("Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/searchengine)", "123.30.175.", 0.04, 0),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "173.252.83.", 0.02, 0),
)
MONITOR_AGENT = "curl/7.81.0"
SCANNER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36"
SCANNER_PATHS = ("/wp-login.php", "/.env", "/phpmyadmin/", "/wp-admin/setup-config.php", "/.git/config", "/admin/config.php",
                 "/xmlrpc.php", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php")
ASSETS = ("/themes/hcmedu/css/bootstrap.min.css", "/themes/hcmedu/css/style.css?v=20240115", "/themes/hcmedu/js/jquery-3.6.0.min.js",
          "/themes/hcmedu/js/main.js?v=20240115", "/themes/hcmedu/fonts/Roboto-Regular.woff2", "/images/logo.png",
          "/favicon.ico", "/uploads/images/banner-01.jpg", "/uploads/images/banner-02.jpg",
          "/themes/hcmedu/images/icon-zalo.svg", "/themes/hcmedu/js/main.js.map")
ASSET_WEIGHTS = (0.16, 0.16, 0.14, 0.14, 0.08, 0.1, 0.06, 0.06, 0.05, 0.04, 0.01)
ASSET_BYTES = (159_000, 24_000, 89_000, 12_000, 64_000, 8_500, 4_300, 210_000, 180_000, 1_200, 40_000)
DOWNLOADS = ("/uploads/files/ke-hoach-nam-hoc.pdf", "/uploads/files/thong-bao-tuyen-sinh.pdf", "/uploads/files/lich-cong-tac.pdf")
REFERRERS = ("https://www.google.com/", "https://www.google.com.vn/", "-", "https://www.facebook.com/", "http://m.facebook.com/",
             "https://hcm.edu.vn/", "https://coccoc.com/")
REFERRER_WEIGHTS = (0.38, 0.12, 0.25, 0.1, 0.05, 0.07, 0.03)
VN_PREFIXES = ("113.161", "113.172", "14.161", "14.169", "171.244", "27.64", "27.72", "42.113", "42.118", "116.110",
               "115.78", "125.235", "183.80", "1.53", "58.187", "118.69")


_OCTETS = np.array([str(i) for i in range(256)], dtype=object)
_CLOCK: list[pa.Array] = []


def _clock() -> pa.Array:
    """"HH:MM:SS" for every second of a day, built once."""
    if not _CLOCK:
        _CLOCK.append(pa.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)], pa.string()))
    return _CLOCK[0]


def _pick_by_day(catalog: Catalog, cums: dict[int, np.ndarray], day: np.ndarray, site: np.ndarray, u: np.ndarray
                 ) -> np.ndarray:
    """Pages for hits of several days (hits sorted by day): each day samples with its own page weights."""
    page = np.zeros(len(day), dtype=np.int64)
    bounds = np.searchsorted(day, np.array(sorted(cums)), side="left").tolist() + [len(day)]
    for (start, end), d in zip(zip(bounds[:-1], bounds[1:]), sorted(cums)):
        page[start:end] = catalog.pick(cums[d], site[start:end], u[start:end])
    return page


class _Hits:
    """Log lines as columns (day, second, IP, method, path, status, bytes, referrer, agent), added in groups."""

    names = ("day", "t", "ip", "method", "path", "status", "bytes", "ref", "ua")
    numeric = ("day", "t", "status", "bytes")

    def __init__(self) -> None:
        self.columns: dict[str, list[np.ndarray]] = {name: [] for name in self.names}

    def add(self, *values) -> None:
        """One value per column: an array (one entry per line) or a constant for every line of the group."""
        count = len(values[0])
        for name, value in zip(self.names, values):
            if isinstance(value, np.ndarray):
                self.columns[name].append(value)
            else:
                self.columns[name].append(np.full(count, value, dtype=np.int64 if name in self.numeric else object))

    def concatenated(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate(parts) for name, parts in self.columns.items()}


@dataclass(frozen=True)
class _Visits:
    day: np.ndarray
    pages: np.ndarray  # page views per visit
    start_s: np.ndarray
    ip: np.ndarray
    agent: np.ndarray
    referrer: np.ndarray


def _visits(rng: np.random.Generator, site: int, preset: Preset, expected_pv: np.ndarray, days: np.ndarray, seed: int
            ) -> _Visits:
    """Human visits of the days: a visitor (address and browser, stable per visitor), a start time and a referrer."""
    visits_per_day = rng.poisson(expected_pv / 1.8)
    visit_day = np.repeat(days, visits_per_day)
    n_visits = len(visit_day)
    pages_per_visit = np.minimum(rng.geometric(0.55, n_visits), 8)
    visit_start = rng.choice(24, n_visits, p=HOUR_WEIGHTS) * 3600 + rng.integers(0, 3600, n_visits)
    visitor = np.floor(rng.random(n_visits) ** 2 * max(preset.access_log_page_views_per_day * 30, 50)).astype(np.uint64)
    hv = mix64(visitor, seed * 131 + site)
    visit_ip = (np.asarray(VN_PREFIXES, dtype=object)[(hv % np.uint64(len(VN_PREFIXES))).astype(np.int64)] + "."
                + _OCTETS[((hv >> np.uint64(8)) % np.uint64(256)).astype(np.int64)] + "."
                + _OCTETS[((hv >> np.uint64(16)) % np.uint64(254) + np.uint64(1)).astype(np.int64)])
    agents = np.asarray([a for a, _ in BROWSER_AGENTS], dtype=object)
    visit_agent = agents[bucket(hv, [w for _, w in BROWSER_AGENTS])]
    visit_referrer = np.asarray(REFERRERS, dtype=object)[rng.choice(len(REFERRERS), n_visits, p=REFERRER_WEIGHTS)]
    return _Visits(visit_day, pages_per_visit, visit_start, visit_ip, visit_agent, visit_referrer)


def _human_hits(rng: np.random.Generator, catalog: Catalog, site: int, cums: dict[int, np.ndarray], visits: _Visits,
                hits: _Hits) -> None:
    """Page views of the visits, with the static assets and downloads they load."""
    site_url = "https://" + catalog.sites[site].host
    visit_day, pages_per_visit, visit_start = visits.day, visits.pages, visits.start_s
    visit_ip, visit_agent, visit_referrer = visits.ip, visits.agent, visits.referrer
    n_visits = len(visit_day)
    hit_visit = np.repeat(np.arange(n_visits), pages_per_visit)
    n_pages = len(hit_visit)
    hit_day = visit_day[hit_visit]
    first = np.cumsum(pages_per_visit) - pages_per_visit
    order_in_visit = np.arange(n_pages) - first[hit_visit]
    gaps = np.where(order_in_visit == 0, 0, rng.exponential(40.0, n_pages) + 3).astype(np.int64)
    running = np.cumsum(gaps)
    page_t = np.minimum(visit_start[hit_visit] + running - running[first][hit_visit], 86_399)
    page = _pick_by_day(catalog, cums, hit_day, np.full(n_pages, site), rng.random(n_pages))
    path = catalog.path_np[page]
    status = rng.choice(np.array([200, 304, 404, 500]), n_pages, p=[0.905, 0.07, 0.02, 0.005])
    # A 404 comes from an old link of the previous CMS.
    path = np.where(status == 404, "/Default.aspx?tabid=" + _OCTETS[rng.integers(50, 256, n_pages)], path)
    method = np.where(rng.random(n_pages) < 0.004, "POST", "GET").astype(object)
    path = np.where(method == "POST", "/lien-he", path)
    page_bytes = np.where(status == 304, 0, np.where(status == 200, rng.lognormal(np.log(26_000), 0.35, n_pages),
                                                     rng.integers(900, 5_000, n_pages))).astype(np.int64)
    previous = np.maximum(np.arange(n_pages) - 1, 0)
    referrer = np.where(order_in_visit > 0, site_url + path[previous], visit_referrer[hit_visit])

    # Static assets: the first page of a visit loads them (200), later pages mostly revalidate (304).
    n_assets = np.where(order_in_visit == 0, 2 + rng.poisson(2.5, n_pages), rng.poisson(0.6, n_pages))
    n_assets = np.minimum(np.where(status == 200, n_assets, 0), len(ASSETS))
    asset_of = np.repeat(np.arange(n_pages), n_assets)
    # Distinct assets per page, the common ones first: weighted sampling without replacement (Efraimidis-Spirakis keys).
    keys = np.log(rng.random((n_pages, len(ASSETS)))) / np.asarray(ASSET_WEIGHTS)
    asset = np.argsort(-keys, axis=1, kind="stable")[np.arange(len(ASSETS)) < n_assets[:, None]]
    asset_status = np.where((order_in_visit[asset_of] == 0) & (rng.random(len(asset_of)) < 0.85), 200, 304)
    downloads = np.flatnonzero(rng.random(n_pages) < 0.02)

    hit_ip, hit_agent = visit_ip[hit_visit], visit_agent[hit_visit]
    hits.add(hit_day, page_t, hit_ip, method, path, status, page_bytes, referrer, hit_agent)
    hits.add(hit_day[asset_of], page_t[asset_of] + rng.integers(0, 3, len(asset_of)), hit_ip[asset_of], "GET",
             np.asarray(ASSETS, dtype=object)[asset], asset_status,
             np.where(asset_status == 200, np.asarray(ASSET_BYTES)[asset], 0), site_url + path[asset_of], hit_agent[asset_of])
    hits.add(hit_day[downloads], page_t[downloads] + 5, hit_ip[downloads], "GET",
             np.asarray(DOWNLOADS, dtype=object)[rng.integers(0, len(DOWNLOADS), len(downloads))], 200,
             rng.integers(150_000, 2_500_000, len(downloads)), site_url + path[downloads], hit_agent[downloads])


def _machine_hits(rng: np.random.Generator, catalog: Catalog, site: int, days: np.ndarray, expected_pv: np.ndarray,
                  hits: _Hits) -> None:
    """Crawlers, the hourly uptime check and vulnerability scanners."""
    # Crawlers: each bot fetches pages already published (and robots.txt) from its own address range.
    site_pages = np.arange(catalog.site_start[site], catalog.site_end[site])
    site_pages = site_pages[np.argsort(catalog.publish_day[site_pages], kind="stable")]
    published_by = np.searchsorted(catalog.publish_day[site_pages], days, side="right")
    per_bot = rng.poisson(np.outer(expected_pv, [b[2] for b in BOTS])) + np.array([b[3] for b in BOTS])
    bot_day = np.repeat(np.repeat(days, len(BOTS)), per_bot.ravel())
    bot = np.repeat(np.tile(np.arange(len(BOTS)), len(days)), per_bot.ravel())
    count = len(bot)
    eligible = published_by[bot_day - days[0]]
    crawled = site_pages[np.floor(rng.random(count) * eligible).astype(np.int64)]
    bot_path = np.where(rng.random(count) < 0.05, "/robots.txt", catalog.path_np[crawled])
    bot_status = np.where(rng.random(count) < 0.03, 404, 200)
    hits.add(bot_day, rng.integers(0, 86_400, count),
             np.asarray([b[1] for b in BOTS], dtype=object)[bot] + _OCTETS[rng.integers(1, 255, count)], "GET", bot_path,
             bot_status, np.where(bot_status == 200, rng.integers(15_000, 40_000, count), 1_024), "-",
             np.asarray([b[0] for b in BOTS], dtype=object)[bot])
    # Hourly uptime check from the department's monitoring host.
    hits.add(np.repeat(days, 24), np.tile(np.arange(0, 86_400, 3_600), len(days)) + np.repeat(rng.integers(0, 60, len(days)), 24),
             "10.10.0.5", "HEAD", "/", 200, 0, "-", MONITOR_AGENT)
    # Vulnerability scanners on some days.
    scans = np.where(rng.random(len(days)) < 0.3, rng.integers(3, 9, len(days)), 0)
    scan_day = np.repeat(days, scans)
    hits.add(scan_day, rng.integers(0, 86_340, len(scan_day)), "45.148.10." + _OCTETS[rng.integers(2, 250, len(days))][scan_day - days[0]],
             "GET", np.asarray(SCANNER_PATHS, dtype=object)[rng.integers(0, len(SCANNER_PATHS), len(scan_day))], 404, 548, "-",
             SCANNER_AGENT)


def _in_log_order(rng: np.random.Generator, hits: _Hits, days: np.ndarray
                  ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Lines sorted by day and time, a few duplicated by shipping retries; with lines per day and each day's first line."""
    data = hits.concatenated()
    data["t"] = np.minimum(data["t"], 86_399)  # assets of a page loaded at 23:59:59 stay in the day's file
    order = np.lexsort((data["t"], data["day"]))
    per_day = np.bincount(data["day"] - days[0], minlength=len(days))
    day_start = np.concatenate([[0], np.cumsum(per_day)])
    # Log shipping retries duplicate a few lines (right after the original) on some days.
    dup_counts = np.where((rng.random(len(days)) < 0.15) & (per_day > 5), rng.integers(1, 4, len(days)), 0)
    dup_day = np.repeat(np.arange(len(days)), dup_counts)
    again = day_start[dup_day] + np.floor(rng.random(len(dup_day)) * per_day[dup_day]).astype(np.int64)
    order = order[np.sort(np.concatenate([np.arange(len(order)), again]), kind="stable")]
    data = {name: values[order] for name, values in data.items()}
    per_day = np.bincount(data["day"] - days[0], minlength=len(days))
    day_start = np.concatenate([[0], np.cumsum(per_day)])
    return data, per_day, day_start


def _log_lines(rng: np.random.Generator, data: dict[str, np.ndarray], days: np.ndarray, per_day: np.ndarray,
               day_start: np.ndarray) -> pa.Array:
    """The Combined Log Format text of every line, a few cut short by a crash."""
    date_prefix = pa.array([" - - [" + (DATE_FROM + dt.timedelta(days=int(d))).strftime("%d/%b/%Y:") for d in days])
    lines = pc.binary_join_element_wise(
        pa.array(data["ip"], pa.string()), date_prefix.take(pa.array(data["day"] - days[0])), _clock().take(pa.array(data["t"])),
        ' +0700] "', pa.array(data["method"], pa.string()), " ", pa.array(data["path"], pa.string()), ' HTTP/1.1" ',
        pc.cast(pa.array(data["status"]), pa.string()), " ", pc.cast(pa.array(data["bytes"]), pa.string()), ' "',
        pa.array(data["ref"], pa.string()), '" "', pa.array(data["ua"], pa.string()), '"\n', "")
    # A crash truncates a line on some days.
    broken_days = np.flatnonzero((rng.random(len(days)) < 0.08) & (per_day > 5))
    if len(broken_days):
        broken = day_start[broken_days] + np.floor(rng.random(len(broken_days)) * per_day[broken_days]).astype(np.int64)
        texts = lines.take(pa.array(broken)).to_pylist()
        cuts = [text[: int(rng.integers(20, max(21, len(text) - 12)))] + "\n" for text in texts]
        mask = np.zeros(len(lines), dtype=bool)
        mask[broken] = True
        lines = pc.replace_with_mask(lines, pa.array(mask), pa.array(cuts, pa.string()))
    return lines


def _gzip_per_day(lines: pa.Array, day_start: np.ndarray, per_day: np.ndarray) -> list[tuple[bytes, int]]:
    """One gzip file body per day (fixed header: the same lines give the same bytes), with its number of lines."""
    lines = pa.concat_arrays([lines])  # offset 0, one data buffer
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1)
    data_buffer = lines.buffers()[2]
    out = []
    for number in range(len(per_day)):
        start, end = offsets[day_start[number]], offsets[day_start[number + 1]]
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=6, mtime=0) as compressed:
            compressed.write(memoryview(data_buffer)[start:end] if data_buffer is not None else b"")
        out.append((buffer.getvalue(), int(per_day[number])))
    return out


def access_log_days(catalog: Catalog, site: int, preset: Preset, traffic: Traffic, days: np.ndarray,
                     cums: dict[int, np.ndarray], seed: int) -> list[tuple[bytes, int]]:
    """Daily nginx logs of one host for consecutive days, built in one vectorised pass; (gzip bytes, lines) per day."""
    rng = stream_rng(seed, "access_log", site, int(days[0]), len(days))
    expected_pv = preset.access_log_page_views_per_day * traffic.subsite[days]
    hits = _Hits()
    _human_hits(rng, catalog, site, cums, _visits(rng, site, preset, expected_pv, days, seed), hits)
    _machine_hits(rng, catalog, site, days, expected_pv, hits)
    data, per_day, day_start = _in_log_order(rng, hits, days)
    return _gzip_per_day(_log_lines(rng, data, days, per_day, day_start), day_start, per_day)
