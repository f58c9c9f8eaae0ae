"""The issuance register's file: private from the start."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

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
