"""Stored script injection through the registry: hostile text in every field that reaches a page.

`registry check` refuses such text (``text-markup``, ``text-hidden``), but the pages must be safe on
their own: this test builds the site from a registry full of injection payloads (bypassing the
check, as an attacker with a merged bad file would), then (1) inspects every generated page for an
unescaped payload, and (2) opens every page in Chromium and fails on any script the payloads run.
Every page must also carry the Content-Security-Policy and no inline script at all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from credentials.credential import commitment, qr
from credentials.credential.claims import Credential, IdType
from credentials.credential.sign import sign
from credentials.keys import SigningKey, save_signing_key
from credentials.levels import Level
from credentials.numbers import parse_number
from credentials.registry import edit
from credentials.registry.registry import Registry, check_registry
from tests.conftest import ROOT, SAMPLE_REGISTRY
from tests.integration.test_browser import CHROMIUM, _missing

pytestmark = pytest.mark.integration
FILING = "Y000041039002"

PAYLOADS = [
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=\"alert('xss-img')\">",
    "![x](x){: onerror=\"alert('xss-attr')\"}",
    "[点我](javascript:alert('xss-link'))",
    '"><svg onload="alert(\'xss-svg\')">',
    "{: .x onclick=\"alert('xss-click')\"}",
    "</div></td><script>alert('xss-close')</script>",
    "<!-- hidden from the reviewer --> `code` *em* _u_ |pipe|",
    "\u202egnp.exe\u200b\u2066bidi",
    "&lt;script&gt;alert('xss-entity')&lt;/script&gt;",
]


def _hostile_registry(dest: Path) -> tuple[Path, SigningKey]:
    registry = dest / "registry"
    shutil.copytree(SAMPLE_REGISTRY, registry)
    yaml = YAML()
    path = registry / "institutions" / f"{FILING}.yaml"
    doc = yaml.load(path.read_text("utf-8"))
    doc["name"] = "洛阳远川" + PAYLOADS[0] + PAYLOADS[2]
    doc["short_name"] = PAYLOADS[1]
    doc["name_en"] = PAYLOADS[4]
    doc["address"] = PAYLOADS[3] + PAYLOADS[7]
    doc["contact"]["person"] = PAYLOADS[5]
    doc["contact"]["email"] = "a@b.example"
    doc["contact"]["website"] = "https://a.example/?q=<script>alert('xss-web')</script>"
    doc["filing"]["bureau"] = PAYLOADS[6]
    doc["filing"]["receipt"] = PAYLOADS[8] + PAYLOADS[9]
    doc["status"][0]["reason"] = PAYLOADS[1] + PAYLOADS[2]
    for row in doc["scope"]:
        row["specification"] = PAYLOADS[6]
    doc["scope"][0]["job"] = "job" + PAYLOADS[1]
    doc["revoked"] = [{"number": f"{FILING}245000009", "version": 1, "date": dt.date(2025, 1, 2),
                       "reason": PAYLOADS[0] + PAYLOADS[3]}]  # fmt: skip
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(doc, fh)
    bureau = yaml.load((registry / "bureau.yaml").read_text("utf-8"))
    bureau["provinces"]["41"]["cities"]["03"] = "洛阳" + PAYLOADS[1]
    with (registry / "bureau.yaml").open("w", encoding="utf-8") as fh:
        yaml.dump(bureau, fh)
    key = SigningKey.generate()
    edit.add_key(path, kid=key.kid, public_key=key.public_key.raw, not_before=dt.date(2024, 1, 1))
    bureau_key = SigningKey.generate()  # a signed snapshot: the page then shows the certificate
    edit.set_snapshot_key(registry / "bureau.yaml", kid=bureau_key.kid,
                          public_key=bureau_key.public_key.raw)  # fmt: skip
    save_signing_key(bureau_key, dest / "bureau.key", passphrase=None)
    return registry, key


def _unchecked(registry_dir: Path) -> Registry:
    """The registry as an attacker would have it published: every model, errors or not."""
    result = check_registry(registry_dir)
    assert any(f.rule == "text-markup" for f in result.findings)  # the check itself refuses it
    return Registry(result.institutions, result.bureau, result.occupations)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from credentials.site import build as site_build

    tmp = tmp_path_factory.mktemp("hostile")
    registry_dir, key = _hostile_registry(tmp)
    registry = _unchecked(registry_dir)
    day = dt.date(2026, 11, 21)
    original = site_build.settings
    bureau_key = tmp / "bureau.key"
    site_build.settings = lambda: (registry, day, None, bureau_key)  # type: ignore[assignment]
    try:
        config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp / "site"))
        build(config)
    finally:
        site_build.settings = original  # type: ignore[assignment]
    job = registry.institutions[FILING].scope[0]
    cred = Credential(parse_number(f"{FILING}24{int(job.levels[0])}000001"), 1, "张小芳",
                      IdType.RESIDENT_ID, commitment.commit(IdType.RESIDENT_ID, "410102199909091238"),
                      job.occupation, job.job, Level(job.levels[0]), dt.date(2024, 6, 28))  # fmt: skip
    data = sign(cred, key, registry=registry)
    return tmp / "site", qr.payload_text("https://skillcert.example.org", data)


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


class _Markup(HTMLParser):
    """What an HTML page would run: event handlers, inline scripts, javascript: links, and the
    Content-Security-Policy it declares."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.handlers: list[str] = []
        self.inline_scripts = 0
        self.js_links: list[str] = []
        self.csp = ""
        self._script: dict[str, str | None] | None = None
        self._body = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.js_links += [v for k, v in attrs if k in ("href", "src") and v and "javascript:" in v]
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.csp = values.get("content") or ""
        if tag == "script":
            self._script, self._body = values, ""

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._body += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            json_data = self._script.get("type") == "application/json"
            if "src" not in self._script and not json_data and self._body.strip():
                self.inline_scripts += 1
            self._script = None


def test_no_page_carries_a_payload_unescaped(hostile_site: tuple[Path, str]) -> None:
    site, _ = hostile_site
    shown = 0
    for page in _pages(site):
        text = page.read_text("utf-8")
        parsed = _Markup()
        parsed.feed(text)
        assert parsed.handlers == [], f"{page}: {parsed.handlers}"
        assert parsed.inline_scripts == 0, page
        assert parsed.js_links == [], page
        assert "script-src 'self'" in parsed.csp, page
        assert "unsafe-inline" not in parsed.csp.split("style-src")[0], page
        assert not re.search("[\u202e\u200b\u2066]", text), f"{page}: hidden characters"
        shown += text.count("&lt;script&gt;alert")
    assert shown >= 3  # the payloads are there, as text


def test_no_payload_runs_in_chromium(hostile_site: tuple[Path, str], tmp_path: Path) -> None:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {missing}")
        pytest.skip(missing)
    site, qr_text = hostile_site
    urls = ["/" + p.relative_to(site).as_posix().removesuffix("index.html") for p in _pages(site)]
    urls.append("/v/#" + qr_text.split("#")[1])
    (tmp_path / "pages.json").write_text(json.dumps(urls), "utf-8")
    env = {**os.environ, "SITE_DIR": str(site), "PAGES": str(tmp_path / "pages.json"),
           "CHROMIUM": CHROMIUM}  # fmt: skip
    proc = subprocess.run(["node", "--test", "tests/browser/injection.test.js"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
