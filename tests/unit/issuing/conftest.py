"""An institution with a key, a register and a few certificates, made through the library."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from credentials.issuing.issue import issue_rows
from credentials.issuing.issuer import Issuer, Options
from credentials.issuing.register import Register
from credentials.issuing.roster import parse, read_table
from credentials.keys import SigningKey
from credentials.registry import edit
from credentials.registry.registry import load_registry
from tests.conftest import ROOT, SAMPLE_REGISTRY

FILING = "Y000041019001"
TODAY = dt.date(2026, 11, 21)


@dataclass
class Office:
    registry_dir: Path
    key: SigningKey
    register: Register
    out: Path

    def issuer(self) -> Issuer:
        return Issuer.of(self.key, load_registry(self.registry_dir))


@pytest.fixture
def office(tmp_path: Path) -> Office:
    registry_dir = tmp_path / "registry"
    shutil.copytree(SAMPLE_REGISTRY, registry_dir)
    key = SigningKey.generate()
    edit.add_key(
        registry_dir / "institutions" / f"{FILING}.yaml",
        kid=key.kid,
        public_key=key.public_key.raw,
        not_before=dt.date(2025, 1, 1),
    )
    roster = ROOT / "samples" / f"roster-{FILING}.csv"
    rows, problems = parse(read_table(roster), photos=roster.parent)
    assert not problems
    register = Register(tmp_path / "register.sqlite", now=lambda: dt.datetime(2026, 11, 21, 9))  # noqa: DTZ001
    made = Office(registry_dir, key, register, tmp_path / "out")
    issue_rows(rows[:3], made.issuer(), register, Options(out=made.out, today=TODAY))
    yield made
    register.close()
