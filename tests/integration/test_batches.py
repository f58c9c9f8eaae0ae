"""Batches through the command line, as the institution and the bureau run them: propose with a
公示 list, decide after the notice (the bureau's serials in Zhejiang), issue inside the batch,
publish the record, look a certificate up by number and ID number; a rejected batch issues nothing."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from credentials.issuing.roster import parse, read_table
from credentials.keys import SigningKey, save_signing_key
from credentials.registry import edit
from tests.conftest import ROOT

pytestmark = pytest.mark.integration
FILING = "Y000033010001"  # Zhejiang: the bureau numbers
ROSTER = ROOT / "samples" / f"roster-{FILING}.csv"
SECOND = ROOT / "samples" / f"roster-{FILING}-b.csv"


@pytest.fixture
def office(registry_copy: Path, tmp_path: Path) -> dict[str, Path]:
    key = SigningKey.generate()
    key_path = tmp_path / "keys" / "k.key"
    save_signing_key(key, key_path, passphrase=None, institution=FILING)
    edit.add_key(registry_copy / "institutions" / f"{FILING}.yaml", kid=key.kid,
                 public_key=key.public_key.raw, not_before=dt.date(2025, 1, 15))  # fmt: skip
    return {"registry": registry_copy, "key": key_path, "tmp": tmp_path,
            "register": tmp_path / "register.sqlite", "out": tmp_path / "out"}  # fmt: skip


def _run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.output


def test_a_batch_from_notice_to_lookup(office: dict[str, Path]) -> None:
    reg = ["--registry", str(office["registry"])]
    key = ["--key", str(office["key"])]
    code, out = _run("batch", "new", *key, "--roster", str(ROSTER), "--assessed", "2026-10-20",
                     "--filed", "2026-10-23", *reg)  # fmt: skip
    assert code == 0, out
    assert "Y000033010001/2026-1：16 人；公示 2026-10-26 至 2026-10-30（按国务院节假日安排）" in out
    folder = office["registry"] / "batches" / FILING
    notice = (folder / "2026-1.notice.yaml").read_text("utf-8")
    rows, _ = parse(read_table(ROSTER))
    first = rows[0]
    assert first.holder in notice
    assert first.id_number not in notice  # the ID number only masked
    assert "99" + "*" * 15 + first.id_number[-1] in notice
    # the institution cannot issue before the decision; the bureau cannot decide during the notice
    code, out = _run("issue", *key, "--roster", str(ROSTER), "--register", str(office["register"]),
                     "--out", str(office["out"]), "--at", "2026-11-06", "--quiet", *reg)  # fmt: skip
    assert code == 1
    assert "尚未获批准" in out
    assert not office["register"].exists()
    code, out = _run("batch", "approve", f"{FILING}/2026-1", "--date", "2026-10-30", *reg)
    assert code == 1
    assert "公示期满后才能作出决定" in out
    code, out = _run("batch", "approve", f"{FILING}/2026-1", "--date", "2026-11-02", *reg)
    assert code == 0, out
    assert "3 级 level 3: Y000033010001263000001 – Y000033010001263000006（6 本）" in out
    assert not (folder / "2026-1.notice.yaml").exists()
    code, out = _run("registry", "check", *reg)
    assert code == 0, out
    # issued inside the batch, with the bureau's serials only
    code, out = _run("issue", *key, "--roster", str(ROSTER), "--register", str(office["register"]),
                     "--out", str(office["out"]), "--at", "2026-11-06", "--quiet", *reg)  # fmt: skip
    assert code == 0, out
    with sqlite3.connect(office["register"]) as db:
        numbers = sorted(n for (n,) in db.execute("SELECT number FROM certificates"))
    assert numbers == sorted([f"{FILING}263{i:06d}" for i in range(1, 7)]
                             + [f"{FILING}264{i:06d}" for i in range(1, 11)])  # fmt: skip
    # not yet published: the verifier cannot yet confirm it
    cose = office["out"] / f"{numbers[0]}-v1.cose"
    code, out = _run("verify", str(cose), "--at", "2026-11-08", *reg)
    assert code == 1
    assert "暂无法确认" in out
    code, out = _run("batch", "publish", "2026-1", *key, "--register", str(office["register"]),
                     "--date", "2026-11-09", *reg)  # fmt: skip
    assert code == 0, out
    assert "发证记录 2026-1：16 本" in out
    assert _run("registry", "check", *reg)[0] == 0
    code, out = _run("verify", str(cose), "--at", "2026-11-10", *reg)
    assert code == 0, out
    # publishing again changes nothing
    code, out = _run("batch", "publish", "2026-1", *key, "--register", str(office["register"]),
                     "--date", "2026-11-10", *reg)  # fmt: skip
    assert "已公布，内容相同" in out
    # the lookup by number and ID number, from the published record alone (serial 1 of level 3:
    # the first level-3 row, as the bureau's range is used in roster order)
    first = next(r for r in rows if int(r.level) == 3)
    code, out = _run("verify", "--number", numbers[0], "--id-number-stdin", "--at", "2026-11-10", *reg,
                     stdin=first.id_number + "\n")  # fmt: skip
    assert code == 0, out
    assert "✅ 查到证书，真实有效" in out
    assert "6-22-01-01 汽车生产线操作工" in out
    code, out = _run("verify", "--number", numbers[0], "--id-number-stdin", "--at", "2026-11-10", *reg,
                     stdin="990101199001010019\n")  # fmt: skip
    assert code == 1
    assert "未查到" in out
    # a rejected batch: no number, ever
    code, out = _run("batch", "new", *key, "--roster", str(SECOND), "--assessed", "2026-11-05",
                     "--filed", "2026-11-10", *reg)  # fmt: skip
    assert code == 0, out
    code, out = _run(
        "batch",
        "reject",
        f"{FILING}/2026-2",
        "--reason",
        "考评员不足",
        "--date",
        "2026-11-18",
        *reg,
    )
    assert code == 0, out
    code, out = _run("issue", *key, "--roster", str(SECOND), "--register", str(office["register"]),
                     "--out", str(office["out"]), "--at", "2026-11-20", "--quiet", *reg)  # fmt: skip
    assert code == 1
    assert "被驳回" in out
    with sqlite3.connect(office["register"]) as db:
        assert db.execute("SELECT count(*) FROM certificates").fetchone() == (16,)
    code, out = _run("batch", "list", "--at", "2026-11-20", *reg)
    assert "Y000033010001/2026-2  已驳回 rejected" in out
    assert "Y000033010001/2026-1  已公布发证记录 issuance record published" in out


def test_a_second_register_is_refused_by_the_published_record(
    office: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issuing a batch from a register that is behind the serials the registry publishes (a
    second register on another computer, or an old backup) is refused before a number is taken."""
    from tests.support.batches import approved_batch

    henan = "Y000041019001"
    key = SigningKey.generate()
    key_path = office["tmp"] / "keys" / "h.key"
    save_signing_key(key, key_path, passphrase=None, institution=henan)
    edit.add_key(office["registry"] / "institutions" / f"{henan}.yaml", kid=key.kid,
                 public_key=key.public_key.raw, not_before=dt.date(2025, 1, 1))  # fmt: skip
    roster = ROOT / "samples" / f"roster-{henan}.csv"
    approved_batch(office["registry"], roster, key)
    reg = ["--registry", str(office["registry"])]
    args = ["issue", "--key", str(key_path), "--roster", str(roster), "--out", str(office["out"]),
            "--at", "2026-11-06", "--quiet", *reg]  # fmt: skip
    code, out = _run(*args, "--register", str(office["tmp"] / "one.sqlite"))
    assert code == 0, out
    code, out = _run("batch", "publish", "2026-1", "--key", str(key_path), "--register",
                     str(office["tmp"] / "one.sqlite"), "--date", "2026-11-07", *reg)  # fmt: skip
    assert code == 0, out
    monkeypatch.setenv("SKILLCERT_HOME", str(office["tmp"] / "another-computer"))
    code, out = _run(*args, "--register", str(office["tmp"] / "two.sqlite"))
    assert code == 1
    assert "这不是本机构的发证名册" in out
    assert not (office["tmp"] / "two.sqlite").exists()
