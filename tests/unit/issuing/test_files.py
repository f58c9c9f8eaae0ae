"""Certificate files: atomic writes, and cleaning up only what dead processes left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from credentials.issuing import files


def test_write_atomic_names_its_temporary_file_after_the_process(tmp_path: Path) -> None:
    files.write_atomic(tmp_path / "a.pdf", b"%PDF")
    assert (tmp_path / "a.pdf").read_bytes() == b"%PDF"
    assert list(tmp_path.glob(".*.tmp")) == []


def test_only_temporary_files_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    mine = tmp_path / f".x-v1.pdf.{os.getpid()}.abc123.tmp"  # a live issuer is writing it
    left = tmp_path / f".x-v1.png.{dead_pid}.def456.tmp"  # a killed issuer left it
    old_style = tmp_path / ".x-v1.svg.ghi789.tmp"  # no pid: written before pids were recorded
    for p in (mine, left, old_style):
        p.write_bytes(b"partial")
    assert files.remove_stale(tmp_path) == 2
    assert mine.exists()
    assert not left.exists()
    assert not old_style.exists()
