"""Benchmark: `registry check` on a national-scale registry, and `registry diff` of one file.

Generates a synthetic registry (20,000 institutions, ~10 scope rows and 2 keys each) in a git
repository, then times the commands as a bureau runs them (the installed `skillcert` CLI, a new
process each time) and prints medians of wall time and CPU time (all processes), each beside its
floor measured in the same run:

- the floor of a check is the bare YAML load: a process that reads the same files and loads each
  with PyYAML's libyaml loader (`yaml.CSafeLoader`) and does nothing else, on every core;
- the check runs cold (no parse cache: `--cache off`), filling an empty cache, and warm (every file
  parsed before, as in CI after the first run);
- `registry diff` of one changed file (goal <= 1 s), with the cache warm and without it;
- with ``--instructions N`` (and valgrind installed), the same ratio counted in instructions with
  callgrind, over the first N institution files in one process: a figure this VM's neighbours
  cannot move (wall-time ratios here drift by 0.1-0.3 from round to round).

Never fails on time.

    .venv/bin/python bench/registry_bench.py [--count 20000] [--runs 3] [--instructions 300]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe, load
from synthetic import generate

SKILLCERT = str(Path(sys.executable).with_name("skillcert"))


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=b@example.org", *args],
        check=True,
        capture_output=True,
    )


# The floor: read every YAML file of the registry and load it with libyaml, on every core.
_FLOOR = """
import multiprocessing, os, sys
from pathlib import Path
import yaml

def load(paths):
    for p in paths:
        yaml.load(Path(p).read_bytes(), Loader=yaml.CSafeLoader)
    return len(paths)

paths = sorted(str(p) for p in Path(sys.argv[1]).rglob("*.yaml"))
workers = os.cpu_count() or 1
size = max(50, len(paths) // (workers * 8))
with multiprocessing.get_context("fork").Pool(workers) as pool:
    assert sum(pool.map(load, [paths[i : i + size] for i in range(0, len(paths), size)])) == len(paths)
"""


# The same comparison counted in instructions: one process, the cycle collector off in both (the
# check turns it off itself), the set-up (imports, reading, the bureau's and reference files)
# counted alone and taken off.
_COUNTED = """
import gc, sys
from pathlib import Path
import yaml
from credentials.registry.validate import check

root, mode, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.yaml")}
bureau, occupations, _ = check.load_context(files, "registry/", None)
items = sorted(("registry/" + k, v) for k, v in files.items() if k.startswith("institutions/"))
items = items[:count]
gc.disable()
if mode == "floor":
    for _, raw in items:
        yaml.load(raw, Loader=yaml.CSafeLoader)
elif mode == "check":
    assert not any(problems for _, _, problems in check.check_many(
        items, bureau, occupations, None, keep=False))
"""


def _instructions(reg: Path, mode: str, count: int) -> int:
    """Instructions (callgrind's Ir) of ``_COUNTED`` in ``mode`` over ``count`` files."""
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, "-c", _COUNTED, str(reg), mode, str(count)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    for line in proc.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1])
    raise SystemExit(f"callgrind printed no count:\n{proc.stderr[-2000:]}")


def _run(cmd: list[str], cwd: Path, expect: int, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and every process it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != expect:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _medians(
    cmd: list[str],
    cwd: Path,
    runs: int,
    expect: int,
    env: dict[str, str],
    fresh: Path | None = None,
) -> tuple[float, float, list[float]]:
    """Median wall and CPU seconds over ``runs`` (``fresh``: a cache folder emptied before each)."""
    walls, cpus = [], []
    for _ in range(runs):
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
        wall, cpu = _run(cmd, cwd, expect, env)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus), walls


def _line(
    what: str, wall: float, cpu: float, walls: list[float], floor: tuple[float, float]
) -> str:
    return (
        f"{what}: median {wall:.2f} s wall, {cpu:.1f} CPU-s "
        f"(runs: {', '.join(f'{t:.2f}' for t in walls)}); "
        f"ratio to the bare YAML load: {wall / floor[0]:.2f} wall, {cpu / floor[1]:.2f} CPU"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--instructions", type=int, default=0, metavar="N",
                    help="also count instructions with callgrind over N files (about 1 min a 100)")  # fmt: skip
    args = ap.parse_args()
    print(f"machine: {describe()}; load before: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        cache = Path(tmp) / "cache"
        env = {**os.environ, "SKILLCERT_CACHE": str(cache)}
        t0 = time.perf_counter()
        reg = generate(repo / "registry", args.count)
        _git(repo, "init", "-q", "-b", "main")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", "synthetic registry")
        files = len(list((reg / "institutions").glob("*.yaml")))
        print(
            f"generated {files} institutions ({files * 10} scope rows, {2 * files} keys) "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        runs = args.runs
        # one untimed load first: the files were just written, and the first timed run (a floor)
        # paid for the cold caches alone (13.2 s against 8.4 s for the same load warm)
        _run([sys.executable, "-c", _FLOOR, str(reg)], repo, 0, env)
        # floor and check alternate, so that both see the same machine
        floor_w, floor_c, floor_runs = [], [], []
        cold_w, cold_c, cold_runs = [], [], []
        for _ in range(runs):
            w, c = _run([sys.executable, "-c", _FLOOR, str(reg)], repo, 0, env)
            floor_w.append(w)
            floor_c.append(c)
            floor_runs.append(w)
            w, c = _run([SKILLCERT, "registry", "check", "--cache", "off"], repo, 0, env)
            cold_w.append(w)
            cold_c.append(c)
            cold_runs.append(w)
        floor = (statistics.median(floor_w), statistics.median(floor_c))
        print(
            f"floor, bare YAML load (yaml.CSafeLoader, {files + 2} files, "
            f"{os.cpu_count()} processes): median {floor[0]:.2f} s wall, {floor[1]:.1f} CPU-s "
            f"(runs: {', '.join(f'{t:.2f}' for t in floor_runs)})"
        )
        print(_line("registry check, cold (--cache off)", statistics.median(cold_w),
                    statistics.median(cold_c), cold_runs, floor))  # fmt: skip
        check = [SKILLCERT, "registry", "check"]
        print(_line("registry check, filling an empty cache", *_medians(check, repo, runs, 0, env,
                                                                           fresh=cache), floor))  # fmt: skip
        print(_line("registry check, warm cache", *_medians(check, repo, runs, 0, env), floor))
        if args.instructions and shutil.which("valgrind"):
            n = min(args.instructions, files)
            base, bare, checked = (_instructions(reg, m, n) for m in ("none", "floor", "check"))
            print(
                f"instructions (callgrind, one process, {n} institution files): bare YAML load "
                f"{(bare - base) / n / 1e6:.2f} M a file, registry check {(checked - base) / n / 1e6:.2f} "
                f"M a file; ratio to the bare YAML load: {(checked - base) / (bare - base):.3f}"
            )
        elif args.instructions:
            print("instructions: valgrind is not installed (apt-get install valgrind)")

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
        diffs = [
            ("registry diff HEAD (working tree, 1 changed file)", ["diff", "HEAD"]),
            ("registry diff HEAD~1 HEAD (1 changed file)", ["diff", "HEAD~1", "HEAD"]),
        ]
        for i, (what, argv) in enumerate(diffs):
            if i == 1:
                _git(repo, "commit", "-qam", "one change")
            for label, extra in (("warm cache", []), ("--cache off", ["--cache", "off"])):
                wall, cpu, walls = _medians([SKILLCERT, "registry", *argv, *extra], repo,
                                            runs + 2, 0, env)  # fmt: skip
                print(
                    f"{what}, {label}: median {wall:.2f} s wall, {cpu:.2f} CPU-s "
                    f"(runs: {', '.join(f'{t:.2f}' for t in walls)}; goal <= 1 s)"
                )
    print(f"load after: {load()}")


if __name__ == "__main__":
    main()
