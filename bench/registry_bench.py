"""Benchmark: `registry check` on a national-scale registry, and `registry diff` of one file.

Generates a synthetic registry (20,000 institutions, ~10 scope rows and 2 keys each) in a git
repository, then times the commands as a bureau runs them (the installed `skillcert` CLI, a new
process each time) and prints medians. Goals on the 2-core machine: full check <= 15 s, diff of one
changed file <= 2 s. Never fails on time.

    .venv/bin/python bench/registry_bench.py [--count 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe
from synthetic import generate

SKILLCERT = str(Path(sys.executable).with_name("skillcert"))


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=b@example.org", *args],
        check=True,
        capture_output=True,
    )


def _time(cmd: list[str], cwd: Path, runs: int, expect: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - t0)
        if proc.returncode != expect:
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout[-2000:]}")
    return statistics.median(times), times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        t0 = time.perf_counter()
        reg = generate(repo / "registry", args.count)
        _git(repo, "init", "-q", "-b", "main")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", "synthetic registry")
        files = len(list((reg / "institutions").glob("*.yaml")))
        rows = files * 10
        print(
            f"generated {files} institutions ({rows} scope rows, {2 * files} keys) "
            f"in {time.perf_counter() - t0:.1f} s"
        )

        med, all_runs = _time([SKILLCERT, "registry", "check"], repo, args.runs, 0)
        print(
            f"registry check (full, {files} files): median {med:.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in all_runs)}; goal <= 15 s)"
        )

        # A pull request that adds a scope row to one institution.
        target = sorted((reg / "institutions").glob("*.yaml"))[files // 2]
        text = target.read_text("utf-8")
        text = text.replace(
            "status:\n",
            "  - occupation: 6-18-01-01\n    name: 车工\n    job: 数控车床\n    levels: [5, 4]\n"
            "    basis: national_standard\n    since: "
            + text.split("since: ")[1].split("\n")[0]
            + "\nstatus:\n",
            1,
        )
        target.write_text(text, "utf-8")
        med_wt, runs_wt = _time([SKILLCERT, "registry", "diff", "HEAD"], repo, args.runs + 2, 0)
        _git(repo, "commit", "-qam", "one change")
        med_c, runs_c = _time(
            [SKILLCERT, "registry", "diff", "HEAD~1", "HEAD"], repo, args.runs + 2, 0
        )
        print(
            f"registry diff HEAD (working tree, 1 changed file): median {med_wt:.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in runs_wt)}; goal <= 2 s)"
        )
        print(
            f"registry diff HEAD~1 HEAD (1 changed file): median {med_c:.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in runs_c)}; goal <= 2 s)"
        )


if __name__ == "__main__":
    main()
