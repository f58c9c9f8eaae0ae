"""Runs the browser tests (tests/browser/, Node's test runner + Playwright + Debian's Chromium)
against the site built from the sample registry. CI installs Chromium and the npm packages; on a
machine without them the test says what is missing (and fails under CI)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import ROOT, SAMPLE_REGISTRY

pytestmark = pytest.mark.integration
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)"
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        return "npm packages are not installed (npm ci)"
    return None


def test_site_in_a_real_browser(tmp_path: Path) -> None:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {missing}")
        pytest.skip(missing)
    site = tmp_path / "site"
    result = CliRunner().invoke(main, ["site", "build", "--registry", str(SAMPLE_REGISTRY), "--out",
                                       str(site), "--at", "2026-11-21"])  # fmt: skip
    assert result.exit_code == 0, result.output
    shots = ROOT / "build" / "screenshots"
    env = {**os.environ, "SITE_DIR": str(site), "SHOTS_DIR": str(shots), "CHROMIUM": CHROMIUM}
    proc = subprocess.run(["node", "--test", "tests/browser/"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert len(list(shots.glob("*-360.png"))) == 7
