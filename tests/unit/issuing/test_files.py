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
    # not a pid this module writes, and no crash: a digit only to isdigit(), too large for kill()
    odd = [tmp_path / ".x.²³.abc.tmp", tmp_path / f".x.{'9' * 30}.abc.tmp"]
    for p in (mine, left, old_style, *odd):
        p.write_bytes(b"partial")
    assert files.remove_stale(tmp_path) == 4
    assert mine.exists()
    assert not left.exists()
    assert not old_style.exists()
    assert not any(p.exists() for p in odd)


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


def _unnamed_here(tmp_path: Path) -> bool:
    if not files._UNNAMED[0] or files._SYNCFS is None:
        return False
    try:
        os.close(os.open(tmp_path, os.O_TMPFILE | os.O_WRONLY, 0o600))
    except OSError:
        return False
    return True


def test_files_written_together_are_named_only_once_on_disk_without_a_temporary_name(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Where the file system can, a piece's files are written without a name and named once
    flushed: no temporary name is ever made; a file already there (written again) is replaced."""
    if not _unnamed_here(tmp_path):
        pytest.skip("no O_TMPFILE here: files are written under temporary names")
    (tmp_path / "1.pdf").write_bytes(b"damaged")
    monkeypatch.setattr(files, "temporary_beside", None)  # any temporary name would fail
    items = [(tmp_path / f"{i}.pdf", bytes([i]) * 5000) for i in range(4)]
    files.write_all_atomic(items)
    assert [p.read_bytes() for p, _ in items] == [data for _, data in items]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{i}.pdf" for i in range(4)]


def test_where_the_file_system_refuses_unnamed_files_temporary_names_are_used(
    tmp_path: Path, monkeypatch: Any
) -> None:
    if files._SYNCFS is None:
        pytest.skip("no syncfs here: each file is flushed with fsync")
    real_open = os.open

    def refusing(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & getattr(os, "O_TMPFILE", 0) == getattr(os, "O_TMPFILE", -1):
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(files, "_UNNAMED", [True])
    monkeypatch.setattr(files.os, "open", refusing)
    items = [(tmp_path / f"{i}.png", bytes([i]) * 100) for i in range(3)]
    files.write_all_atomic(items)
    assert [p.read_bytes() for p, _ in items] == [data for _, data in items]
    assert list(tmp_path.glob(".*.tmp")) == []
    assert files._UNNAMED == [False]  # not asked again
