"""The demo: the sample registry, then an institution's results day on a copy of it.

I/O on purpose (it writes a working directory): copy the sample registry; create signing keys for
three sample institutions and register their public keys (as ``skillcert keys new`` does); issue
the sample rosters through the issuance register (as ``skillcert issue --roster`` does); revoke one
certificate and re-issue another (updating the registry copy, as for a pull request); print the
results summary; read QR codes back from rendered PDF pages (PDFium, as a scanner sees them) and
verify them; then build the bureau's site with a signed snapshot. Yields lines. The only module that
imports ``pypdfium2``.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pypdfium2

from credentials.credential import images, qr
from credentials.credential.verify import check
from credentials.issuing import reports
from credentials.issuing.issue import Issuer, Options, issue_rows
from credentials.issuing.register import Register
from credentials.issuing.reissue import reissue
from credentials.issuing.revoke import revoke
from credentials.issuing.roster import parse, read_table
from credentials.keys import SigningKey, save_signing_key
from credentials.registry import describe, edit
from credentials.registry.registry import Registry, check_registry, load_registry
from credentials.registry.validate.findings import count
from credentials.site import build as site_build

# institution -> the first day its demo key is valid
_INSTITUTIONS = {
    "Y000041019001": dt.date(2025, 1, 1),
    "S000021025001": dt.date(2025, 1, 1),
    "S000032010003": dt.date(2025, 12, 1),
}


def scan(pdf: bytes, *, page: int = 0, dpi: int = 200) -> bytes:
    """One page of a PDF rendered to a grey PNG, as a scanner would see it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    buf = io.BytesIO()
    image.convert("L").save(buf, format="PNG")
    return buf.getvalue()


def run(
    registry: Path, samples: Path, workdir: Path, *, today: dt.date, port: int = 8000
) -> Iterator[str]:
    """Run the demo in ``workdir`` (replaced); yields lines for the terminal."""
    yield f"== skillcert registry check --registry {registry}"
    checked = check_registry(registry)
    errors, warnings = count(checked.findings)
    yield f"{checked.files} files: {errors} error(s), {warnings} warning(s)\n"
    yield describe.summary(Registry.from_check(checked), today)
    yield f"\n== results day (in {workdir})"
    if workdir.exists():
        shutil.rmtree(workdir)
    reg_dir = workdir / "registry"
    shutil.copytree(registry, reg_dir)
    keys: dict[str, SigningKey] = {}
    for filing, start in _INSTITUTIONS.items():
        key = SigningKey.generate()
        save_signing_key(
            key, workdir / "keys" / f"{filing}-{key.kid}.key", passphrase=None, institution=filing
        )
        edit.add_key(
            reg_dir / "institutions" / f"{filing}.yaml",
            kid=key.kid,
            public_key=key.public_key.raw,
            not_before=start,
        )
        keys[filing] = key
    yield f"keys: {len(keys)} new signing keys in {workdir / 'keys'}, public keys in the registry copy"
    reg = load_registry(reg_dir)
    out = workdir / "certificates"
    stamp = dt.datetime.combine(today, dt.time(9, 0))
    with Register(workdir / "register.sqlite", now=lambda: stamp) as register:
        for filing, key in keys.items():
            roster = samples / f"roster-{filing}.csv"
            rows, problems = parse(read_table(roster))
            assert not problems, problems
            options = Options(out=out / filing, today=today, source=str(roster), institution=filing)
            result = issue_rows(rows, Issuer.of(key, reg), register, options)
            yield (
                f"issued {len(result.issued):2d} certificates for {filing} from {roster.name}: "
                f"batch PDF {result.batch_pdf}"
            )
        entries = register.entries()
        revoked = entries[0]
        revoke(
            revoked.number,
            register=register,
            registry_dir=reg_dir,
            day=today,
            reason="示例：成绩作废 (demo: result voided)",
        )
        yield f"revoked {revoked.number} ({revoked.holder})"
        lost = entries[1]
        issuer = Issuer.of(keys[lost.filing], load_registry(reg_dir))
        again = reissue(
            lost.number,
            issuer=issuer,
            register=register,
            registry_dir=reg_dir,
            out=out / lost.filing,
            today=today,
        )
        yield f"re-issued {lost.number} as version {again.version} (补发; version 1 superseded)"
        summary = reports.to_markdown(reports.summary(register.entries()))
        genuine = entries[2]
    reg = load_registry(reg_dir)
    yield "\n结果汇总表 results summary:\n" + summary
    for label, entry_number, version in (
        ("genuine", genuine.number, 1),
        ("revoked", revoked.number, 1),
        ("re-issued", lost.number, 2),
        ("superseded", lost.number, 1),
    ):
        folder = out / entry_number[:13]
        pdf = (folder / f"{entry_number}-v{version}.pdf").read_bytes()
        (text,) = images.qr_texts(scan(pdf))
        report = check(qr.decode_text(text), reg, at=today)
        verdict = "GENUINE 真实有效" if report.ok else "NOT GENUINE: " + ", ".join(report.failed)
        yield f"{label:10s} {entry_number} v{version}, QR read from its printed PDF: {verdict}"
    data = (out / genuine.number[:13] / f"{genuine.number}-v1.cose").read_bytes()
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    (out / "tampered.cose").write_bytes(tampered)
    bad = check(tampered, reg, at=today)
    yield f"tampered   {genuine.number} with one bit flipped: NOT GENUINE ({', '.join(bad.failed)})"
    png = out / genuine.number[:13] / f"{genuine.number}-v1.png"
    yield f"files in {out}/; try: skillcert verify {png} --registry {reg_dir}"

    # the bureau's site, with the registry snapshot signed by a new bureau key
    _, bureau_key_path = site_build.new_snapshot_key(
        reg_dir, path=None, keys_dir=workdir / "keys", passphrase=None
    )
    site_build.build(reg_dir, workdir / "site", day=today, snapshot_key=bureau_key_path)
    yield f"\nsite built in {workdir / 'site'}/ with a signed registry snapshot"
    revoked_data = (out / revoked.number[:13] / f"{revoked.number}-v1.cose").read_bytes()
    local = f"http://127.0.0.1:{port}"
    for label, credential in (
        ("genuine ", data),
        ("revoked ", revoked_data),
        ("tampered", tampered),
    ):
        yield f"verify the {label} certificate: {local}/v/#{qr.digits(credential)}"
    yield f"PDF certificates (batch and one per person) in {out}/"
