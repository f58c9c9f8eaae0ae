"""Every command, given hostile arguments, ends in a one-line error and an exit code, never a
traceback: missing files, directories where files belong, 10,000-character arguments, binary
files, damaged snapshot manifests and key files, a registry that is a file, and no node_modules."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from credentials.keys import SigningKey, save_signing_key
from credentials.registry import edit
from tests.conftest import ROOT

pytestmark = pytest.mark.integration
FILING = "Y000041019001"
LONG = "9" * 10_000
LONG_NAME = "x" * 10_000
_CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def hostile(registry_copy: Path, tmp_path: Path) -> dict[str, Path]:
    key = SigningKey.generate()
    key_path = tmp_path / "k.key"
    save_signing_key(key, key_path, passphrase=None, institution=FILING)
    edit.add_key(registry_copy / "institutions" / f"{FILING}.yaml", kid=key.kid,
                 public_key=key.public_key.raw, not_before=dt.date(2025, 1, 1))  # fmt: skip
    binary = tmp_path / "binary.bin"
    binary.write_bytes(os.urandom(4096) + b"\x00\xff" * 100)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    damaged = tmp_path / "snapshot"
    damaged.mkdir()
    (damaged / "manifest.json").write_bytes(b'{"format": 2, "shards": {"41": {"path": "/dev/zero"')
    (damaged / "manifest.sig.json").write_bytes(b'{"signature": "zz"}')
    naming = tmp_path / "naming"
    naming.mkdir()
    (naming / "manifest.json").write_bytes(
        b'{"format": 2, "shards": {"41": {"path": "../../../../dev/zero", "sha256": "00"}}}'
    )
    bad_key = tmp_path / "bad.key"
    bad_key.write_bytes(b"\x00" * 64)
    bad_key.chmod(0o600)
    not_registry = tmp_path / "file-registry"
    not_registry.write_text("x")
    return {"registry": registry_copy, "key": key_path, "binary": binary, "folder": folder,
            "damaged": damaged, "naming": naming, "bad_key": bad_key, "tmp": tmp_path,
            "not_registry": not_registry}  # fmt: skip


def _cases(h: dict[str, Path]) -> list[list[str]]:
    reg = ["--registry", str(h["registry"])]
    t = h["tmp"]
    register = ["--register", str(t / "r.sqlite")]
    out = ["--out", str(t / "out")]
    issuing = ["--key", str(h["key"]), *reg, *register, *out, "--at", "2026-11-21", "--quiet"]
    return [
        # registry
        ["registry", "check", "--registry", str(t / "missing")],
        ["registry", "check", "--registry", LONG_NAME],
        ["registry", "check", "--registry", str(h["not_registry"])],
        ["registry", "show", LONG, *reg],
        ["registry", "show", "\x1b[2J\x00", *reg],
        ["registry", "show", FILING, "--registry", str(h["binary"])],
        ["registry", "diff", LONG, *reg],
        ["registry", "diff", "HEAD", "HEAD", "--registry", str(t / "missing")],
        ["registry", "diff", "--", "-x", *reg],
        # keys
        ["keys", "new", "--institution", LONG, *reg, "--keys-dir", str(t / "k1")],
        ["keys", "new", "--institution", FILING, *reg, "--out", str(h["folder"])],
        ["keys", "new", "--institution", FILING, *reg, "--out", LONG_NAME],
        ["keys", "new", "--institution", FILING, *reg, "--keys-dir", str(h["binary"])],
        ["keys", "new", "--bureau", "--registry", str(t / "missing"), "--keys-dir", str(t / "k2")],
        ["keys", "list", "--keys-dir", str(h["binary"]), *reg],
        ["keys", "list", "--keys-dir", LONG_NAME, *reg],
        ["keys", "rotate", "--institution", LONG, *reg, "--keys-dir", str(t / "k3")],
        ["keys", "compromised", LONG, "--since", "2025-01-01", *reg],
        ["keys", "compromised", "abc", "--since", "2025-01-01", "--registry", str(t / "missing")],
        # verify
        ["verify", LONG, *reg],
        ["verify", "9" * 5000, *reg],
        ["verify", LONG_NAME, *reg],
        ["verify", str(h["binary"]), *reg],
        ["verify", str(h["folder"]), *reg],
        ["verify", str(t / "missing.cose"), *reg],
        ["verify", "https://x.example/v#" + LONG, *reg],
        ["verify", "\x1b[31m", *reg],
        ["verify", str(h["binary"]), "--snapshot", str(h["damaged"]), *reg],
        ["verify", str(h["binary"]), "--snapshot", str(h["naming"]), "--snapshot-key-hex",
         "00" * 32],
        ["verify", str(h["binary"]), "--snapshot", str(h["damaged"]), "--snapshot-key-hex", "zz"],
        ["verify", str(h["binary"]), "--snapshot", str(t / "missing"), *reg],
        ["verify", str(h["binary"]), "--registry", str(h["not_registry"])],
        # issuing
        ["issue", *issuing, "--roster", str(h["binary"])],
        ["issue", *issuing, "--roster", str(h["folder"])],
        ["issue", *issuing, "--roster", str(t / "missing.csv")],
        ["issue", *issuing, "--roster", LONG_NAME],
        ["issue", *issuing, "--roster", str(h["binary"]), "--published", LONG_NAME, "--strict"],
        ["issue", *issuing, "--roster", str(h["binary"]), "--published", str(h["damaged"]), "--strict"],
        ["issue", *issuing, "--roster", str(h["binary"]), "--published", "https://[::1", "--strict"],
        ["issue", "--key", str(h["bad_key"]), *reg, *register, *out, "--roster",
         str(ROOT / "samples" / f"roster-{FILING}.csv")],
        ["issue", "--key", str(h["folder"]), *reg, *register, *out, "--name", "x"],
        ["issue", *issuing, "--name", LONG, "--id-number", LONG, "--occupation", LONG,
         "--level", LONG],
        ["issue", "--key", str(h["key"]), *reg, "--register", str(h["folder"]), *out, "--roster",
         str(ROOT / "samples" / f"roster-{FILING}.csv")],
        ["issue", "--key", str(h["key"]), *reg, "--register", str(h["binary"]), *out, "--roster",
         str(ROOT / "samples" / f"roster-{FILING}.csv")],
        ["revoke", LONG, "--reason", "x", *reg, *register],
        ["revoke", "Y000041019001253000001", "--reason", LONG, *reg, "--register",
         str(h["binary"])],
        ["reissue", LONG, "--key", str(h["key"]), "--reason", "x", "--applicant-id-number-stdin", *reg,
         *register, *out],
        ["reissue", "Y000041019001253000001", "--key", str(h["binary"]), "--reason", LONG,
         "--applicant-id-number-stdin", *reg, *register, *out],
        ["register", "paper", "发放", LONG, "--by", "x", *register],
        ["register", "paper", "发放", "Y000041019001253000001", "--by", " ", "--register", str(h["binary"])],
        ["register", "paper-log", "--register", str(h["folder"])],
        ["batch", "confirm", "2026-1", "--key", str(h["key"]), "--roster", str(h["binary"]), *reg],
        ["report", "--month", "2026-13", "--register", str(t / "r5.sqlite")],
        ["report", "--register", str(h["binary"])],
        ["report", "--register", str(h["folder"])],
        ["report", "--format", "xlsx", "--register", str(t / "r2.sqlite")],
        ["report", "--format", "csv", "--out", str(h["folder"]), "--register", str(t / "r3.sqlite")],
        ["register", "export", "--register", LONG_NAME],
        ["register", "export", "--batch", LONG, "--register", str(t / "r4.sqlite")],
        # batches
        ["batch", "new", "--key", str(h["key"]), *reg, "--roster", str(h["binary"]), "--assessed", "2026-09-20"],
        ["batch", "new", "--key", str(h["key"]), *reg, "--roster", str(h["folder"]), "--assessed", LONG],
        ["batch", "new", "--key", str(h["bad_key"]), *reg, "--roster", str(ROOT / "samples" / f"roster-{FILING}.csv"),
         "--assessed", "2026-09-20"],
        ["batch", "approve", LONG, *reg],
        ["batch", "approve", f"{FILING}/2026-1", "--registry", str(h["not_registry"])],
        ["batch", "approve", "../../etc/2026-1", *reg],
        ["batch", "reject", f"{FILING}/2026-1", "--reason", LONG, *reg],
        ["batch", "reject", f"{FILING}/2026-1", "--reason", " ", *reg],
        ["batch", "publish", "2026-1", "--key", str(h["key"]), *reg, *register],
        ["batch", "publish", LONG, "--key", str(h["key"]), *reg, "--register", str(h["binary"])],
        ["batch", "publish", "--reissues", "--legacy", "--key", str(h["key"]), *reg, *register],
        ["batch", "list", "--registry", str(h["not_registry"])],
        ["verify", "--number", LONG, "--id-number", LONG, *reg],
        ["verify", "--number", "Y000041019001263000001", "--id-number", "x",
         "--snapshot", str(h["damaged"]), "--snapshot-key-hex", "00" * 32],
        ["verify", "--number", "Y000041019001263000001", *reg],
        # site
        ["site", "build", "--registry", str(t / "missing"), "--out", str(t / "site1")],
        ["site", "build", *reg, "--out", str(h["binary"])],
        ["site", "build", *reg, "--snapshot-key", str(h["bad_key"]), "--out", str(t / "site2")],
        ["site", "sign", str(t / "missing"), "--snapshot-key", str(h["key"])],
        ["site", "sign", str(t), "--snapshot-key", str(h["bad_key"])],
        ["site", "sign", str(t), "--snapshot-key", str(h["binary"])],
        ["site", "serve", "--dir", str(t / "missing")],
        ["site", "serve", "--port", "99999"],
        ["demo", "--registry", str(t / "missing"), "--no-serve", "--workdir", str(t / "demo")],
    ]  # fmt: skip


def _no_traceback(args: list[str], result: Result) -> None:
    shown = " ".join(a[:40] for a in args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{shown}: {result.exception!r}\n{result.output[-2000:]}"
    )
    assert "Traceback" not in result.output, shown
    assert result.exit_code in (0, 1, 2), (shown, result.exit_code, result.output[-500:])
    if args[0] == "verify" and result.exit_code == 1:  # a report: not genuine
        assert "❌" in result.output, shown
    elif result.exit_code != 0:
        last = result.output.strip().splitlines()[-1] if result.output.strip() else ""
        assert last.startswith("错误 error:"), (shown, last)
    # Chinese first, click's own words included: every line a person reads has Chinese in it
    english_only = [ln for ln in result.output.splitlines() if ln.strip() and not _CJK.search(ln)]
    assert not english_only, (shown, english_only[:3])
    assert "\x1b" not in result.output, shown  # no terminal escape ever comes back


def test_every_command_with_hostile_arguments(hostile: dict[str, Path]) -> None:
    runner = CliRunner()
    failures = []
    for args in _cases(hostile):
        try:
            _no_traceback(args, runner.invoke(main, args, catch_exceptions=True))
        except AssertionError as err:
            failures.append(str(err)[:600])
    assert not failures, "\n\n".join(failures)


def test_no_node_modules_is_a_clear_error(
    hostile: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from credentials.site import build

    monkeypatch.setattr(build, "_ROOT", hostile["tmp"])  # a checkout where npm ci never ran
    shutil.copy(ROOT / "mkdocs.yml", hostile["tmp"] / "mkdocs.yml")
    shutil.copytree(ROOT / "site", hostile["tmp"] / "site")
    result = CliRunner().invoke(
        main, ["site", "build", "--registry", str(hostile["registry"]), "--out",
               str(hostile["tmp"] / "built")],
    )  # fmt: skip
    _no_traceback(["site", "build"], result)
    assert result.exit_code == 1
    assert "npm ci" in result.output


@pytest.mark.parametrize("value", ["1²", "3٣", "2022-03-0١", "０1"])
def test_digits_that_are_not_ascii_in_a_registry_file_are_a_finding(
    registry_copy: Path, value: str
) -> None:
    """str.isdigit() and ``\\d`` take "²" and "٣" for digits, YAML does not: the quick resolver
    read "1²" as an integer and ``int()`` raised (a traceback). Each value is a string to YAML,
    so a field that wants digits gets a finding on its line."""
    path = registry_copy / "institutions" / f"{FILING}.yaml"
    text = path.read_text("utf-8")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if x.startswith("city:"))
    path.write_text(text.replace(text.splitlines()[line - 1], f"city: {value}"), "utf-8")
    result = CliRunner().invoke(main, ["registry", "check", "--registry", str(registry_copy),
                                       "--cache", "off"], catch_exceptions=True)  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    assert f"{FILING}.yaml:{line}:" in result.output
    assert "city" in result.output
