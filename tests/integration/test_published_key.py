"""Issuing with a key the bureau has not published yet: a warning (the employer's verifier would
say "密钥未登记"), and with --strict a refusal before anything changes. The published snapshot is
read from a folder, from the bureau's site over HTTP (site_url in bureau.yaml) and from a site that
cannot be reached."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from credentials.keys import SigningKey, save_signing_key
from credentials.registry import edit, snapshot
from credentials.registry.registry import load_registry
from tests.conftest import ROOT
from tests.support.batches import approved_batch

pytestmark = pytest.mark.integration
FILING = "Y000021024002"  # 大连海湾高级技工学校 (Liaoning)
PHOTO = str(ROOT / "samples" / "photos" / "Y000041019001-01.jpg")


@pytest.fixture
def bureau(registry_copy: Path, tmp_path: Path) -> dict[str, Path]:
    """A registry whose bureau key we hold; the institution's first key is published, a second
    one (added since, by a pull request not merged) is only in the local copy."""
    bureau_key = SigningKey.generate()
    edit.set_snapshot_key(
        registry_copy / "bureau.yaml", kid=bureau_key.kid, public_key=bureau_key.public_key.raw
    )
    keys = {}
    for name in ("published", "local"):
        key = SigningKey.generate()
        save_signing_key(key, tmp_path / f"{name}.key", passphrase=None, institution=FILING)
        keys[name] = key
    inst = registry_copy / "institutions" / f"{FILING}.yaml"
    edit.add_key(inst, kid=keys["published"].kid, public_key=keys["published"].public_key.raw,
                 not_before=dt.date(2025, 1, 1))  # fmt: skip
    site = tmp_path / "site" / "snapshot"
    site.mkdir(parents=True)
    files = snapshot.sign_manifest(snapshot.build(load_registry(registry_copy), day=dt.date(2026, 11, 20), commit=None),
                                   bureau_key)  # fmt: skip
    for name, data in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
    edit.add_key(inst, kid=keys["local"].kid, public_key=keys["local"].public_key.raw,
                 not_before=dt.date(2026, 1, 1))  # fmt: skip
    return {"registry": registry_copy, "tmp": tmp_path, "snapshot": site,
            "published": tmp_path / "published.key", "local": tmp_path / "local.key"}  # fmt: skip


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def web(bureau: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The bureau's site, served over HTTPS on this machine with a certificate made for it (and
    trusted through SSL_CERT_FILE, as a bureau's own CA would be)."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is not installed (.ci/run installs it)")
    tmp = bureau["tmp"]
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp / "tls.key"),
                    "-out", str(tmp / "tls.pem"), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)  # fmt: skip
    handler = functools.partial(_Quiet, directory=str(tmp / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(tmp / "tls.pem", tmp / "tls.key")
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp / "tls.pem"))
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _issue(b: dict[str, Path], key: str, *extra: str, tag: str = "") -> tuple[int, str, Path]:
    roster = b["tmp"] / f"roster{tag}.csv"
    with roster.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([
            ["姓名", "证件类型", "证件号码", "职业编码", "职业技能等级", "发证日期", "照片"],
            ["赵一", "居民身份证", "990101199001010019", "6-31-03-05", "四级", "2026-10-20", PHOTO],
        ])  # fmt: skip
    approved_batch(b["registry"], roster, b[key])
    out = b["tmp"] / f"out{tag}"
    result = CliRunner().invoke(main, [
        "issue", "--key", str(b[key]), "--institution", FILING, "--roster", str(roster), "--registry",
        str(b["registry"]), "--register", str(b["tmp"] / "r.sqlite"), "--out", str(out),
        "--at", "2026-11-21", "--quiet", *extra,
    ])  # fmt: skip
    return result.exit_code, result.output, out


def test_a_key_only_in_the_local_copy_is_warned_about(bureau: dict[str, Path]) -> None:
    code, out, files = _issue(bureau, "local", "--published", str(bureau["snapshot"]))
    assert code == 0, out
    assert "警告 warning: 已公布的目录（2026-11-20）中还没有签名密钥" in out
    assert "密钥未登记" in out
    assert list(files.rglob("*.cose"))


def test_strict_refuses_before_anything_changes(bureau: dict[str, Path]) -> None:
    code, out, files = _issue(bureau, "local", "--published", str(bureau["snapshot"]), "--strict")
    assert code == 1
    assert "错误 error: 已公布的目录（2026-11-20）中还没有签名密钥" in out
    assert "未签发任何证书（--strict）" in out
    assert not files.exists()
    assert not (bureau["tmp"] / "r.sqlite").exists()


def test_a_published_key_signs_without_a_word(bureau: dict[str, Path]) -> None:
    code, out, _ = _issue(bureau, "published", "--published", str(bureau["snapshot"]), "--strict")
    assert code == 0, out
    assert "警告" not in out


def test_the_default_is_the_bureaus_site_and_an_unreachable_one_cannot_confirm(
    bureau: dict[str, Path], web: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SKILLCERT_PUBLISHED")
    bureau_yaml = bureau["registry"] / "bureau.yaml"
    text = bureau_yaml.read_text("utf-8")
    bureau_yaml.write_text(
        text.replace("site_url: https://skillcert.example.org", f"site_url: {web}"), "utf-8"
    )
    code, out, _ = _issue(bureau, "local", tag="-web")
    assert code == 0, out
    assert "已公布的目录（2026-11-20）中还没有签名密钥" in out
    code, out, _ = _issue(bureau, "published", "--strict", tag="-web2")
    assert code == 0, out
    assert "警告" not in out
    # the site cannot be reached: a warning, and --strict refuses
    bureau_yaml.write_text(text.replace("site_url: https://skillcert.example.org", "site_url: https://127.0.0.1:9"),
                           "utf-8")  # fmt: skip
    code, out, _ = _issue(bureau, "published", tag="-down")
    assert code == 0, out
    assert "警告 warning: 无法确认签名密钥" in out
    code, out, files = _issue(bureau, "published", "--strict", tag="-down2")
    assert code == 1
    assert "无法确认签名密钥" in out
    assert not files.exists()
    # off: no look at all
    code, out, _ = _issue(bureau, "local", "--published", "off", "--strict", tag="-off")
    assert code == 0, out


def test_a_forged_snapshot_is_not_trusted(bureau: dict[str, Path]) -> None:
    """A snapshot signed by another key cannot vouch for the key: it cannot be confirmed."""
    sig = bureau["snapshot"] / snapshot.SIGNATURE
    other = snapshot.sign_manifest({snapshot.MANIFEST: (bureau["snapshot"] / snapshot.MANIFEST).read_bytes()},
                                   SigningKey.generate())  # fmt: skip
    sig.write_bytes(other[snapshot.SIGNATURE])
    code, out, _ = _issue(bureau, "published", "--published", str(bureau["snapshot"]), "--strict")
    assert code == 1
    assert "无法确认签名密钥" in out
