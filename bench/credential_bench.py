"""Benchmark: signing and verifying credentials against a national-scale registry; QR text.

Signs 10,000 credentials of institutions drawn from a synthetic 20,000-institution registry and
runs the full check on each, in one process. The ID commitment's Argon2id (deliberately slow) is
measured on its own and is not part of the signing figure. Goals on the 2-core machine: sign
>= 5,000/s, full check >= 4,000/s. Prints medians of several rounds and the machine; never fails.

    .venv/bin/python bench/credential_bench.py [--count 10000] [--institutions 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import describe
from synthetic import generate

from credentials.credential import commitment, qr
from credentials.credential.claims import Credential, IdType
from credentials.credential.sign import sign
from credentials.credential.verify import check
from credentials.keys import SigningKey
from credentials.levels import Level
from credentials.numbers import format_number, parse_number
from credentials.registry.registry import load_registry


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s ({seconds * 1e6 / n:.0f} µs each)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--institutions", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        seeds: dict[str, list[tuple[bytes, str]]] = {}
        t0 = time.perf_counter()
        root = generate(Path(tmp) / "registry", args.institutions, key_seeds=seeds)
        registry = load_registry(root)
        print(f"registry: {len(registry)} institutions, loaded in {time.perf_counter() - t0:.1f} s")

        rng = random.Random(1)
        filings = rng.sample(sorted(registry.institutions), min(args.count, len(registry)))
        salted = commitment.commit(IdType.RESIDENT_ID, "410102199909091238")
        jobs = []
        for i in range(args.count):
            inst = registry.institutions[filings[i % len(filings)]]
            seed, not_before = seeds[inst.filing_number][1]  # the current key
            day = dt.date.fromisoformat(not_before) + dt.timedelta(days=30)
            row = inst.scope[i % len(inst.scope)]
            level = int(row.levels[0])
            number = format_number(inst.filing_number, year=day.year, level=level, serial=i + 1)
            cred = Credential(parse_number(number), 1, "王小明", IdType.RESIDENT_ID, salted, row.occupation,
                              row.job, Level(level), day)  # fmt: skip
            jobs.append((cred, SigningKey.from_seed(seed)))
        at = dt.date(2040, 1, 1)

        sign_times, check_times, signed = [], [], []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            signed = [sign(c, k, registry=registry) for c, k in jobs]
            sign_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            reports = [check(d, registry, at=at) for d in signed]
            check_times.append(time.perf_counter() - t0)
            assert all(r.ok for r in reports)
        sizes = sorted(len(d) for d in signed)
        print(
            f"credentials: {len(signed)}; size min/median/max {sizes[0]}/{sizes[len(sizes) // 2]}"
            f"/{sizes[-1]} bytes"
        )
        print(
            f"sign (refusal checks + CBOR + Ed25519): median {rate(len(jobs), statistics.median(sign_times))}"
            f"  goal >= 5,000/s"
        )
        print(
            f"full check (10 checks + Ed25519):        median {rate(len(jobs), statistics.median(check_times))}"
            f"  goal >= 4,000/s"
        )

        n = 200
        t0 = time.perf_counter()
        for _ in range(n):
            commitment.commit(IdType.RESIDENT_ID, "410102199909091238")
        print(
            f"ID commitment (Argon2id t=1, m=4 MiB): {rate(n, time.perf_counter() - t0)}, one core"
        )

        site = "https://skillcert.example.org"
        enc, dec = [], []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            texts = [qr.payload_text(site, d) for d in signed]
            enc.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            back = [qr.decode_text(t) for t in texts]
            dec.append(time.perf_counter() - t0)
            assert back == signed
        print(f"QR text encode: median {rate(len(signed), statistics.median(enc))}")
        print(f"QR text decode: median {rate(len(signed), statistics.median(dec))}")


if __name__ == "__main__":
    main()
