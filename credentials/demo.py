"""The demo: the sample registry, then a credential's whole life on a copy of it.

I/O on purpose (it writes a working directory): copy the sample registry, create a signing key for
a sample institution and register its public key, sign credentials, write each as ``.cose``, QR
PNG and SVG, read the QR back from the PNG with zxing-cpp and verify it. Returns lines to print.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

from credentials import commitment, images, qr, registryedit
from credentials.credential import Credential, IdType
from credentials.errors import IssuanceRefused
from credentials.keys import SigningKey, save_signing_key
from credentials.levels import Level
from credentials.registry import load_registry
from credentials.sign import sign
from credentials.verify import check

_INSTITUTION = "Y000041019001"  # 郑州青禾技师学院 (fictional sample)
_ISSUED = dt.date(2025, 6, 30)


def run(registry: Path, workdir: Path, *, today: dt.date) -> Iterator[str]:
    """Run the credential demo in ``workdir`` (replaced); yields lines for the terminal."""
    if workdir.exists():
        shutil.rmtree(workdir)
    reg_dir = workdir / "registry"
    shutil.copytree(registry, reg_dir)
    key = SigningKey.generate()
    key_path = workdir / "keys" / f"{_INSTITUTION}-{key.kid}.key"
    save_signing_key(key, key_path, passphrase=None, institution=_INSTITUTION)
    registryedit.add_key(
        reg_dir / "institutions" / f"{_INSTITUTION}.yaml",
        kid=key.kid,
        public_key=key.public_key.raw,
        not_before=dt.date(2025, 6, 1),
    )
    yield f"key {key.kid} for {_INSTITUTION}: private {key_path}, public key added to the registry copy"
    reg = load_registry(reg_dir)
    site = reg.bureau.site_url if reg.bureau else "https://skillcert.example.org"
    out = workdir / "credentials"
    out.mkdir()
    people = [
        ("王小明", "410102199909091238", "6-18-01-01", "数控车床", Level.SENIOR_WORKER, 1),
        ("李文静", "410105200101011227", "4-03-02-01", None, Level.INTERMEDIATE_WORKER, 1),
        ("赵志强", "410103199805051215", "4-03-02-01", None, Level.TECHNICIAN, 2),
    ]
    for name, id_number, occupation, job, level, serial in people:
        number = f"{_INSTITUTION}{_ISSUED.year % 100:02d}{int(level)}{serial:06d}"
        cred = Credential(
            number, 1, name, IdType.RESIDENT_ID, commitment.commit(IdType.RESIDENT_ID, id_number),
            occupation, job, level, _ISSUED,
        )  # fmt: skip
        try:
            data = sign(cred, key, registry=reg)
        except IssuanceRefused as err:
            yield f"{number} {name}: not issued — {err}"
            continue
        code = qr.make(site, data)
        (out / f"{number}.cose").write_bytes(data)
        png = qr.render_png(code, path=out / f"{number}.png")
        qr.render_svg(code, path=out / f"{number}.svg")
        (back,) = images.qr_texts(png)
        report = check(qr.decode_text(back), reg, at=today)
        verdict = "GENUINE 真实有效" if report.ok else f"NOT GENUINE: {', '.join(report.failed)}"
        yield (
            f"{number} {name} {level.zh}: {len(data)} bytes, QR {qr.designator(code)}, "
            f"read back from the PNG: {verdict}"
        )
        if serial == 1 and job:
            forged = data[:-1] + bytes([data[-1] ^ 1])
            (out / f"{number}-tampered.cose").write_bytes(forged)
            bad = check(forged, reg, at=today)
            yield f"{number} with one bit flipped: NOT GENUINE ({', '.join(bad.failed)})"
    yield f"files in {out}; verify one with: skillcert verify {out}/<number>.png --registry {reg_dir}"
