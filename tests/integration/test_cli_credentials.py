"""keys and verify commands, end to end on a copy of the sample registry."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from credentials.credential import commitment, qr
from credentials.credential.claims import Credential, IdType
from credentials.credential.sign import sign
from credentials.keys import load_signing_key
from credentials.levels import Level
from credentials.numbers import parse_number
from credentials.registry.registry import load_registry

pytestmark = pytest.mark.integration
FILING = "Y000041039002"  # 洛阳远川高级技工学校: 保育师 5-3, 车工 5, from 2023-04-10
ID = "410102199909091238"


def _keys(registry: Path) -> list[dict[str, object]]:
    doc = yaml.safe_load((registry / "institutions" / f"{FILING}.yaml").read_text("utf-8"))
    keys: list[dict[str, object]] = doc["keys"]
    return keys


def _new_key(runner: CliRunner, registry: Path, tmp: Path, *extra: str) -> Path:
    args = [
        "keys",
        "new",
        "--institution",
        FILING,
        "--registry",
        str(registry),
        "--keys-dir",
        str(tmp / "keys"),
        "--not-before",
        "2023-04-10",
        *extra,
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    (path,) = (tmp / "keys").glob("*.key")
    return path


def test_keys_new_writes_private_key_and_registers_public(
    runner: CliRunner, registry_copy: Path, tmp_path: Path
) -> None:
    before = (registry_copy / "institutions" / f"{FILING}.yaml").read_text("utf-8")
    path = _new_key(runner, registry_copy, tmp_path)
    assert path.stat().st_mode & 0o777 == 0o600
    key = load_signing_key(path, passphrase=None)
    after = (registry_copy / "institutions" / f"{FILING}.yaml").read_text("utf-8")
    assert after.startswith(before.split("keys:")[0])  # comments and layout kept
    assert f'kid: "{key.kid}"' in after
    assert _keys(registry_copy)[-1]["public_key"] == key.public_key.raw.hex()
    check = runner.invoke(main, ["registry", "check", "--registry", str(registry_copy)])
    assert check.exit_code == 0, check.output


def test_keys_new_print_only_and_passphrase_from_environment(
    runner: CliRunner, registry_copy: Path, tmp_path: Path
) -> None:
    before = (registry_copy / "institutions" / f"{FILING}.yaml").read_text("utf-8")
    result = runner.invoke(
        main,
        [
            "keys",
            "new",
            "--institution",
            FILING,
            "--registry",
            str(registry_copy),
            "--keys-dir",
            str(tmp_path / "k"),
            "--print-only",
            "--passphrase",
        ],
        env={"SKILLCERT_PASSPHRASE": "batch secret"},
    )
    assert result.exit_code == 0, result.output
    assert "public_key:" in result.output
    assert (registry_copy / "institutions" / f"{FILING}.yaml").read_text("utf-8") == before
    (path,) = (tmp_path / "k").glob("*.key")
    assert json.loads(path.read_text())["encryption"] is not None
    assert load_signing_key(path, passphrase="batch secret")


def test_keys_new_refuses_to_write_into_registry(runner: CliRunner, registry_copy: Path) -> None:
    result = runner.invoke(
        main,
        [
            "keys",
            "new",
            "--institution",
            FILING,
            "--registry",
            str(registry_copy),
            "--out",
            str(registry_copy / "institutions" / "leak.key"),
        ],
    )
    assert result.exit_code == 1
    assert "refusing to write a private key" in result.output
    assert "拒绝把私钥写到" in result.output
    assert not (registry_copy / "institutions" / "leak.key").exists()


def test_rotate_list_and_compromise(runner: CliRunner, registry_copy: Path, tmp_path: Path) -> None:
    first = _new_key(runner, registry_copy, tmp_path)
    kid1 = load_signing_key(first, passphrase=None).kid
    result = runner.invoke(
        main,
        [
            "keys",
            "rotate",
            "--institution",
            FILING,
            "--registry",
            str(registry_copy),
            "--keys-dir",
            str(tmp_path / "keys"),
            "--date",
            "2025-01-01",
        ],
    )
    assert result.exit_code == 0, result.output
    keys = {k["kid"]: k for k in _keys(registry_copy)}
    assert str(keys[kid1]["not_after"]) == "2024-12-31"
    listed = runner.invoke(
        main,
        [
            "keys",
            "list",
            "--keys-dir",
            str(tmp_path / "keys"),
            "--registry",
            str(registry_copy),
            "--at",
            "2025-06-01",
        ],
    )
    assert listed.exit_code == 0, listed.output
    assert f"{kid1}  {FILING}" in listed.output
    assert "not valid on 2025-06-01" in listed.output
    comp = runner.invoke(
        main,
        ["keys", "compromised", kid1, "--since", "2024-06-01", "--registry", str(registry_copy)],
    )
    assert comp.exit_code == 0, comp.output
    assert str({k["kid"]: k for k in _keys(registry_copy)}[kid1]["compromised_at"]) == "2024-06-01"
    missing = runner.invoke(
        main,
        [
            "keys",
            "compromised",
            "0" * 16,
            "--since",
            "2024-06-01",
            "--registry",
            str(registry_copy),
        ],
    )
    assert missing.exit_code == 1


@pytest.fixture
def issued(runner: CliRunner, registry_copy: Path, tmp_path: Path) -> tuple[Path, bytes]:
    key = load_signing_key(_new_key(runner, registry_copy, tmp_path), passphrase=None)
    cred = Credential(
        number=parse_number(f"{FILING}245000001"),
        version=1,
        holder="张小芳",
        id_type=IdType.RESIDENT_ID,
        id_commitment=commitment.commit(IdType.RESIDENT_ID, ID),
        occupation="4-10-01-03",
        job=None,
        level=Level.JUNIOR_WORKER,
        issued=dt.date(2024, 6, 28),
    )
    return registry_copy, sign(cred, key, registry=load_registry(registry_copy))


def test_verify_file_text_and_image(
    runner: CliRunner, issued: tuple[Path, bytes], tmp_path: Path
) -> None:
    registry, data = issued
    base = ["--registry", str(registry), "--at", "2026-11-21"]
    cose_file = tmp_path / "c.cose"
    cose_file.write_bytes(data)
    out = runner.invoke(main, ["verify", str(cose_file), *base])
    assert out.exit_code == 0, out.output
    assert "✅ 真实有效  Genuine" in out.output
    assert "张小芳" in out.output
    assert "保育师" in out.output
    assert "五级/初级工" in out.output
    assert "洛阳远川高级技工学校" in out.output
    text = qr.payload_text("https://skillcert.example.org", data)
    assert runner.invoke(main, ["verify", text, *base]).exit_code == 0
    png = tmp_path / "qr.png"
    qr.render_png(qr.make("https://skillcert.example.org", data), path=png)
    out = runner.invoke(main, ["verify", str(png), *base, "--json", "--id-number", ID])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["ok"] is True
    assert "--id-number-stdin" in out.stderr  # the option is visible in ps: it warns
    assert doc["id_number_matches"] is True
    assert doc["credential"]["holder"] == "张小芳"
    piped = runner.invoke(
        main, ["verify", str(cose_file), *base, "--id-number-stdin"], input=ID + "\n"
    )
    assert piped.exit_code == 0, piped.output
    assert "✅ 与证书一致 matches" in piped.output
    assert ID not in piped.output
    wrong = runner.invoke(
        main, ["verify", str(cose_file), *base, "--id-number", "410102199909091246"]
    )
    assert wrong.exit_code == 1
    assert "与证书不符 does not match" in wrong.output
    assert "❌ 证件号码与证书不符" in wrong.output  # the verdict itself, not a green one


def test_verify_not_genuine_and_unusable(
    runner: CliRunner, issued: tuple[Path, bytes], tmp_path: Path
) -> None:
    registry, data = issued
    base = ["--registry", str(registry), "--at", "2026-11-21"]
    bad = tmp_path / "bad.cose"
    bad.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    out = runner.invoke(main, ["verify", str(bad), *base])
    assert out.exit_code == 1
    assert "❌ 伪造或被篡改  Forged or altered" in out.output
    assert "[signature]" in out.output
    assert "altered or forged" in out.output
    # the content it claims is not shown as a certificate
    assert "以下是未经验证的声称内容，不是证书" in out.output
    assert "（声称 claimed）姓名 Name: 张小芳" in out.output
    assert "评价机构 Institution: --" in out.output
    early = runner.invoke(main, ["verify", str(bad.with_name("x")), *base])
    assert early.exit_code == 2
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("L", (200, 200), 255).save(blank)
    out = runner.invoke(main, ["verify", str(blank), *base])
    assert out.exit_code == 2
    assert "no QR code" in out.output


def test_bureau_snapshot_key_signs_the_site(
    runner: CliRunner, registry_copy: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        main,
        [
            "keys",
            "new",
            "--bureau",
            "--registry",
            str(registry_copy),
            "--keys-dir",
            str(tmp_path / "k"),
        ],
    )
    assert result.exit_code == 0, result.output
    (key_file,) = (tmp_path / "k").glob("bureau-snapshot-*.key")
    key = load_signing_key(key_file, passphrase=None)
    bureau = yaml.safe_load((registry_copy / "bureau.yaml").read_text("utf-8"))
    assert bureau["snapshot_key"] == {"kid": key.kid, "public_key": key.public_key.raw.hex()}
    assert (
        runner.invoke(main, ["registry", "check", "--registry", str(registry_copy)]).exit_code == 0
    )
    out = tmp_path / "site"
    built = runner.invoke(
        main,
        [
            "site",
            "build",
            "--registry",
            str(registry_copy),
            "--out",
            str(out),
            "--snapshot-key",
            str(key_file),
        ],
    )
    assert built.exit_code == 0, built.output
    sig = json.loads((out / "snapshot" / "manifest.sig.json").read_text())
    assert sig["kid"] == key.kid
    both = runner.invoke(main, ["keys", "new", "--bureau", "--institution", FILING])
    assert both.exit_code == 2


def test_verify_warns_of_a_look_alike_site_and_of_more_codes(
    runner: CliRunner, issued: tuple[Path, bytes], tmp_path: Path
) -> None:
    from PIL import Image

    registry, data = issued
    base = ["--registry", str(registry), "--at", "2026-11-21"]
    text = qr.payload_text("https://skil1cert-example.org", data)  # a printed look-alike URL
    out = runner.invoke(main, ["verify", text, *base])
    assert "skil1cert-example.org" in out.stderr
    assert "不是主管部门的核验网站" in out.stderr
    good = qr.render_png(qr.make("https://skillcert.example.org", data))
    other = qr.render_png(
        qr.make("https://skillcert.example.org", data[:-1] + bytes([data[-1] ^ 1]))
    )
    first, second = Image.open(io.BytesIO(good)), Image.open(io.BytesIO(other))
    both = Image.new("1", (first.width * 2 + 40, first.height), 1)
    both.paste(first, (0, 0))
    both.paste(second, (first.width + 40, 0))
    both.save(tmp_path / "two.png")
    out = runner.invoke(main, ["verify", str(tmp_path / "two.png"), *base])
    assert "还有 1 个其他二维码" in out.stderr


def test_a_key_is_never_written_into_the_repositorys_site_from_anywhere(
    runner: CliRunner, registry_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import ROOT

    monkeypatch.chdir(tmp_path)  # run from elsewhere: site/ is not a relative path here
    target = ROOT / "site" / "assets" / "leak.key"
    result = runner.invoke(main, ["keys", "new", "--institution", FILING, "--registry",
                                  str(registry_copy), "--out", str(target)])  # fmt: skip
    assert result.exit_code == 1
    assert "拒绝把私钥写到" in result.output
    assert not target.exists()
