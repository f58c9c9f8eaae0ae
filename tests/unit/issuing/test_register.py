"""The issuance register's file: private from the start."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import stat
from pathlib import Path
from typing import Any

import pytest

from credentials.errors import RegisterError
from credentials.issuing.register import Register


def test_a_new_register_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "register.sqlite"
    register = Register(path, now=lambda: dt.datetime(2026, 1, 1))  # noqa: DTZ001
    with register, register.transaction():
        register.new_batch("x", None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    wal = tmp_path / "register.sqlite-wal"
    if wal.exists():
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def _open_at_once(path: str, start: Any) -> str:
    start.wait()
    try:
        with Register(Path(path), now=lambda: dt.datetime(2026, 1, 1)):  # noqa: DTZ001
            return "ok"
    except RegisterError as err:
        return str(err)


def test_processes_starting_a_new_register_at_once_all_open_it(tmp_path: Path) -> None:
    """A new register appears whole: a second process never sees it empty (which reads as a
    register that lost its content) while the first one is still writing its schema."""
    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as manager, ctx.Pool(6) as pool:
        for round_ in range(8):
            path = tmp_path / f"register-{round_}.sqlite"
            start = manager.Barrier(6)
            results = pool.starmap(_open_at_once, [(str(path), start)] * 6)
            assert results == ["ok"] * 6, results
            assert sorted(p.name for p in tmp_path.iterdir() if "new" in p.name) == []


def test_a_backup_never_overwrites_even_when_another_lands_first(tmp_path: Path) -> None:
    register = Register(tmp_path / "register.sqlite", now=lambda: dt.datetime(2026, 1, 1))  # noqa: DTZ001
    dest = tmp_path / "copy.sqlite"
    with register:
        register.backup(dest)
        before = dest.read_bytes()
        with pytest.raises(RegisterError, match="never overwrites"):
            register.backup(dest)
    assert dest.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
