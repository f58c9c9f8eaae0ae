"""Benchmark: what one guess at a credential's ID commitment costs, and what a targeted attack costs.

The commitment (``credentials/credential/commitment.py``: Argon2id, t=1, m=4 MiB) confirms an ID
number the holder shows; it does not hide the number from someone who knows most of it. This
prints the median cost of one guess on one core and the rate on every core, then the time to try
every candidate of two targeted attacks:

- county and birth year known: 366 birthdays x 1,000 sequence numbers = 366,000 candidates;
- county and exact birthday known: 1,000 candidates.

Then the choice of implementation (issue 15): libsodium (PyNaCl) against the reference code
(argon2-cffi) at the commitment's 4 MiB and the lookup hash's 64 MiB, on one and on every core,
with the bytes compared. ``credentials/keys.py`` uses the faster one for each size.

Prints medians of several rounds and the machine; never fails. The figures go into site/spec.md.

    .venv/bin/python bench/commitment_bench.py [--guesses 400] [--rounds 5]
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

from credentials.credential import commitment
from credentials.credential.claims import IdType

TARGET = commitment.commit(IdType.RESIDENT_ID, "410102199909091238")
COUNTY_AND_YEAR = 366 * 1000
COUNTY_AND_BIRTHDAY = 1000


def _guess(i: int) -> bool:
    return commitment.matches(TARGET, IdType.RESIDENT_ID, f"41010219990909{i:03d}8")


def implementations(rounds: int) -> None:
    """libsodium against argon2-cffi, same inputs, same bytes."""
    import nacl.pwhash.argon2id
    from argon2.low_level import Type, hash_secret_raw

    password, salt = b"skillcert-id-v1:1:410102199909091238", bytes(range(16))
    workers = os.cpu_count() or 1
    for mib, n in ((4, 400), (64, 24)):
        memlimit = mib * 1024 * 1024

        def sodium(_: int, m: int = memlimit) -> bytes:
            return bytes(nacl.pwhash.argon2id.kdf(16, password, salt, opslimit=1, memlimit=m))

        def reference(_: int, m: int = memlimit) -> bytes:
            return hash_secret_raw(password, salt, time_cost=1, memory_cost=m // 1024,
                                   parallelism=1, hash_len=16, type=Type.ID)  # fmt: skip

        same = sodium(0) == reference(0)
        line = []
        for name, f in (("libsodium", sodium), ("argon2-cffi", reference)):
            for threads in (1, workers):
                rates = [n / on_threads(f, range(n), threads) for _ in range(rounds)]
                line.append(f"{name} {threads} thread{'s' if threads > 1 else ''} "
                            f"{statistics.median(rates):,.0f}/s")  # fmt: skip
        print(f"Argon2id t=1 m={mib} MiB: " + ", ".join(line) + f"; same bytes: {same}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--guesses", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    workers = os.cpu_count() or 1
    per_guess = statistics.median(per_call(_guess, args.guesses) for _ in range(args.rounds))
    n = args.guesses * workers
    rate = statistics.median(n / on_threads(_guess, range(n), workers) for _ in range(args.rounds))
    print(f"machine: {describe()}")
    print(
        f"one guess (Argon2id t=1, m=4 MiB), one core: {per_guess * 1000:.2f} ms (median of {args.rounds})"
    )
    print(f"guesses per second on {workers} cores: {rate:,.0f}")
    print(f"county + birth year known ({COUNTY_AND_YEAR:,} candidates): {span(COUNTY_AND_YEAR / rate)} "
          f"on this machine")  # fmt: skip
    print(f"county + birthday known ({COUNTY_AND_BIRTHDAY:,} candidates): "
          f"{COUNTY_AND_BIRTHDAY / rate:.1f} s on this machine")  # fmt: skip


if __name__ == "__main__":
    main()
