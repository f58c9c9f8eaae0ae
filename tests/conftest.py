"""Shared fixtures: the sample registry, a copy of it to break, and the CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_REGISTRY = ROOT / "registry"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def registry_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample registry."""
    dest = tmp_path / "registry"
    shutil.copytree(SAMPLE_REGISTRY, dest)
    return dest


@pytest.fixture
def runner() -> CliRunner:
    """Click's in-process runner."""
    return CliRunner()
