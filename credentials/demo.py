"""The demo: the sample registry, then an institution's results day on a copy of it.

I/O on purpose (it writes a working directory): copy the sample registry; create signing keys for
three sample institutions and register their public keys (as ``skillcert keys new`` does); issue
the sample rosters through the issuance register (as ``skillcert issue --roster`` does); revoke one
certificate and re-issue another (updating the registry copy, as for a pull request); print the
results summary; and read QR codes back from rendered PDF pages and verify them. Yields lines.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

from credentials.credential import images, qr
from credentials.credential.verify import check
from credentials.issuing import reports
from credentials.issuing.issue import issue_rows, reissue
from credentials.issuing.register import Register
from credentials.issuing.roster import parse, read_table
from credentials.keys import SigningKey, save_signing_key
from credentials.registry import edit
from credentials.registry.registry import load_registry
from credentials.site import build as site_build

# institution -> the first day its demo key is valid
_INSTITUTIONS = {
    "Y000041019001": dt.date(2025, 1, 1),
    "S000021025001": dt.date(2025, 1, 1),
    "S000032010003": dt.date(2025, 12, 1),
}


def run(
    registry: Path, samples: Path, workdir: Path, *, today: dt.date, port: int = 8000
) -> Iterator[str]:
    """Run the demo in ``workdir`` (replaced); yields lines for the terminal."""
    if workdir.exists():
        shutil.rmtree(workdir)
    reg_dir = workdir / "registry"
    shutil.copytree(registry, reg_dir)
    keys: dict[str, SigningKey] = {}
    for filing, start in _INSTITUTIONS.items():
        key = SigningKey.generate()
        save_signing_key(key, workdir / "keys" / f"{filing}-{key.kid}.key", passphrase=None,
                         institution=filing)  # fmt: skip
        edit.add_key(reg_dir / "institutions" / f"{filing}.yaml", kid=key.kid,
                             public_key=key.public_key.raw, not_before=start)  # fmt: skip
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
            result = issue_rows(rows, registry=reg, key=key, register=register,
                                out=out / filing, today=today, source=str(roster))  # fmt: skip
            yield (
                f"issued {len(result.issued):2d} certificates for {filing} from {roster.name}: "
                f"batch PDF {result.batch_pdf}"
            )
        entries = register.entries()
        revoked = entries[0]
        edit.add_revocation(
            reg_dir / "institutions" / f"{revoked.filing}.yaml", number=revoked.number,
            version=revoked.version, day=today, reason="示例：成绩作废 (demo: result voided)",
        )  # fmt: skip
        with register.transaction():
            register.set_status(revoked.number, revoked.version, "revoked", on=today,
                                reason="示例：成绩作废")  # fmt: skip
        yield f"revoked {revoked.number} ({revoked.holder})"
        lost = entries[1]
        reg = load_registry(reg_dir)
        again = reissue(lost.number, registry=reg, key=keys[lost.filing], register=register,
                        out=out / lost.filing, today=today)  # fmt: skip
        edit.add_reissue(reg_dir / "institutions" / f"{lost.filing}.yaml",
                                 number=lost.number, version=again.version, day=today)  # fmt: skip
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
        (text,) = images.qr_texts(images.pdf_page_png(pdf))
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
    bureau_key = SigningKey.generate()
    bureau_key_path = workdir / "keys" / f"bureau-snapshot-{bureau_key.kid}.key"
    save_signing_key(bureau_key, bureau_key_path, passphrase=None)
    edit.set_snapshot_key(reg_dir / "bureau.yaml", kid=bureau_key.kid,
                                  public_key=bureau_key.public_key.raw)  # fmt: skip
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
