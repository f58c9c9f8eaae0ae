"""The seeds' rules of issuing and printing, each as an office meets it: who may be assessed and by
which route, photos where the province prints them, the certificate's query URLs, English sentence,
seal and "no job", the 补发 application, the 公示结果确认单 and the paper certificates' log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from credentials.issuing import certificate_pdf
from credentials.keys import SigningKey, save_signing_key
from credentials.registry import edit
from tests.conftest import ROOT
from tests.support.batches import approved_batch

pytestmark = pytest.mark.integration
FILING = "Y000041019001"  # Henan technician college: students and staff, photos, routes
PHOTO = str(ROOT / "samples" / "photos" / f"{FILING}-01.jpg")
HEADER = [
    "姓名",
    "证件类型",
    "证件号码",
    "职业编码",
    "工种/职业方向",
    "职业技能等级",
    "发证日期",
    "认定对象",
    "认定途径",
    "照片",
]


@pytest.fixture
def office(registry_copy: Path, tmp_path: Path) -> dict[str, Path]:
    key = SigningKey.generate()
    key_path = tmp_path / "k.key"
    save_signing_key(key, key_path, passphrase=None, institution=FILING)
    edit.add_key(registry_copy / "institutions" / f"{FILING}.yaml", kid=key.kid,
                 public_key=key.public_key.raw, not_before=dt.date(2025, 1, 1))  # fmt: skip
    return {"registry": registry_copy, "key": key_path, "tmp": tmp_path,
            "register": tmp_path / "register.sqlite", "out": tmp_path / "out"}  # fmt: skip


def _roster(o: dict[str, Path], rows: list[list[str]]) -> Path:
    path = o["tmp"] / "r.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


def _issue(o: dict[str, Path], roster: Path) -> tuple[int, str]:
    approved_batch(o["registry"], roster, o["key"])
    r = CliRunner().invoke(main, ["issue", "--key", str(o["key"]), "--institution", FILING, "--roster", str(roster),
                                  "--registry", str(o["registry"]), "--register", str(o["register"]),
                                  "--out", str(o["out"]), "--at", "2026-11-21", "--quiet"])  # fmt: skip
    return r.exit_code, r.output


def _person(
    name: str, id_number: str, level: str, category: str, route: str = "", photo: str = PHOTO
) -> list[str]:
    return [
        name,
        "居民身份证",
        id_number,
        "6-18-01-01",
        "数控车床",
        level,
        "2026-10-20",
        category,
        route,
        photo,
    ]


def test_who_may_be_assessed_and_by_which_route(office: dict[str, Path]) -> None:
    rows = [
        _person("李一", "990101199001010019", "三级", ""),  # the filing covers students and staff
        _person("李二", "990101199001010027", "三级", "社会人员"),  # Henan schools: not the public
        _person(
            "李三", "990101199001010035", "三级", "本校学生", "中职考试考核"
        ),  # 中职 → 初级工 only
        _person("李四", "990101199001010043", "三级", "本校学生", "自学成才"),  # no such route
        _person(
            "李五", "990101199001010051", "三级", "本校学生", "1+X中级"
        ),  # 1+X 中级 → 高级工: fine
        _person("李六", "99010119900101006X", "四级", "本单位职工", "", ""),  # Henan prints photos
    ]
    code, out = _issue(office, _roster(office, rows))
    assert code == 1
    assert "row 2, column 认定对象: the institution may assess own_students, own_employees" in out
    assert "row 3, column 认定对象: public is not among who the institution may assess" in out
    assert "row 4, column 职业技能等级: route 中职考试考核 allows level 5 at most" in out
    assert "row 5, column 认定途径: route '自学成才' is not one the province knows" in out
    assert "row 7, column 照片: 河南省 certificates carry the holder's photo" in out
    assert "row 6" not in out


def test_the_certificate_prints_what_the_reference_style_prints(office: dict[str, Path]) -> None:
    """The national query URLs with their English labels, the bureau's verification page, the
    English sentence, "--" or (Liaoning) "——" for no job, a re-issue's version apart from the
    number, and the seal over the institution's name when the filing has one."""
    from tests.support import pdf_text

    page = certificate_pdf.CertificatePage(
        holder="张三", id_type_zh="居民身份证", id_number="990101199001010019", occupation_name="中式烹调师",
        job=None, level_zh="五级/初级工", level_en="Level 5 / Junior Worker", number="Y000021025001255000001",
        version=2, issued=dt.date(2025, 9, 15), institution_name="大连海味烹饪职业技能评价中心",
        institution_name_en=None, qr_matrix=[[0] * 61] * 61,
        certificate_query_url="http://jndj.osta.org.cn/", institution_query_url="http://pjjg.osta.org.cn/",
        verify_url="https://skillcert.example.org/v/", no_job_text="——",
    )  # fmt: skip
    text = " ".join(pdf_text(certificate_pdf.render([page])).split())
    for expected in ("证书信息查询网址（Certificate Information）：http://jndj.osta.org.cn/",
                     "机构信息查询网址（Assessment Information）：http://pjjg.osta.org.cn/",
                     "本证书核验网址（Verification）：https://skillcert.example.org/v/",
                     "This is to certify that the bearer has demonstrated corresponding competency",
                     "——", "补发（第 2 版）Re-issued, version 2"):  # fmt: skip
        assert expected in text, expected
    assert "Y000021025001255000001（" not in text  # the number field holds the number only
    plain = pdf_text(certificate_pdf.render([_with(page, no_job_text="--", version=1)]))
    assert "——" not in plain
    assert "补发" not in plain
    # the seal: an image over the institution's name instead of the wet-stamp circle
    from PIL import Image

    seal = office["tmp"] / "seal.png"
    Image.new("RGBA", (400, 400), (200, 0, 0, 128)).save(seal)
    stamped = certificate_pdf.render([_with(page, seal=seal)])
    assert b"/Subtype /Image" in stamped
    assert "印章 Seal" not in pdf_text(stamped)
    assert "印章 Seal" in text


def _with(
    page: certificate_pdf.CertificatePage, **changes: object
) -> certificate_pdf.CertificatePage:
    import dataclasses

    return dataclasses.replace(page, **changes)  # type: ignore[arg-type]


def test_a_filed_seal_is_printed_on_issued_certificates(office: dict[str, Path]) -> None:
    from PIL import Image

    seals = office["registry"] / "seals"
    seals.mkdir()
    Image.new("RGBA", (400, 400), (200, 0, 0, 128)).save(seals / f"{FILING}.png")
    inst = office["registry"] / "institutions" / f"{FILING}.yaml"
    inst.write_text(
        inst.read_text("utf-8").replace("province: ", f"seal: seals/{FILING}.png\nprovince: ", 1),
        "utf-8",
    )
    assert (
        CliRunner()
        .invoke(main, ["registry", "check", "--registry", str(office["registry"])])
        .exit_code
        == 0
    )
    code, out = _issue(
        office,
        _roster(office, [_person("李五", "990101199001010051", "三级", "本校学生", "1+X中级")]),
    )
    assert code == 0, out
    pdf = next(office["out"].glob("*-v1.pdf")).read_bytes()
    assert b"/Subtype /Image" in pdf


def test_confirmation_sheet_and_paper_log(office: dict[str, Path]) -> None:
    roster = ROOT / "samples" / f"roster-{FILING}.csv"
    code, out = _issue(office, roster)
    assert code == 0, out
    runner = CliRunner()
    # 公示结果确认单 (Zhejiang 附件11), one block per occupation and level
    sheet = runner.invoke(main, ["batch", "confirm", "2026-1", "--key", str(office["key"]), "--roster", str(roster),
                                 "--format", "csv", "--registry", str(office["registry"])])  # fmt: skip
    assert sheet.exit_code == 0, sheet.output
    lines = list(csv.reader(io.StringIO(sheet.output)))
    assert lines[0][0] == "职业技能等级认定公示结果确认单"
    assert ["评价机构名称", "郑州青禾技师学院职业技能等级认定中心"] in lines
    assert any(
        "经公示无异议" in row[1] and "车工（数控车床） 职业 三级/高级工 等级" in row[1]
        for row in lines
    )
    assert ["评价机构（盖章）：", "日期：    年    月    日"] in lines
    # the paper log: counted, stored, handed over; a revoked certificate is never handed over
    with sqlite3.connect(office["register"]) as db:
        first, second = (
            n for (n,) in db.execute("SELECT number FROM certificates ORDER BY number LIMIT 2")
        )
    reg = ["--register", str(office["register"])]
    for event in ("清点", "入库", "发放"):
        r = runner.invoke(
            main,
            [
                "register",
                "paper",
                event,
                first,
                second,
                "--by",
                "王老师",
                "--date",
                "2026-11-01",
                *reg,
            ],
        )
        assert r.exit_code == 0, r.output
    assert runner.invoke(main, ["revoke", second, "--reason", "作废", "--date", "2026-11-02", *reg,
                                "--registry", str(office["registry"])]).exit_code == 0  # fmt: skip
    refused = runner.invoke(main, ["register", "paper", "发放", second, "--by", "王老师", *reg])
    assert refused.exit_code == 1
    assert "已注销，不能发放" in refused.output
    assert runner.invoke(main, ["register", "paper", "销毁", second, "--by", "王老师", "--note", "注销后收回销毁",
                                "--date", "2026-11-03", *reg]).exit_code == 0  # fmt: skip
    again = runner.invoke(main, ["register", "paper", "登记", second, "--by", "王老师", *reg])
    assert "已销毁" in again.output
    log = runner.invoke(main, ["register", "paper-log", "--format", "csv", *reg])
    rows = list(csv.reader(io.StringIO(log.output)))
    assert rows[0] == ["证书编号", "版本", "事项", "Event", "日期", "经办人", "备注"]
    assert [r[2] for r in rows[1:] if r[0] == second] == ["清点", "入库", "发放", "销毁"]
    assert rows[-1][-1] == "注销后收回销毁"


def _ink(pdf: bytes, box: tuple[float, float, float, float]) -> int:
    """Dark pixels in a part of the page (fractions of its width and height)."""
    from PIL import Image

    from tests.support import pdf_page_png

    image = Image.open(io.BytesIO(pdf_page_png(pdf, dpi=150)))
    w, h = image.size
    part = image.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    return sum(part.histogram()[:128])


def test_rare_characters_in_names_print_and_copy_as_written(office: dict[str, Path]) -> None:
    """刘䶮 (Extension A: UKai has the code point but an empty outline) and 周𠮷 (Extension B: not
    in UKai) print in HanaMin; the PDF's text is the name as written, beyond U+FFFF included."""
    from tests.support import pdf_text

    if certificate_pdf.undrawable("䶮𠮷"):
        pytest.fail("fonts-hanazono is not installed (.ci/run installs it)")
    page = certificate_pdf.CertificatePage(
        holder="刘䶮", id_type_zh="居民身份证", id_number="990101199001010019", occupation_name="车工",
        job="数控车床", level_zh="三级/高级工", level_en="Level 3 / Senior Worker", number=f"{FILING}263000001",
        version=1, issued=dt.date(2026, 10, 20), institution_name="郑州青禾技师学院职业技能等级认定中心",
        institution_name_en=None, qr_matrix=[[0] * 61] * 61,
    )  # fmt: skip
    name_box = (0.68, 0.36, 0.9, 0.42)
    alone = _ink(certificate_pdf.render([_with(page, holder="刘")]), name_box)
    for rare in ("刘䶮", "周𠮷"):
        pdf = certificate_pdf.render([_with(page, holder=rare)])
        assert rare in pdf_text(pdf)
        ink = _ink(pdf, name_box)
        assert ink > alone * 1.5, (rare, ink, alone)  # the second character is drawn, not blank
    both = certificate_pdf.render([_with(page, holder="周𠮷")])
    assert b"HanaMinA" in both or b"HanaMinB" in both  # embedded, as every reader needs


def test_a_name_no_font_can_print_is_refused_before_signing(office: dict[str, Path]) -> None:
    """U+3134A (Extension G, 2020) is in no font here: the row is refused, nothing is signed."""
    rare = "\U0003134a"
    assert certificate_pdf.undrawable(f"王{rare}") == [rare]
    rows = [_person(f"王{rare}", "990101199001010019", "三级", "本单位职工"),
            _person("王二", "990101199001010027", "三级", "本单位职工")]  # fmt: skip
    code, out = _issue(office, _roster(office, rows))
    assert code == 1
    assert f"第 2 行，姓名 列：姓名中的“{rare}”（U+3134A）无法打印" in out
    assert "fonts-hanazono" in out
    assert not office["out"].exists() or not list(office["out"].rglob("*.cose"))
    assert (
        not office["register"].exists()
        or not sqlite3.connect(office["register"])
        .execute("SELECT count(*) FROM issued")
        .fetchone()[0]
    )
