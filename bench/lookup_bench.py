"""Benchmark: what one guess at a published lookup hash costs, and what a targeted attack costs.

The published issuance records carry, for each certificate, ``Argon2id(ID number, salt from the
number)`` with t=1, m=64 MiB (``credentials/credential/lookup.py``): a typed (number, ID number)
pair is confirmed with one hash, and finding whose certificate a number is means guessing the ID
number at that cost, certificate by certificate. This prints the median cost of one guess on one
core, the rate on every core, and the time to try every candidate of targeted attacks:

- county and birth year known: 366 birthdays x 1,000 sequence numbers = 366,000 candidates;
- county and birth month known (what a 公示 list shows): 31 x 1,000 = 31,000 candidates;
- county and exact birthday known: 1,000 candidates.

Prints medians of several rounds and the machine; never fails. The figures go into site/spec.md.

    .venv/bin/python bench/lookup_bench.py [--guesses 40] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import describe
from timing import on_threads, per_call, span

from credentials.credential.lookup import lookup_hash

NUMBER = "Y000041019001263000001"
ATTACKS = (("county + birth year", 366 * 1000), ("county + birth month (a 公示 list)", 31 * 1000),
           ("county + exact birthday", 1000))  # fmt: skip


def _guess(i: int) -> bytes:
    return lookup_hash(NUMBER, f"41010219990909{i:03d}8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--guesses", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    workers = os.cpu_count() or 1
    per_guess = statistics.median(per_call(_guess, args.guesses) for _ in range(args.rounds))
    n = args.guesses * workers
    rate = statistics.median(n / on_threads(_guess, range(n), workers) for _ in range(args.rounds))
    print(describe())
    print(
        f"lookup hash (Argon2id t=1, m=64 MiB): median {per_guess * 1000:.1f} ms a guess on one core"
    )
    print(f"every core ({workers}): median {rate:,.1f} guesses/s")
    for name, candidates in ATTACKS:
        print(
            f"  {name:36s} {candidates:>9,d} candidates: {span(candidates / rate)} for one certificate"
        )


if __name__ == "__main__":
    main()
