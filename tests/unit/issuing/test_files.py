"""Certificate files: atomic writes, and cleaning up only what dead processes left."""

from __future__ import annotations

import ctypes
import errno
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

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


def test_files_written_together_appear_only_once_all_are_on_disk(tmp_path: Path) -> None:
    items = [(tmp_path / f"{i}.pdf", bytes([i]) * 1000) for i in range(5)]
    files.write_all_atomic(items)
    assert [p.read_bytes() for p, _ in items] == [data for _, data in items]
    assert list(tmp_path.glob(".*.tmp")) == []


def test_a_failed_write_of_many_files_renames_none_of_them(tmp_path: Path) -> None:
    """A file that cannot be written (its folder is gone) stops the piece before any rename:
    nothing half-written is left under a final name, and no temporary file is left behind."""
    items = [(tmp_path / "a.cose", b"a"), (tmp_path / "b.png", b"b"),
             (tmp_path / "missing" / "c.pdf", b"c")]  # fmt: skip
    with pytest.raises(FileNotFoundError):
        files.write_all_atomic(items)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_file_system_flush_reports_its_failure(tmp_path: Path, monkeypatch: Any) -> None:
    """Where ``syncfs`` fails (an I/O error), the files are not renamed and the error is an
    ``OSError`` the issuer reports (the certificates stay in the register, their files missing)."""
    if files._SYNCFS is None:
        pytest.skip("no syncfs here: each file is flushed with fsync")

    def failing(fd: int) -> int:
        ctypes.set_errno(errno.EIO)
        return -1

    monkeypatch.setattr(files, "_SYNCFS", failing)
    with pytest.raises(OSError, match="Input/output error"):
        files.write_all_atomic([(tmp_path / "a.cose", b"a"), (tmp_path / "b.png", b"b")])
    assert list(tmp_path.iterdir()) == []
