"""Timing helpers shared by the benchmarks: a function over many inputs, on one thread (once, or
the median of rounds) or on several (the Argon2id calls release the GIL), and a duration in words."""

from __future__ import annotations

import concurrent.futures
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any


def on_threads(f: Callable[[Any], object], inputs: Sequence[Any], threads: int) -> float:
    """Seconds to call ``f`` on every input with ``threads`` threads."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        start = time.perf_counter()
        list(pool.map(f, inputs))
        return time.perf_counter() - start


def per_call(f: Callable[[Any], object], n: int) -> float:
    """Seconds per call of ``f`` on one thread, over ``range(n)``."""
    start = time.perf_counter()
    for i in range(n):
        f(i)
    return (time.perf_counter() - start) / n


def median_per_call(f: Callable[[Any], object], n: int, rounds: int) -> float:
    """The median over ``rounds`` of ``per_call(f, n)``: seconds per call."""
    return statistics.median(per_call(f, n) for _ in range(rounds))


def span(seconds: float) -> str:
    """Minutes below an hour, hours above."""
    return f"{seconds / 60:,.1f} min" if seconds < 3600 else f"{seconds / 3600:,.1f} h"
