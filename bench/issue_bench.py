"""Benchmark: issuing 10,000 certificates from a generated roster, phase by phase.

Prints, separately: credentials into the register (numbering, signing, recording in SQLite) with
the ID commitment (Argon2id on both cores) and without it; QR codes rendered (symbol + PNG + SVG, on
both cores); batch PDF pages. Goals on the 2-core machine: >= 500/s, >= 500/s, >= 150 pages/s.
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

from credentials.credential import qr
from credentials.credential.claims import IdType
from credentials.credential.commitment import check_digit
from credentials.issuing import files
from credentials.issuing.issue import issue_rows
from credentials.issuing.issuer import Issuer, Options
from credentials.issuing.register import Register
from credentials.issuing.roster import RosterRow
from credentials.keys import SigningKey
from credentials.levels import Level
from credentials.registry import edit
from credentials.registry.registry import load_registry

ROOT = Path(__file__).resolve().parent.parent
FILING = "Y000041019001"
SITE = "https://skillcert.example.org"


def fictional_id(i: int) -> str:
    body = f"99{i % 10000:04d}{1985 + i % 20}0{1 + i % 9}{10 + i % 18}{i % 1000:03d}"
    return body + check_digit(body)


def roster(count: int) -> list[RosterRow]:
    kinds = [("6-18-01-01", "数控车床", Level.SENIOR_WORKER), ("6-18-01-01", None, Level.JUNIOR_WORKER),
             ("4-03-02-01", None, Level.INTERMEDIATE_WORKER),
             ("4-12-01-01", "汽车车身整形修复工", Level.TECHNICIAN)]  # fmt: skip
    rows = []
    for i in range(count):
        code, job, level = kinds[i % len(kinds)]
        rows.append(RosterRow(i + 2, f"测试{i:05d}", IdType.RESIDENT_ID, fictional_id(i), code, "",
                              job, level, dt.date(2025, 6, 30)))  # fmt: skip
    return rows


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
        registry = load_registry(work / "registry")
        rows = roster(args.count)
        with Register(work / "register.sqlite", now=lambda: dt.datetime(2026, 11, 21)) as register:  # noqa: DTZ001
            t0 = time.perf_counter()
            options = Options(
                out=work / "out", today=dt.date(2026, 11, 21), write_files=False, institution=FILING
            )
            result = issue_rows(rows, Issuer.of(key, registry), register, options)
            total = time.perf_counter() - t0
            entries = register.entries()
        s = result.seconds
        print(
            f"credentials into the register, with ID commitment: {rate(len(rows), total)}"
            f"  goal >= 500/s"
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
        _render(creds[:500])
        print(f"  one process: {rate(500, time.perf_counter() - t0)}")

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
