"""Benchmark: building the site for synthetic registries of 1,000, 5,000 and 20,000 institutions.

Prints build time, peak memory of the build process, site size, the directory index's size (raw and
gzipped) and the largest snapshot shard (gzipped). Goals on the 2-core machine: 20,000 institutions
in <= 90 s and <= 1 GB; directory index <= 1.5 MB gzipped; no shard over 300 KB gzipped.

    .venv/bin/python bench/site_bench.py [--sizes 1000,5000,20000]
"""

from __future__ import annotations

import argparse
import gzip
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe
from synthetic import generate

SKILLCERT = str(Path(sys.executable).with_name("skillcert"))


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,5000,20000")
    args = ap.parse_args()
    print(f"machine: {describe()}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            registry = generate(Path(tmp) / "registry", size, national=True)
            out = Path(tmp) / "site"
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            t0 = time.perf_counter()
            proc = subprocess.run([SKILLCERT, "site", "build", "--registry", str(registry), "--out",
                                   str(out), "--at", "2026-11-21"], capture_output=True, text=True,
                                  check=False)  # fmt: skip
            seconds = time.perf_counter() - t0
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            if proc.returncode != 0:
                raise SystemExit(proc.stdout[-3000:] + proc.stderr[-3000:])
            files = [p for p in out.rglob("*") if p.is_file()]
            total = sum(p.stat().st_size for p in files)
            index = out / "directory" / "index.json"
            shards = [p for p in (out / "snapshot").glob("*.json") if p.stem.isdigit()]
            largest = max(shards, key=gz)
            print(
                f"{size:>6,} institutions: build {seconds:6.1f} s, peak memory "
                f"{max(peak, before) / 1024:6.0f} MB (largest child so far), site {total / 1e6:6.1f} MB "
                f"in {len(files):,} files; directory index {index.stat().st_size / 1e6:.2f} MB, "
                f"{gz(index) / 1e6:.2f} MB gzipped; largest shard {largest.name} "
                f"{gz(largest) / 1e3:.0f} KB gzipped"
            )


if __name__ == "__main__":
    main()
