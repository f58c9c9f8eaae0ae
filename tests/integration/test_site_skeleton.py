"""The MkDocs site builds strictly and makes no reference to another host (web fonts, CDNs)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def test_site_builds_strictly_without_external_hosts(tmp_path: Path) -> None:
    out = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    html = (out / "index.html").read_text("utf-8")
    assert "职业技能等级证书核验" in html
    external = set()
    for page in out.rglob("*.html"):
        for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', page.read_text("utf-8")):
            external.add(url)
    # Links for people to follow are fine; nothing the browser loads by itself may be remote.
    loaded = {u for u in external if re.search(r"\.(js|css|woff2?|ttf|png|svg)(\?|$)", u)}
    assert not loaded, loaded
    assert "fonts.googleapis.com" not in html


def test_spec_examples_are_the_vectors() -> None:
    import json

    spec = (ROOT / "site" / "spec.md").read_text("utf-8")
    for name in ("valid-no-job", "bad-signature"):
        vector = json.loads((ROOT / "tests" / "vectors" / f"{name}.json").read_text("utf-8"))
        assert vector["cose_hex"] in spec, name
    from credentials.credential.verify import CHECK_IDS

    for i, check_id in enumerate(CHECK_IDS, start=1):
        assert f"| {i} | `{check_id}` |" in spec
