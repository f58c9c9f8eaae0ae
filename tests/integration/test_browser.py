"""Runs the browser tests (tests/browser/, Node's test runner + Playwright + Debian's Chromium)
against a site built from the sample registry, with a signed snapshot and a few credentials issued
for it. CI installs Chromium and the npm packages; elsewhere the test says what is missing (and
fails under CI)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from credentials.credential import qr
from tests.conftest import ISSUED_ID_NUMBER, ROOT, bureau_site_registry

pytestmark = pytest.mark.integration
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ID_NUMBER = ISSUED_ID_NUMBER


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)"
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        return "npm packages are not installed (npm ci)"
    return None


def _pictures(data: bytes, tmp: Path) -> tuple[Path, Path]:
    """A photo-like JPEG of the printed certificate, and a Motion-JPEG 'camera' held at its QR."""
    import io

    from PIL import Image

    from credentials.issuing import certificate_pdf
    from tests.support import pdf_page_png

    page = certificate_pdf.CertificatePage(
        holder="张小芳",
        id_type_zh="居民身份证",
        id_number=ID_NUMBER,
        occupation_name="保育师",
        job=None,
        level_zh="五级/初级工",
        level_en="Level 5 / Junior Worker",
        number="Y000041039002245000001",
        version=1,
        issued=dt.date(2024, 6, 28),
        institution_name="洛阳远川高级技工学校职业技能等级认定中心",
        institution_name_en=None,
        qr_matrix=qr.make("https://skillcert.example.org", data).matrix,
    )
    scan = Image.open(io.BytesIO(pdf_page_png(certificate_pdf.render([page]), dpi=220)))
    photo = scan.rotate(3, expand=True, fillcolor="white").convert("RGB")
    photo = photo.resize((int(photo.width * 0.85), int(photo.height * 0.85)))
    photo_path = tmp / "certificate-photo.jpg"
    photo.save(photo_path, format="JPEG", quality=72)
    w, h = scan.size
    crop = scan.crop((int(w * 0.62), int(h * 0.02), int(w * 0.99), int(h * 0.4))).convert("RGB")
    frame = crop.rotate(-2, expand=False, fillcolor="white").resize((640, 480))
    video_path = tmp / "camera.mjpeg"
    with video_path.open("wb") as fh:
        for _ in range(30):
            buf = io.BytesIO()
            frame.save(buf, format="JPEG", quality=80)
            fh.write(buf.getvalue())
    return photo_path, video_path


def _credentials(data: bytes, tmp: Path) -> dict[str, str]:
    """The genuine credential and a tampered copy as QR texts, and pictures of the certificate."""
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    site = "https://skillcert.example.org"
    photo, video = _pictures(data, tmp)
    return {
        "genuine": qr.payload_text(site, data),
        "tampered": qr.payload_text(site, tampered),
        "id_number": ID_NUMBER,
        "photo": str(photo),
        "video": str(video),
    }


REVOKED = "Y000041039002245000002"


def _published(registry: Path, credential: bytes) -> None:
    """The bureau published the credential in a legacy issuance record, with a second certificate
    of the institution that was revoked since (for the lookup by number and ID number)."""
    from credentials import cose
    from credentials.credential.lookup import lookup_hash
    from credentials.registry import edit, records

    kid = cose.parse_sign1(credential).kid.hex()
    day = dt.date(2024, 6, 28)
    rows = [
        records.Row("Y000041039002245000001", 1, records.credential_hash(credential),
                    lookup_hash("Y000041039002245000001", ID_NUMBER), "4-10-01-03", None, day, kid),
        records.Row(REVOKED, 1, bytes(16), lookup_hash(REVOKED, ID_NUMBER), "4-10-01-03", None, day, kid),
    ]  # fmt: skip
    folder = registry / "batches" / "Y000041039002"
    folder.mkdir(parents=True)
    data = records.encode("Y000041039002", "legacy-2024-07-01", kind="legacy", batch=None,
                          published=dt.date(2024, 7, 1), rows=rows)  # fmt: skip
    (folder / "legacy-2024-07-01.record.json").write_bytes(data)
    edit.add_revocation(registry / "institutions" / "Y000041039002.yaml", number=REVOKED, version=None,
                        day=dt.date(2024, 8, 1), reason="测试：成绩作废")  # fmt: skip
    # a batch of another institution under notice on the build date (2026-11-21), with its list
    notice = registry / "batches" / "Y000041019001"
    notice.mkdir(parents=True)
    (notice / "2026-1.yaml").write_text(
        "institution: Y000041019001\nbatch: 2026-1\nassessed: {from: 2026-11-10, until: 2026-11-11}\n"
        'filed: 2026-11-16\nroster: "' + "ab" * 32 + '"\ncounts:\n'
        "  - {occupation: 6-18-01-01, job: 数控车床, level: 3, count: 2}\n"
        "notice:\n  from: 2026-11-17\n  working_days: 5\n  until: 2026-11-23\n"
        "  contact: {person: 李文清, phone: 0371-5550 1001}\n",
        "utf-8",
    )
    (notice / "2026-1.notice.yaml").write_text(
        "institution: Y000041019001\nbatch: 2026-1\nrows:\n"
        "  - {name: 王公示, id: 99***************9, born: 1996-03, unit: 郑州东风机械有限公司, occupation: 车工, job: 数控车床, level: 3}\n"
        "  - {name: 李公示, id: 99***************4, born: 2001-07, unit: 郑州青禾技师学院, occupation: 车工, job: 数控车床, level: 3}\n",
        "utf-8",
    )


def test_site_in_a_real_browser(tmp_path: Path) -> None:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {missing}")
        pytest.skip(missing)
    registry, credential = bureau_site_registry(tmp_path)
    _published(registry, credential)
    creds = tmp_path / "credentials.json"
    creds.write_text(
        json.dumps({**_credentials(credential, tmp_path), "revoked_number": REVOKED}), "utf-8"
    )
    site = tmp_path / "site"
    result = CliRunner().invoke(
        main,
        [
            "site",
            "build",
            "--registry",
            str(registry),
            "--out",
            str(site),
            "--snapshot-key",
            str(tmp_path / "bureau.key"),
            "--at",
            "2026-11-21",
        ],
    )
    assert result.exit_code == 0, result.output
    shots = ROOT / "build" / "screenshots"
    env = {
        **os.environ,
        "SITE_DIR": str(site),
        "SHOTS_DIR": str(shots),
        "CHROMIUM": CHROMIUM,
        "CREDENTIALS": str(creds),
    }
    proc = subprocess.run(
        ["node", "--test", "tests/browser/site.test.js", "tests/browser/verify.test.js"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert len(list(shots.glob("*-360.png"))) >= 7


def test_every_verdict_on_a_phone(tmp_path: Path) -> None:
    """A site built from the test vectors' registry (its snapshot signed with the vectors' bureau
    key); every vector on the page at 390 × 844, verdict as Python words it, screenshot kept."""
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {missing}")
        pytest.skip(missing)
    from credentials.credential.verify import check
    from credentials.credential.wording import verdict
    from credentials.keys import save_signing_key
    from credentials.registry.registry import load_registry
    from tests.vectors.generate import KEYS

    vectors = ROOT / "tests" / "vectors"
    save_signing_key(KEYS["bureau"], tmp_path / "bureau.key", passphrase=None)
    site = tmp_path / "site"
    # a copy outside git: the records' dates are the files' own, as Python's check reads them
    shutil.copytree(vectors / "registry", tmp_path / "registry")
    result = CliRunner().invoke(main, ["site", "build", "--registry", str(tmp_path / "registry"), "--out", str(site),
                                       "--snapshot-key", str(tmp_path / "bureau.key"), "--at", "2026-11-21"])  # fmt: skip
    assert result.exit_code == 0, result.output
    registry = load_registry(vectors / "registry")
    cases = []
    for path in sorted(vectors.glob("*.json")):
        v = json.loads(path.read_text("utf-8"))
        if not isinstance(v, dict) or not v.get("qr_text"):  # too long for a QR code: never scanned
            continue
        said = verdict(
            check(bytes.fromhex(v["cose_hex"]), registry, at=dt.date.fromisoformat(v["at"]))
        )
        cases.append({"name": path.stem, "fragment": v["qr_text"].split("#", 1)[1], "at": v["at"],
                      "kind": said.kind, "title": said.title[0]})  # fmt: skip
    assert len(cases) > 60
    (tmp_path / "verdicts.json").write_text(json.dumps(cases, ensure_ascii=False), "utf-8")
    shots = ROOT / "build" / "screenshots"
    env = {**os.environ, "SITE_DIR": str(site), "SHOTS_DIR": str(shots), "CHROMIUM": CHROMIUM,
           "VERDICTS": str(tmp_path / "verdicts.json")}  # fmt: skip
    proc = subprocess.run(["node", "--test", "tests/browser/verdicts.test.js"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert len(list(shots.glob("verdict-*-390.png"))) >= len(cases)
