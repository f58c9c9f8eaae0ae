"""Issuing never half-happens: everything that can refuse a row is refused before a number is
taken, one register per institution, exports that stay data, and one-line errors for damaged
inputs. Each test is a fault an operator met (issue 11), reproduced."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from credentials.keys import SigningKey, save_signing_key
from credentials.registry import edit
from tests.conftest import ROOT
from tests.support.batches import approved_batch

pytestmark = pytest.mark.integration
FILING = "Y000041019001"
ROSTER = ROOT / "samples" / f"roster-{FILING}.csv"
HEADER = [
    "机构备案号",
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
PHOTO = str(ROOT / "samples" / "photos" / f"{FILING}-01.jpg")  # a drawn silhouette, no one's face


@pytest.fixture
def office(registry_copy: Path, tmp_path: Path) -> dict[str, Path]:
    key = SigningKey.generate()
    key_path = tmp_path / "keys" / "k.key"
    save_signing_key(key, key_path, passphrase=None, institution=FILING)
    edit.add_key(registry_copy / "institutions" / f"{FILING}.yaml", kid=key.kid,
                 public_key=key.public_key.raw, not_before=dt.date(2025, 1, 1))  # fmt: skip
    return {"registry": registry_copy, "key": key_path, "register": tmp_path / "register.sqlite",
            "out": tmp_path / "out", "tmp": tmp_path}  # fmt: skip


def _issue(o: dict[str, Path], roster: Path, *more: str) -> Result:
    approved_batch(o["registry"], roster, o["key"])
    return CliRunner().invoke(main, [
        "issue", "--key", str(o["key"]), "--roster", str(roster), "--registry", str(o["registry"]),
        "--register", str(o["register"]), "--out", str(o["out"]), "--at", "2026-11-21", "--quiet", *more,
    ])  # fmt: skip


def _roster(o: dict[str, Path], rows: list[list[str]], name: str = "r.csv") -> Path:
    path = o["tmp"] / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


def _row(
    name: str, id_number: str = "990101199001010019", photo: str = PHOTO, **kw: str
) -> list[str]:
    return [FILING, name, "居民身份证", id_number, "6-18-01-01", kw.get("job", "数控车床"),
            kw.get("level", "三级"), "2026-10-20", "本校学生", photo]  # fmt: skip


def _nothing_happened(o: dict[str, Path]) -> None:
    assert not o["register"].exists()
    assert not o["out"].exists()


def test_every_row_problem_before_the_first_number(office: dict[str, Path]) -> None:
    """A name too long for the QR code, one over 64 characters, a formula, hidden characters and
    missing, damaged and non-picture photos: all reported in one round, nothing issued."""
    photo_text = office["tmp"] / "photo.jpg"
    photo_text.write_text("not a picture")
    broken = office["tmp"] / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    rows = [
        _row("欧阳" + "慕容雪" * 9),  # 29 CJK characters: fits 64, not the QR code
        _row("王" * 70, "990101199001010027"),
        _row('=HYPERLINK("http://x","a")', "990101199001010035"),
        _row("王\u202e明", "990101199001010043"),
        _row("李四", "990101199001010051", photo="missing.jpg"),
        _row("张三", "99010119900101006X", photo="photo.jpg"),
        _row("赵六", "990101199001010078", photo="broken.png"),
    ]
    path = office["tmp"] / "r.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    result = _issue(office, path)
    assert result.exit_code == 1
    text = result.output
    assert "row 2, column 姓名: the credential" in text
    assert "QR code" in text
    assert "row 3, column 姓名: must be 1-64 visible characters" in text
    assert "row 4, column 姓名: is not a name" in text
    assert "row 5, column 姓名" in text  # the bidi override
    assert "row 6, column 照片: photo" in text
    assert "does not exist" in text
    assert "row 7, column 照片" in text
    assert "damaged or not a picture" in text
    assert "row 8, column 照片" in text
    assert "nothing was issued" in text
    _nothing_happened(office)


def test_photos_are_read_beside_the_roster(office: dict[str, Path]) -> None:
    from PIL import Image

    folder = office["tmp"] / "roster-folder"
    folder.mkdir()
    Image.new("RGB", (295, 413), "white").save(folder / "li.jpg")
    path = folder / "r.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, _row("李四", photo="li.jpg")])
    result = _issue(office, path)
    assert result.exit_code == 0, result.output


def test_an_unwritable_output_folder_is_refused_first(office: dict[str, Path]) -> None:
    path = _roster(office, [_row("李四")])
    office["out"] = office["tmp"] / "locked" / "out"
    (office["tmp"] / "locked").mkdir()
    (office["tmp"] / "locked").chmod(0o500)
    try:
        if os.access(office["tmp"] / "locked", os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        result = _issue(office, path)
        assert result.exit_code == 1
        assert "cannot be written" in result.output
        assert not office["register"].exists()
    finally:
        (office["tmp"] / "locked").chmod(0o700)


def test_an_output_folder_that_is_a_file_or_full_is_refused_first(
    office: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _roster(office, [_row("李四")])
    office["out"] = office["tmp"] / "a-file"
    office["out"].write_text("x")
    result = _issue(office, path)
    assert result.exit_code == 2  # a usage error: --out names a file
    assert "is a file" in result.output
    assert not office["register"].exists()
    office["out"] = office["tmp"] / "out"
    monkeypatch.setattr(
        shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(10**9, 10**9, 10**6)
    )  # type: ignore[attr-defined]
    result = _issue(office, path)
    assert result.exit_code == 1
    assert "MB free" in result.output
    _nothing_happened(office)


def test_one_register_per_institution(office: dict[str, Path]) -> None:
    assert _issue(office, ROSTER).exit_code == 0
    second = dict(office, register=office["tmp"] / "elsewhere.sqlite", out=office["tmp"] / "o2")
    result = _issue(second, ROSTER)
    assert result.exit_code == 1
    assert "reuse its numbers" in result.output
    assert not second["register"].exists()
    # the known register disappears: no silent restart at 000001
    office["register"].rename(office["tmp"] / "lost.sqlite")
    result = _issue(second, ROSTER)
    assert result.exit_code == 1
    assert "is gone" in result.output
    assert not second["register"].exists()


def test_the_default_register_is_beside_the_key_not_the_current_folder(
    office: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(office["tmp"])
    approved_batch(office["registry"], ROSTER, office["key"])
    result = CliRunner().invoke(main, [
        "issue", "--key", str(office["key"]), "--roster", str(ROSTER), "--registry",
        str(office["registry"]), "--out", str(office["out"]), "--at", "2026-11-21", "--quiet",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    beside = office["key"].parent / f"{FILING}-register.sqlite"
    assert beside.is_file()
    assert stat.S_IMODE(beside.stat().st_mode) == 0o600
    assert not (office["tmp"] / "register.sqlite").exists()
    # a report finds it without being told where
    report = CliRunner().invoke(main, ["report", "--format", "csv"])
    assert report.exit_code == 0, report.output
    assert "合计 Total" in report.output


def test_reports_never_create_a_register_and_read_read_only_media(office: dict[str, Path]) -> None:
    runner = CliRunner()
    typo = office["tmp"] / "registr.sqlite"
    for args in (["report"], ["register", "export"], ["register", "check"]):
        result = runner.invoke(
            main, [*args, "--register", str(typo), "--registry", str(office["registry"])]
        )
        assert result.exit_code == 1, result.output
        assert "no register at" in result.output
        assert not typo.exists()
    typo.write_bytes(b"")
    result = runner.invoke(main, ["report", "--register", str(typo)])
    assert "lost its content" in result.output
    assert _issue(office, ROSTER).exit_code == 0
    media = office["tmp"] / "media"
    media.mkdir()
    shutil.copy(office["register"], media / "register.sqlite")
    (media / "register.sqlite").chmod(0o400)
    media.chmod(0o500)
    try:
        result = runner.invoke(
            main, ["register", "export", "--register", str(media / "register.sqlite")]
        )
        assert result.exit_code == 0, result.output
        assert result.output.count("\n") == 25
    finally:
        media.chmod(0o700)


def test_a_different_credentials_file_is_never_overwritten(office: dict[str, Path]) -> None:
    assert _issue(office, ROSTER).exit_code == 0
    first, second = sorted(office["out"].glob("*-v1.cose"))[:2]
    other = second.read_bytes()  # a whole credential, as another register would have made
    first.write_bytes(other)
    first.with_suffix(".pdf").unlink()
    result = _issue(office, ROSTER)
    assert result.exit_code == 1
    assert "holds a different credential" in result.output
    assert first.read_bytes() == other
    # a damaged or cut-short file is not another credential: written again
    first.write_bytes(other[:30])
    assert _issue(office, ROSTER).exit_code == 0
    assert first.read_bytes() != other[:30]
    assert first.with_suffix(".pdf").stat().st_size > 0


def test_exports_are_data_not_formulas(office: dict[str, Path]) -> None:
    import sqlite3

    from credentials.issuing.spreadsheet import read_rows

    assert _issue(office, ROSTER).exit_code == 0
    with sqlite3.connect(office["register"]) as db:  # a name from before names were checked
        db.execute('UPDATE certificates SET holder = \'=HYPERLINK("http://x","a")\' WHERE id = 1')
    out = office["tmp"] / "export.csv"
    result = CliRunner().invoke(main, ["register", "export", "--register", str(office["register"]),
                                       "--out", str(out), "--registry", str(office["registry"])])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8-sig")
    assert "'=HYPERLINK" in text
    header = text.splitlines()[0].split(",")
    assert {"发证机构", "补发日期", "注销日期"} <= set(header)
    assert "郑州青禾技师学院职业技能等级认定中心" in text
    xlsx = office["tmp"] / "export.xlsx"
    assert CliRunner().invoke(main, ["register", "export", "--register", str(office["register"]),
                                     "--format", "xlsx", "--out", str(xlsx)]).exit_code == 0  # fmt: skip
    import openpyxl

    cell = openpyxl.load_workbook(xlsx).worksheets[0]["A2"]  # 姓名 comes first, as printed
    assert cell.data_type == "s"
    assert read_rows(xlsx)[1][0].startswith("=HYPERLINK")


def test_excel_numeric_id_cells_are_refused(office: dict[str, Path]) -> None:
    import openpyxl

    from credentials.issuing.spreadsheet import write_rows

    book = office["tmp"] / "r.xlsx"
    write_rows(book, [("名册", [HEADER, _row("李四")])])
    wb = openpyxl.load_workbook(book)
    wb.worksheets[0]["D2"].value = 990101199001010019  # what Excel does with a typed ID
    wb.worksheets[0]["D2"].data_type = "n"
    wb.save(book)
    result = _issue(office, book)
    assert result.exit_code == 1
    assert "stored as a number in Excel" in result.output
    _nothing_happened(office)


def test_personal_data_never_goes_into_published_folders(office: dict[str, Path]) -> None:
    site = ROOT / "site" / "certs"
    result = _issue(dict(office, out=site), ROSTER)
    assert result.exit_code == 1
    assert "refusing to put the certificate files" in result.output
    assert not site.exists()
    result = _issue(dict(office, register=office["registry"] / "register.sqlite"), ROSTER)
    assert result.exit_code == 1
    assert not (office["registry"] / "register.sqlite").exists()
    assert _issue(office, ROSTER).exit_code == 0
    result = CliRunner().invoke(main, ["register", "export", "--register", str(office["register"]),
                                       "--out", str(ROOT / "site" / "register.csv")])  # fmt: skip
    assert result.exit_code == 1
    assert not (ROOT / "site" / "register.csv").exists()


def test_register_check_backup_and_regenerate(office: dict[str, Path]) -> None:
    runner = CliRunner()
    assert _issue(office, ROSTER).exit_code == 0
    base = ["--register", str(office["register"]), "--registry", str(office["registry"])]
    ok = runner.invoke(main, ["register", "check", "--out", str(office["out"]), *base])
    assert ok.exit_code == 0, ok.output
    # a byte flipped inside a stored credential: found, and never written out
    with sqlite3.connect(office["register"]) as db:
        (blob,) = db.execute("SELECT credential FROM certificates WHERE id = 3").fetchone()
        flipped = bytes(blob[:-1]) + bytes([blob[-1] ^ 1])
        db.execute("UPDATE certificates SET credential = ? WHERE id = 3", (flipped,))
    bad = runner.invoke(main, ["register", "check", *base])
    assert bad.exit_code == 1
    assert "damaged or does not match" in bad.output
    # files deleted, emptied and cut short are all written again (not the damaged one)
    files = sorted(office["out"].glob("*-v1.pdf"))
    files[0].unlink()
    files[1].write_bytes(b"")
    cose = sorted(office["out"].glob("*-v1.cose"))[4]
    cose.write_bytes(cose.read_bytes()[:20])
    again = runner.invoke(main, ["register", "regenerate", "--out", str(office["out"]), *base])
    assert again.exit_code == 0, again.output
    assert "regenerated the files of 3 certificates" in again.output
    # a backup holds what sits in the WAL too, and is private
    backup = office["tmp"] / "backup.sqlite"
    done = runner.invoke(main, ["register", "backup", str(backup), *base])
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with sqlite3.connect(backup) as db:
        assert db.execute("SELECT count(*) FROM certificates").fetchone() == (24,)


def test_a_rerun_reuses_its_batch_and_never_reprints_void_certificates(
    office: dict[str, Path],
) -> None:
    runner = CliRunner()
    assert _issue(office, ROSTER).exit_code == 0
    with sqlite3.connect(office["register"]) as db:
        first, second = (
            n for (n,) in db.execute("SELECT number FROM certificates ORDER BY id LIMIT 2")
        )
    base = ["--register", str(office["register"]), "--registry", str(office["registry"])]
    assert (
        runner.invoke(
            main, ["revoke", first, "--reason", "作废", "--date", "2026-11-21", *base]
        ).exit_code
        == 0
    )
    with sqlite3.connect(office["register"]) as db:
        (holder_id,) = db.execute(
            "SELECT id_number FROM certificates WHERE number = ?", (second,)
        ).fetchone()
    done = runner.invoke(main, ["reissue", second, "--key", str(office["key"]), "--out", str(office["out"]),
                                "--reason", "遗失", "--applicant-id-number-stdin", "--at", "2026-11-21",
                                *base], input=holder_id + "\n")  # fmt: skip
    assert done.exit_code == 0, done.output
    again = _issue(office, ROSTER)
    assert "batch Y000041019001/2026-1: 0 issued, 24 issued before" in again.output
    with sqlite3.connect(office["register"]) as db:
        assert db.execute("SELECT count(*) FROM batches").fetchone() == (1,)
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(office["out"] / "batch-1.pdf"))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    pdf.close()
    assert first not in text  # revoked: not reprinted
    assert f"{second}（第2版）" not in text or "第2版" in text  # the re-issue, not v1 alone
    assert len(pdf) if False else True


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("utf16.csv", "姓名,证件号码\n".encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        ("huge.csv", b"\xe5\xa7\x93\xe5\x90\x8d," + b"x" * (51 * 2**20), "larger than 50 MB"),
        ("cell.csv", ",".join(HEADER).encode() + b"\n" + b"x" * 600_000 + b"\n", "characters"),
        ("cut.xlsx", b"PK\x03\x04" + os.urandom(300), "XLSX workbook"),
        ("renamed.xlsx", ",".join(HEADER).encode(), "XLSX workbook"),
    ],
)
def test_damaged_rosters_are_one_line_errors(
    office: dict[str, Path], name: str, content: bytes, message: str
) -> None:
    path = office["tmp"] / name
    path.write_bytes(content)
    result = _issue(office, path)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    _nothing_happened(office)


def test_a_damaged_register_is_a_one_line_error(office: dict[str, Path]) -> None:
    assert _issue(office, ROSTER).exit_code == 0
    raw = bytearray(office["register"].read_bytes())
    for page in range(2, len(raw) // 4096):  # scribble over the b-tree pages
        raw[page * 4096 + 8 : page * 4096 + 64] = os.urandom(56)
    office["register"].write_bytes(bytes(raw))
    for args in (["report"], ["register", "export"], ["register", "check"]):
        result = CliRunner().invoke(main, [*args, "--register", str(office["register"])])
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output
        assert result.output.strip().splitlines()[-1].startswith(("错误 error:", "未通过")), (
            result.output
        )


def test_the_key_must_be_the_named_institutions(
    office: dict[str, Path], registry_copy: Path
) -> None:
    result = _issue(office, ROSTER, "--institution", "Y000041039002")
    assert result.exit_code == 1
    assert "the key is Y000041019001's, not Y000041039002's" in result.output
    other = _roster(office, [["Y000041039002", *_row("李四")[1:]]])
    result = _issue(office, other)
    assert "names Y000041039002" in result.output
    _nothing_happened(office)


def test_another_institutions_broken_file_does_not_block_issuing(office: dict[str, Path]) -> None:
    broken = office["registry"] / "institutions" / "Y000041039002.yaml"
    broken.write_text(broken.read_text("utf-8").replace("name: ", "name: <b>", 1), "utf-8")
    result = _issue(office, ROSTER)
    assert result.exit_code == 0, result.output
    assert "another institution's file has an error" in result.output
    own = office["registry"] / "institutions" / f"{FILING}.yaml"
    own.write_text(own.read_text("utf-8").replace("name: ", "name: <b>", 1), "utf-8")
    result = _issue(office, ROSTER)
    assert result.exit_code == 1
    assert "text-markup" in result.output


def test_sqlite_disk_full_is_a_one_line_error(office: dict[str, Path]) -> None:
    from credentials.errors import RegisterError
    from credentials.issuing.register import _failed

    err = _failed(office["register"], sqlite3.OperationalError("database or disk is full"))
    assert isinstance(err, RegisterError)
    assert "磁盘已满" in err.bilingual()
    assert "\n" not in err.bilingual()


def _unused(_: io.StringIO) -> None:  # keeps the imports honest for type checkers
    return None


def test_an_office_workbook_title_rows_full_width_and_excel_damage(office: dict[str, Path]) -> None:
    """A roster as an office writes it (issue 14, item 8): a merged title and a date line above
    the header, full-width digits and spaces from a Chinese input method, IDs Excel damaged, and
    a scope error, all reported in one round with the sheet's own row numbers; fixed, it issues,
    and nothing full-width is stored or printed."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["洛阳远川职业技能等级认定中心 2026 年第二批认定人员名册"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(["填报日期：2026年10月20日"])
    sheet.append(HEADER)
    full_width = "９９０１０１１９９００１０１００１９"
    rows = [
        _row("\u3000李四\u3000", full_width, level="三级\u3000"),
        _row("王五", "9.90101E+17"),
        _row("赵六", "99010119900101006"),  # the final X lost
        _row("钱七", "990101199001010078", job="不在范围的工种"),
    ]
    for row in rows:
        sheet.append(row)
    path = office["tmp"] / "名册.xlsx"
    book.save(path)
    result = _issue(office, path)
    assert result.exit_code == 1
    text = result.output
    assert "row 5, column 证件号码" in text
    assert "scientific notation" in text
    assert "row 6, column 证件号码" in text
    assert "has 17 digits, not 18" in text
    assert "row 7" in text
    assert "不在范围的工种" in text
    assert "row 4" not in text
    _nothing_happened(office)
    sheet.delete_rows(5, 3)
    book.save(path)
    result = _issue(office, path)
    assert result.exit_code == 0, result.output
    exported = CliRunner().invoke(main, ["register", "export", "--register", str(office["register"]),
                                         "--registry", str(office["registry"])])  # fmt: skip
    assert exported.exit_code == 0, exported.output
    assert "990101199001010019" in exported.output
    assert "李四" in exported.output
    assert not any(0xFF01 <= ord(c) <= 0xFF5E or c == "\u3000" for c in exported.output)
