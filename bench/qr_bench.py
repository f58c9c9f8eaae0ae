"""Benchmark: the QR symbol of a credential, encoded and drawn (issue 15, item 4).

Per symbol, for credentials of 150 to 200 bytes (a certificate's), medians of ``--rounds``:

- encode: version 11, the mask chosen by all four ISO/IEC 18004 penalty rules (``qr.make``);
- its floor: the same symbol with a fixed mask (nothing scored), so the difference is the cost
  of choosing the mask; and segno, a general encoder choosing its mask by the same rules;
- the drawings: PNG (300 dpi), SVG, and the PDF's rectangles (``certificate_pdf``).

Never fails on time.

    .venv/bin/python bench/qr_bench.py [--count 500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import describe, load
from timing import median_per_call

from credentials.credential import qr, qrsymbol
from credentials.issuing import certificate_pdf

SITE = "https://skillcert.example.org"


def per_symbol(work: Callable[[int], object], count: int, rounds: int) -> float:
    """Median over ``rounds`` of the time per symbol (``work(i)`` for each of ``count``), in ms."""
    return median_per_call(work, count, rounds) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    print(f"machine: {describe()}; load {load()}")
    rng = random.Random(1)
    payloads = [rng.randbytes(rng.randrange(150, 201)) for _ in range(args.count)]
    prefix = qr.prefix(SITE).encode()
    digits = [qr.digits(p) for p in payloads]
    codes = [qr.make(SITE, p) for p in payloads]
    n = qrsymbol.SIZE

    def segno_make(i: int) -> None:
        import segno

        segno.make_qr([(qr.prefix(SITE), segno.consts.MODE_BYTE),
                       (digits[i], segno.consts.MODE_NUMERIC)],
                      version=11, error=codes[i].level.lower(), boost_error=False)  # fmt: skip

    k, r = args.count, args.rounds
    chosen = per_symbol(lambda i: qr.make(SITE, payloads[i]), k, r)
    floor = per_symbol(
        lambda i: qrsymbol.encode(prefix, digits[i], level=codes[i].level, mask=codes[i].mask), k, r
    )
    general = per_symbol(segno_make, k, r)
    print(f"{k} symbols (version 11, {min(map(len, payloads))}-{max(map(len, payloads))}-byte "
          f"credentials), per symbol, median of {r}:")  # fmt: skip
    print(f"  encode, mask chosen by all four penalty rules: {chosen:.3f} ms")
    print(f"  floor, the same symbol with its mask given:    {floor:.3f} ms "
          f"(choosing the mask costs {chosen - floor:.3f} ms, ratio {floor / chosen:.2f})")  # fmt: skip
    print(f"  segno (general encoder, same rules):           {general:.3f} ms "
          f"({general / chosen:.1f}x ours)")  # fmt: skip
    png = per_symbol(lambda i: qr.render_png(codes[i]), k, r)
    svg = per_symbol(lambda i: qr.render_svg(codes[i]), k, r)
    pdf = per_symbol(lambda i: certificate_pdf._PDF_RUNS.text(codes[i].modules, n), k, r)
    print(f"  drawn: PNG 300 dpi {png:.3f} ms, SVG {svg:.3f} ms, the PDF's rectangles {pdf:.3f} ms")
    print(f"load after: {load()}")


if __name__ == "__main__":
    main()
