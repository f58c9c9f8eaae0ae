"""Issuing end to end: rosters, the register, files, print-scan-verify, revocation, re-issue,
reports, two processes at once, and SIGKILL at random points."""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from credentials.credential import images, qr
from credentials.credential.commitment import check_digit
from credentials.credential.verify import check
from credentials.keys import SigningKey, save_signing_key
from credentials.registry import edit
from credentials.registry.registry import load_registry
from tests.conftest import ROOT
from tests.support.batches import approved_batch

pytestmark = pytest.mark.integration
FILING = "Y000041019001"
ROSTER = ROOT / "samples" / f"roster-{FILING}.csv"
AT = "2026-11-21"
PHOTO = str(ROOT / "samples" / "photos" / f"{FILING}-01.jpg")  # a drawn silhouette, no one's face


@pytest.fixture
def setup(registry_copy: Path, tmp_path: Path) -> dict[str, Path]:
    key = SigningKey.generate()
    key_path = tmp_path / "keys" / "k.key"
    save_signing_key(key, key_path, passphrase=None, institution=FILING)
    edit.add_key(
        registry_copy / "institutions" / f"{FILING}.yaml",
        kid=key.kid,
        public_key=key.public_key.raw,
        not_before=dt.date(2025, 1, 1),
    )
    return {
        "registry": registry_copy,
        "key": key_path,
        "register": tmp_path / "register.sqlite",
        "out": tmp_path / "out",
        "tmp": tmp_path,
    }


def _args(s: dict[str, Path], *more: str) -> list[str]:
    return [
        *more,
        "--registry",
        str(s["registry"]),
        "--register",
        str(s["register"]),
        "--out",
        str(s["out"]),
        "--at",
        AT,
    ]


def _issue(runner: CliRunner, s: dict[str, Path], roster: Path, *more: str) -> str:
    approved_batch(s["registry"], roster, s["key"])
    result = runner.invoke(
        main,
        [
            "issue",
            *_args(
                s,
                "--institution",
                FILING,
                "--key",
                str(s["key"]),
                "--roster",
                str(roster),
                "--quiet",
                *more,
            ),
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


def _db(s: dict[str, Path], sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(s["register"]) as db:
        return db.execute(sql).fetchall()


def test_roster_issues_numbers_files_and_is_idempotent(
    runner: CliRunner, setup: dict[str, Path]
) -> None:
    out = _issue(runner, setup, ROSTER)
    assert f"batch {FILING}/2026-1: 24 issued, 0 issued before" in out
    rows = _db(setup, "SELECT number, level FROM certificates ORDER BY number")
    assert len(rows) == 24
    by_level: dict[int, list[int]] = {}
    for number, level in rows:
        assert str(number).startswith(f"{FILING}26{level}")
        by_level.setdefault(int(level), []).append(int(str(number)[-6:]))  # type: ignore[call-overload]
    for serials in by_level.values():
        assert sorted(serials) == list(range(1, len(serials) + 1))
    files = sorted(p.name for p in setup["out"].iterdir())
    assert len([f for f in files if f.endswith(".pdf") and not f.startswith("batch")]) == 24
    assert "batch-1.pdf" in files
    # re-running the same roster issues nothing again, and regenerates deleted files
    victim = setup["out"] / f"{rows[0][0]}-v1.pdf"
    victim.unlink()
    again = _issue(runner, setup, ROSTER)
    assert "0 issued, 24 issued before (skipped), 1 files regenerated" in again
    assert victim.is_file()
    assert len(_db(setup, "SELECT id FROM certificates")) == 24
    # a batch issues exactly the people it noticed: one row more is refused
    more = setup["tmp"] / "more.csv"
    more.write_text(ROSTER.read_text("utf-8-sig") + f"{FILING},钱多多,居民身份证,990101199001010019,"
                    "6-18-01-01,车工,数控车床,三级,2026-10-20,\n", "utf-8")  # fmt: skip
    refused = runner.invoke(main, ["issue", *_args(setup, "--key", str(setup["key"]), "--roster",
                                                   str(more), "--batch", "2026-1", "--quiet")])  # fmt: skip
    assert refused.exit_code == 1
    assert "is not the one batch" in refused.output
    assert len(_db(setup, "SELECT id FROM certificates")) == 24


def test_bad_roster_lists_every_problem_and_issues_nothing(
    runner: CliRunner, setup: dict[str, Path]
) -> None:
    bad = setup["tmp"] / "bad.csv"
    lines = ROSTER.read_text("utf-8-sig").splitlines()
    rows = [next(csv.reader([line])) for line in lines]
    # the sample rosters' columns: 机构备案号, 姓名, 证件类型, 证件号码, 职业编码, 职业名称, 工种, 等级, 日期
    rows[1][3] = rows[1][3][:-1] + ("0" if rows[1][3][-1] != "0" else "1")  # wrong check digit
    rows[2][7] = "一级"  # 普通车床 level 1 is filed... make it out of scope below
    rows[2][4], rows[2][6] = "4-03-02-01", "--"  # 中式烹调师 level 1: not filed
    rows[3][7] = "六级"  # no such level
    rows[4][8] = "2030-01-01"  # in the future
    rows.append(rows[5])  # a duplicate row
    with bad.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = runner.invoke(
        main,
        [
            "issue",
            *_args(
                setup, "--institution", FILING, "--key", str(setup["key"]), "--roster", str(bad)
            ),
        ],
    )
    assert result.exit_code == 1
    text = result.output
    assert "nothing was issued" in text
    assert "row 2, column 证件号码" in text
    assert "row 4, column 职业技能等级" in text
    assert f"row {len(rows)}" in text
    assert "duplicates row 6" in text
    assert not setup["register"].exists()
    assert not setup["out"].exists()
    # cell problems and registry problems are listed together, in one round
    rows[1] = next(csv.reader([lines[1]]))
    rows[3][7] = "四级"
    rows.pop()
    with bad.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = runner.invoke(
        main,
        [
            "issue",
            *_args(
                setup, "--institution", FILING, "--key", str(setup["key"]), "--roster", str(bad)
            ),
        ],
    )
    assert result.exit_code == 1
    assert (
        "row 3, column 职业技能等级: 4-03-02-01 / -- level 1 was not in the filed scope"
        in result.output
    )
    assert "row 5, column 发证日期: issue date 2030-01-01 is in the future" in result.output
    assert not setup["register"].exists()


def test_xlsx_roster_with_english_headers_and_single_issue(
    runner: CliRunner, setup: dict[str, Path]
) -> None:
    from credentials.issuing.spreadsheet import write_rows

    xlsx = setup["tmp"] / "r.xlsx"
    write_rows(
        xlsx,
        [
            (
                "roster",
                [
                    [
                        "Name",
                        "ID type",
                        "ID number",
                        "Occupation code",
                        "Occupation",
                        "Job",
                        "Level",
                        "Issue date",
                        "Category",
                        "Photo",
                    ],
                    [
                        "陈思远",
                        "居民身份证",
                        "990101199001010019",
                        "6-18-01-01",
                        "车工",
                        "数控车床",
                        2,
                        dt.date(2026, 7, 1),
                        "own_employees",
                        PHOTO,
                    ],
                ],
            )
        ],
    )
    assert "1 issued" in _issue(runner, setup, xlsx)
    from credentials.issuing.roster import HEADER

    approved_batch(setup["registry"], [list(HEADER), ["周一鸣", "居民身份证", "990101199001010027",
                   "4-03-02-01", "", "", "中级工", "2026-07-02", PHOTO, "本单位职工"]], setup["key"])  # fmt: skip
    one = runner.invoke(
        main,
        [
            "issue",
            *_args(
                setup,
                "--institution",
                FILING,
                "--key",
                str(setup["key"]),
                "--name",
                "周一鸣",
                "--id-number",
                "990101199001010027",
                "--occupation",
                "4-03-02-01",
                "--level",
                "中级工",
                "--date",
                "2026-07-02",
                "--photo",
                PHOTO,
                "--category",
                "本单位职工",
                "--quiet",
            ),
        ],
    )
    assert one.exit_code == 0, one.output
    assert f"{FILING}264000001" in one.output


def test_print_scan_verify(runner: CliRunner, setup: dict[str, Path]) -> None:
    import pypdfium2 as pdfium

    _issue(runner, setup, ROSTER)
    published = runner.invoke(main, ["batch", "publish", "2026-1", "--key", str(setup["key"]), "--register",
                                     str(setup["register"]), "--registry", str(setup["registry"]),
                                     "--date", "2026-10-21"])  # fmt: skip
    assert published.exit_code == 0, published.output
    registry = load_registry(setup["registry"])
    pdf = pdfium.PdfDocument(str(setup["out"] / "batch-1.pdf"))
    assert len(pdf) == 24
    for index in (0, 11, 23):
        image = pdf[index].render(scale=200 / 72).to_pil()  # a 200 dpi scan
        image = image.rotate(1.5, expand=True, fillcolor="white")
        from io import BytesIO

        buf = BytesIO()
        image.convert("L").save(buf, format="JPEG", quality=70)
        (text,) = images.qr_texts(buf.getvalue())
        report = check(qr.decode_text(text), registry, at=dt.date(2026, 11, 21))
        assert report.ok, report.failed
    pdf.close()


def test_revoke_reissue_report_and_exports(runner: CliRunner, setup: dict[str, Path]) -> None:
    _issue(runner, setup, ROSTER)
    number = str(_db(setup, "SELECT number FROM certificates ORDER BY number LIMIT 1")[0][0])
    other = str(_db(setup, "SELECT number FROM certificates ORDER BY number DESC LIMIT 1")[0][0])
    r = runner.invoke(
        main,
        [
            "revoke",
            number,
            "--reason",
            "成绩作废",
            "--date",
            "2026-11-05",
            "--registry",
            str(setup["registry"]),
            "--register",
            str(setup["register"]),
        ],
    )
    assert r.exit_code == 0, r.output
    holder_id = str(
        _db(setup, f"SELECT id_number FROM certificates WHERE number = '{other}'")[0][0]
    )
    reissue = ["reissue", other, *_args(setup, "--key", str(setup["key"]), "--reason", "证书遗失",
               "--applied", "2026-11-18", "--applicant-id-number-stdin")]  # fmt: skip
    # only the holder applies (考生本人提出申请): another ID number is refused
    r = runner.invoke(main, reissue, input="990101199001010019\n")
    assert r.exit_code == 1
    assert "补发须由考生本人提出申请" in r.output
    r = runner.invoke(main, reissue, input=holder_id + "\n")
    assert r.exit_code == 0, r.output
    assert (setup["out"] / f"{other}-v2.pdf").is_file()
    inst_file = (setup["registry"] / "institutions" / f"{FILING}.yaml").read_text("utf-8")
    assert f"number: {number}" in inst_file
    assert "reason: 成绩作废" in inst_file
    assert f"number: {other}\n    version: 2" in inst_file
    assert "reason: 证书遗失" in inst_file  # why, never who
    assert (
        runner.invoke(main, ["registry", "check", "--registry", str(setup["registry"])]).exit_code
        == 0
    )
    registry = load_registry(setup["registry"])
    at = dt.date.fromisoformat(AT)
    v1 = (setup["out"] / f"{other}-v1.cose").read_bytes()
    v2 = (setup["out"] / f"{other}-v2.cose").read_bytes()
    # never published (the batch's record is not in this registry): not genuine after 30 days
    assert check(v1, registry, at=at).failed == ("not-revoked", "in-published-record")
    assert check(v2, registry, at=at).failed == ()  # the re-issue: cannot yet confirm
    revoked = (setup["out"] / f"{number}-v1.cose").read_bytes()
    assert check(revoked, registry, at=at).failed[0] == "not-revoked"
    # results summary: 24 issued, one revoked, the re-issue is not a new certificate
    rep = runner.invoke(
        main, ["report", "--year", "2026", "--format", "md", "--register", str(setup["register"])]
    )
    assert rep.exit_code == 0, rep.output
    total = next(ln for ln in rep.output.splitlines() if ln.startswith("| 合计 Total"))
    assert total.rstrip(" |").endswith("23")
    assert "| 6-18-01-01 | 车工 | 小计 Subtotal |" in rep.output
    xlsx = setup["tmp"] / "report.xlsx"
    assert (
        runner.invoke(
            main,
            [
                "report",
                "--format",
                "xlsx",
                "--out",
                str(xlsx),
                "--register",
                str(setup["register"]),
            ],
        ).exit_code
        == 0
    )
    from credentials.issuing.spreadsheet import read_rows

    sheet = read_rows(xlsx)
    assert sheet[0][0] == "职业技能等级认定结果汇总表（全部 all）"
    assert sheet[1][0] == "填报单位：（章）郑州青禾技师学院职业技能等级认定中心"
    assert sheet[1][-1] == "单位：人"
    assert sheet[2][0] == "职业编码"
    # the monthly report (月末报): only October's certificates
    month = runner.invoke(main, ["report", "--month", "2026-10", "--format", "csv", "--register",
                                 str(setup["register"]), "--registry", str(setup["registry"])])  # fmt: skip
    assert month.exit_code == 0, month.output
    assert "职业技能等级认定结果汇总表（2026年10月）" in month.output
    assert month.output.strip().splitlines()[-1].endswith(",23")
    november = runner.invoke(main, ["report", "--month", "2026-11", "--format", "md", "--register",
                                    str(setup["register"])])  # fmt: skip
    assert "| 合计 Total |  |  | 0 | 0 | 0 | 0 | 0 | 0 |" in november.output
    notice = runner.invoke(
        main,
        ["register", "export", "--batch", "1", "--notice", "--register", str(setup["register"])],
    )
    assert notice.exit_code == 0
    assert "证件号码" not in notice.output
    assert len(notice.output.strip().splitlines()) == 1 + 23
    full = runner.invoke(main, ["register", "export", "--register", str(setup["register"])])
    assert "证件号码" in full.output
    assert len(full.output.strip().splitlines()) == 1 + 25


def test_serials_never_exceed_999999(runner: CliRunner, setup: dict[str, Path]) -> None:
    _issue(runner, setup, ROSTER)
    _db(setup, "UPDATE serials SET last = 999999")
    with sqlite3.connect(setup["register"]) as db:
        db.execute("UPDATE serials SET last = 999999")
    more = setup["tmp"] / "more.csv"
    more.write_text(
        "姓名,证件类型,证件号码,职业编码,工种/职业方向,职业技能等级,发证日期\n"
        "钱多多,居民身份证,990101199001010019,6-18-01-01,数控车床,三级,2026-10-20\n",
        "utf-8",
    )
    approved_batch(setup["registry"], more, setup["key"])
    r = runner.invoke(
        main,
        [
            "issue",
            *_args(
                setup,
                "--institution",
                FILING,
                "--key",
                str(setup["key"]),
                "--roster",
                str(more),
                "--quiet",
            ),
        ],
    )
    assert r.exit_code == 1
    assert "only 0 serials are left" in r.output  # refused before a number is taken


# --- two processes, and crashes ---------------------------------------------------------------


def _roster(path: Path, people: range, date: str = "2026-10-20") -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "姓名",
                "证件类型",
                "证件号码",
                "职业编码",
                "工种/职业方向",
                "职业技能等级",
                "发证日期",
                "认定对象",
                "照片",
            ]
        )
        for i in people:
            body = f"990101{1990 + i % 10}0101{i:03d}"
            w.writerow(
                [
                    f"测试{i:03d}",
                    "居民身份证",
                    body + check_digit(body),
                    "6-18-01-01",
                    "数控车床",
                    "三级",
                    date,
                    "本校学生",
                    PHOTO,
                ]
            )


def _cli(s: dict[str, Path], roster: Path) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "cli.py"),
        "issue",
        "--institution",
        FILING,
        "--key",
        str(s["key"]),
        "--roster",
        str(roster),
        "--quiet",
        *_args(s),
    ]


def test_two_processes_issuing_at_once_never_collide(setup: dict[str, Path]) -> None:
    a, b = setup["tmp"] / "a.csv", setup["tmp"] / "b.csv"
    _roster(a, range(0, 40))
    _roster(b, range(100, 140))
    approved_batch(setup["registry"], a, setup["key"])
    approved_batch(setup["registry"], b, setup["key"])
    procs = [
        subprocess.Popen(_cli(setup, r), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for r in (a, b)
    ]
    outputs = [p.communicate(timeout=300)[0].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    serials = sorted(int(str(n)[-6:]) for (n,) in _db(setup, "SELECT number FROM certificates"))
    assert serials == list(range(1, 81))


def test_sigkill_at_random_points_loses_and_duplicates_nothing(setup: dict[str, Path]) -> None:
    roster = setup["tmp"] / "crash.csv"
    size = 300
    _roster(roster, range(size))
    approved_batch(setup["registry"], roster, setup["key"])
    rng = random.Random(int(os.environ.get("CRASH_SEED", "11")))
    kills = 0
    for _ in range(12):
        proc = subprocess.Popen(
            _cli(setup, roster), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.2, 3.0))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    final = subprocess.run(_cli(setup, roster), capture_output=True, text=True, check=False)
    assert final.returncode == 0, final.stdout + final.stderr
    assert kills >= 3, "the kills should land while issuing"
    rows = _db(setup, "SELECT number, credential, fingerprint FROM certificates")
    assert len(rows) == size  # nothing lost, nothing issued twice
    assert len({r[2] for r in rows}) == size
    serials = sorted(int(str(r[0])[-6:]) for r in rows)
    assert serials == list(range(1, size + 1))  # no number skipped, none reused
    registry = load_registry(setup["registry"])
    for number, credential, _ in rows:
        cose_file = setup["out"] / f"{number}-v1.cose"
        assert cose_file.read_bytes() == credential
        for suffix in (".png", ".svg", ".pdf"):
            assert cose_file.with_suffix(suffix).is_file()
        report = check(bytes(credential), registry, at=dt.date(2026, 10, 25))  # type: ignore[arg-type]
        assert report.failed == ()  # genuine once its record is published
    assert not list(setup["out"].glob(".*.tmp"))


def _children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_file_workers_die_with_a_killed_issuer(setup: dict[str, Path]) -> None:
    """The processes that render files are killed with the issuer, so that none writes on
    behind it; the next run completes what was left."""
    roster = setup["tmp"] / "workers.csv"
    _roster(roster, range(120))
    approved_batch(setup["registry"], roster, setup["key"])
    proc = subprocess.Popen(
        _cli(setup, roster), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.02)
    assert len(workers) >= 2, "a roster of 120 rows is rendered by worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    alive = set(workers)
    while alive and time.monotonic() < deadline:
        alive = {w for w in alive if Path(f"/proc/{w}").exists()
                 and "State:\tZ" not in Path(f"/proc/{w}/status").read_text()}  # fmt: skip
        time.sleep(0.05)
    assert not alive, f"workers {alive} outlived the issuer"
    final = subprocess.run(_cli(setup, roster), capture_output=True, text=True, check=False)
    assert final.returncode == 0, final.stdout + final.stderr
    assert len(list(setup["out"].glob("*.pdf"))) == 120 + 1  # each certificate and the batch
    assert not list(setup["out"].glob(".*.tmp"))


def test_certificate_fonts_are_embedded_or_standard(
    runner: CliRunner, setup: dict[str, Path]
) -> None:
    from credentials.issuing import certificate_pdf

    _issue(runner, setup, ROSTER)
    pdf = next(setup["out"].glob(f"{FILING}*-v1.pdf")).read_bytes()
    if any(p.is_file() for p in certificate_pdf._KAI_PATHS):
        assert certificate_pdf.font_is_embedded()
        assert b"/FontFile2" in pdf  # the 楷体 subset travels with the PDF
    else:
        assert b"STSong-Light" in pdf  # a standard PDF CJK font every reader supplies
