"""Benchmark: issuing 10,000 certificates from a generated roster, phase by phase.

Prints, separately: credentials into the register (numbering, signing, recording in SQLite) with
the ID commitment (Argon2id on both cores) and without it, and the lookup hashes after them; QR
codes rendered (symbol + PNG + SVG, on both cores); batch PDF pages. Goals on the 2-core machine: >= 500/s, >= 500/s, >= 150 pages/s.
Medians where there are several rounds; never fails on time.

    .venv/bin/python bench/issue_bench.py [--count 10000] [--pdf-pages 2000]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import describe
from synthetic import write_roster

from credentials.credential import qr
from credentials.issuing import files
from credentials.issuing.issue import issue_rows, roster_rows
from credentials.issuing.issuer import Issuer, Options
from credentials.issuing.register import Register
from credentials.issuing.roster import read_table
from credentials.keys import SigningKey
from credentials.registry import edit
from credentials.registry.registry import load_registry
from tests.support.batches import approved_batch

ROOT = Path(__file__).resolve().parent.parent
FILING = "Y000041019001"
SITE = "https://skillcert.example.org"


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s ({seconds:.1f} s for {n:,})"


def _render(credentials: list[bytes]) -> int:
    for data in credentials:
        code = qr.make(SITE, data)
        qr.render_png(code)
        qr.render_svg(code)
    return len(credentials)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--pdf-pages", type=int, default=2_000)
    args = ap.parse_args()
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "registry", work / "registry")
        key = SigningKey.generate()
        edit.add_key(work / "registry" / "institutions" / f"{FILING}.yaml",
                             kid=key.kid, public_key=key.public_key.raw,
                             not_before=dt.date(2025, 1, 1))  # fmt: skip
        roster = work / "roster.csv"
        write_roster(roster, args.count)  # the sample's rows and photos, fictional people
        approved_batch(work / "registry", roster, key)
        registry = load_registry(work / "registry")
        issuer = Issuer.of(key, registry)
        with Register(work / "register.sqlite", now=lambda: dt.datetime(2026, 11, 21)) as register:  # noqa: DTZ001
            options = Options(out=work / "out", today=dt.date(2026, 11, 21), write_files=False,
                              institution=FILING, need_batch=True)  # fmt: skip
            rows = roster_rows(read_table(roster), issuer, register, options)
            t0 = time.perf_counter()
            result = issue_rows(rows, issuer, register, options)
            total = time.perf_counter() - t0
            entries = register.entries()
        s = result.seconds
        lookups = s.get("lookups", 0.0)
        print(
            f"credentials into the register, with ID commitment: {rate(len(rows), total - lookups)}"
            f"  goal >= 500/s; then their lookup hashes (Argon2id 64 MiB): {lookups:.1f} s"
        )
        print(
            f"  number + sign + record {s['register']:.1f} s, while {os.cpu_count()} threads computed "
            f"the Argon2id commitments (waited {s['commitments']:.1f} s for them)"
        )
        print(
            "credentials into the register, without the commitment (number + sign + record): "
            f"{rate(len(rows), s['register'])}"
        )

        creds = [e.credential for e in entries]
        workers = os.cpu_count() or 1
        chunks = [creds[i :: workers * 4] for i in range(workers * 4)]
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            ctx = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(workers, mp_context=ctx) as pool:
                assert sum(pool.map(_render, chunks)) == len(creds)
            times.append(time.perf_counter() - t0)
        print(
            f"QR codes rendered (symbol + PNG + SVG), {workers} processes: median "
            f"{rate(len(creds), statistics.median(times))}  goal >= 500/s"
        )
        t0 = time.perf_counter()
        one = min(500, len(creds))
        _render(creds[:one])
        print(f"  one process: {rate(one, time.perf_counter() - t0)}")

        ctx_out = Issuer.of(key, registry).context()
        sample = entries[: args.pdf_pages]
        pdf_times = []
        for _ in range(3):
            t0 = time.perf_counter()
            pages = files.write_batch_pdf(sample, work / "batch.pdf", ctx_out)
            pdf_times.append(time.perf_counter() - t0)
        size = (work / "batch.pdf").stat().st_size
        print(
            f"batch PDF: median {rate(pages, statistics.median(pdf_times))} pages, one process, "
            f"{size / pages / 1024:.1f} KiB per page  goal >= 150 pages/s"
        )
        sizes = sorted(len(c) for c in creds)
        print(
            f"credential sizes: min {sizes[0]}, median {sizes[len(sizes) // 2]}, max {sizes[-1]} bytes; "
            f"random spot check: {random.Random(1).choice(entries).number}"
        )


if __name__ == "__main__":
    main()
