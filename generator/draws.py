"""Seeded random streams and stable hashes: every source draws from its own stream, so outputs do not shift each other."""
from __future__ import annotations

import numpy as np

_STREAMS = {"catalog": 1, "traffic": 2, "ga4": 3, "access_log": 4, "page_report": 5, "submissions": 6, "feedback": 7,
            "people": 8, "late": 9}


def stream_rng(seed: int, stream: str, *more: int) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAMS[stream], *more])


def mix64(values: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64: a stable per-id hash, so user and visitor attributes need no stored pools."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64(salt % (1 << 63)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def bucket(hashes: np.ndarray, weights: list[float]) -> np.ndarray:
    """Map hashes to categories with the given weights."""
    cumulative = np.cumsum(np.asarray(weights, dtype=float))
    u = (hashes >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return np.searchsorted(cumulative / cumulative[-1], u, side="right").clip(0, len(weights) - 1)
