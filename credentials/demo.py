"""The demo: the sample registry, then two institutions' batches from 公示 to published record.

I/O on purpose (it writes a working directory): copy the sample registry; create signing keys for a
Henan institution (which numbers its own certificates) and a Zhejiang one (whose bureau numbers
them) and register their public keys (as ``skillcert keys new``); for each, propose a batch with its
notice list (``batch new``), let the bureau approve it after the notice (``batch approve``; in
Zhejiang this allocates the serials), issue inside it (``issue``) and publish its issuance record
(``batch publish``); the bureau rejects a second Zhejiang batch, and issuing it is refused; revoke
one certificate and re-issue another (publishing the re-issue); print the results summary; read QR
codes back from rendered PDF pages (PDFium, as a scanner sees them) and verify them; look one up by
number and ID number; then build the bureau's site with a signed snapshot. Yields lines. The only
module that imports ``pypdfium2``.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2

from credentials.credential import images, qr
from credentials.credential.lookup import lookup
from credentials.credential.verify import check
from credentials.credential.wording import lookup_verdict, verdict
from credentials.errors import RosterError
from credentials.issuing import batch as batches
from credentials.issuing import reports
from credentials.issuing.issue import issue_rows, roster_rows
from credentials.issuing.issuer import Issuer, Options
from credentials.issuing.register import Entry, Register
from credentials.issuing.reissue import Request, reissue
from credentials.issuing.revoke import revoke
from credentials.issuing.roster import RosterRow, parse, read_table
from credentials.keys import SigningKey, save_signing_key
from credentials.registry import decide, describe, edit, workdays
from credentials.registry.registry import Registry, check_registry, load_registry
from credentials.registry.validate.findings import count
from credentials.site import build as site_build

D = dt.date


@dataclass(frozen=True)
class _Plan:
    """One demo batch: its roster, when it was assessed and confirmed, and when the bureau decided."""

    filing: str
    roster: str
    assessed: tuple[dt.date, dt.date]
    filed: dt.date
    decided: dt.date
    issue_day: dt.date | None  # None: the bureau rejects it
    published: dt.date | None = None


_KEYS = {"Y000041019001": D(2025, 1, 1), "Y000033010001": D(2025, 1, 15)}  # first valid day
_PLANS = (
    _Plan("Y000041019001", "roster-Y000041019001.csv", (D(2026, 9, 20), D(2026, 9, 22)), D(2026, 9, 25),
          D(2026, 10, 12), D(2026, 10, 20), D(2026, 10, 21)),
    _Plan("Y000033010001", "roster-Y000033010001.csv", (D(2026, 10, 20), D(2026, 10, 20)), D(2026, 10, 23),
          D(2026, 11, 2), D(2026, 11, 6), D(2026, 11, 9)),
    _Plan("Y000033010001", "roster-Y000033010001-b.csv", (D(2026, 11, 5), D(2026, 11, 5)), D(2026, 11, 10),
          D(2026, 11, 18), None),
)  # fmt: skip


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


def _batch(plan: _Plan, rows: list[RosterRow], key: SigningKey, reg_dir: Path) -> Iterator[str]:
    """Propose, notice and decide one batch (the institution's and the bureau's pull requests)."""
    issuer = Issuer.of(key, load_registry(reg_dir))
    contact = issuer.institution.contact
    start = workdays.after(plan.filed, 1)
    proposed = batches.propose(
        rows, issuer, reg_dir, filed=plan.filed, assessed=plan.assessed, notice_from=start,
        contact=batches.Contact(contact.person, contact.phone, contact.email),
    )  # fmt: skip
    yield (f"提出批次 batch new      {proposed.key}：{proposed.count} 人 people，公示 notice {start} – "
           f"{proposed.notice_until}（公示名单 {proposed.notice_file.name} 同期在网站上 on the site）")  # fmt: skip
    if plan.issue_day is None:
        done = decide.reject(
            reg_dir, proposed.key, day=plan.decided, reason="示例：现场督导发现考评人员不足 3 人"
        )
        yield (f"驳回 batch reject      {proposed.key}（{plan.decided}）：该批次无效，不生成任何证书号 "
               "rejected: no certificate numbers")  # fmt: skip
        return
    done = decide.approve(reg_dir, proposed.key, day=plan.decided)
    ranges = "；".join(
        f"{r.level} 级 level {r.level}: {r.first:06d}–{r.last:06d}" for r in done.serials
    )
    who = (
        f"主管部门编号 the bureau numbers: {ranges}"
        if ranges
        else "机构自行编号 the institution numbers"
    )
    yield (f"批准 batch approve     {proposed.key}（{plan.decided}；{who}）；公示名单已删除 "
           "notice list deleted")  # fmt: skip


def run(
    registry: Path, samples: Path, workdir: Path, *, today: dt.date, port: int = 8000
) -> Iterator[str]:
    """Run the demo in ``workdir`` (replaced); yields lines for the terminal."""
    yield f"== 校验目录 check the registry: skillcert registry check --registry {registry}"
    checked = check_registry(registry)
    errors, warnings = count(checked.findings)
    yield f"{checked.files} 个文件 files：{errors} 个错误 error(s)，{warnings} 个警告 warning(s)\n"
    yield describe.summary(Registry.from_check(checked), today)
    yield f"\n== 两家机构的认定批次：从公示到公布发证记录 two institutions' batches, from notice to published record（{workdir}）"
    if workdir.exists():
        shutil.rmtree(workdir)
    reg_dir = workdir / "registry"
    shutil.copytree(registry, reg_dir)
    keys: dict[str, SigningKey] = {}
    for filing, start in _KEYS.items():
        key = SigningKey.generate()
        save_signing_key(
            key, workdir / "keys" / f"{filing}-{key.kid}.key", passphrase=None, institution=filing
        )
        edit.add_key(reg_dir / "institutions" / f"{filing}.yaml", kid=key.kid, public_key=key.public_key.raw,
                     not_before=start)  # fmt: skip
        keys[filing] = key
    yield (f"密钥 keys：{len(keys)} 个新签名密钥 new signing keys 在 in {workdir / 'keys'}，"
           "公钥已登记到目录副本 public keys in the registry copy")  # fmt: skip
    out = workdir / "certificates"
    issued: dict[str, list[Entry]] = {}
    with Register(
        workdir / "register.sqlite", now=lambda: dt.datetime.combine(today, dt.time(9))
    ) as register:
        for plan in _PLANS:
            roster = samples / plan.roster
            table = read_table(roster)
            rows, problems = parse(table, photos=roster.parent)
            assert not problems, problems
            yield from _batch(plan, rows, keys[plan.filing], reg_dir)
            issuer = Issuer.of(keys[plan.filing], load_registry(reg_dir))
            day = plan.issue_day or plan.decided + dt.timedelta(days=2)
            options = Options(out=out / plan.filing, today=day, source=str(roster), institution=plan.filing,
                              need_batch=True)  # fmt: skip
            try:
                ready = roster_rows(table, issuer, register, options, photos=roster.parent)
            except RosterError as err:
                if plan.issue_day is not None:  # only the rejected batch is refused
                    raise
                yield f"签发被拒绝 issue refused：{err.problems[0].zh}"
                continue
            result = issue_rows(ready, issuer, register, options)
            issued.setdefault(plan.filing, []).extend(result.issued)
            yield (f"签发 issue             {len(result.issued)} 张证书 certificates（{result.issued[0].number} …）"
                   f"{day}；整批 PDF batch PDF {result.batch_pdf}")  # fmt: skip
            assert options.batch is not None
            assert plan.published is not None
            done = batches.publish(options.batch, issuer, register, reg_dir, day=plan.published)
            yield (f"公布发证记录 batch publish {done.record_id}：{done.count} 张证书的摘要 "
                   f"credentials' hashes，{done.file}")  # fmt: skip
        henan = issued["Y000041019001"]
        revoked, lost, genuine = henan[0], henan[1], henan[2]
        revoke(revoked.number, register=register, registry_dir=reg_dir, day=D(2026, 11, 12),
               reason="示例：认定过程违规，成绩作废 (demo: result voided)")  # fmt: skip
        yield f"注销 revoke            {revoked.number}（{revoked.holder}）：全部版本 every version"
        issuer = Issuer.of(keys[lost.filing], load_registry(reg_dir))
        request = Request(
            "示例：证书遗失 (demo: lost)", D(2026, 11, 10), lost.id_number
        )  # the holder applied
        again = reissue(lost.number, issuer=issuer, register=register, registry_dir=reg_dir,
                        out=out / lost.filing, today=D(2026, 11, 13), request=request)  # fmt: skip
        issuer = Issuer.of(keys[lost.filing], load_registry(reg_dir))
        done = batches.publish_extra("reissue", issuer, register, reg_dir, day=D(2026, 11, 14))
        yield (f"补发 reissue           {lost.number} 第 {again.version} 版 version {again.version}，"
               f"公布于 published in {done.record_id}")  # fmt: skip
        summary = reports.to_markdown(reports.summary(register.entries()))
    yield "\n结果汇总表 results summary:\n" + summary
    yield "\n" + describe.batches(load_registry(reg_dir), today)
    yield from _verify(reg_dir, out, today, genuine, revoked, lost, issued["Y000033010001"][0])
    yield from _site(workdir, reg_dir, out, today, port, genuine, revoked)


def _verify(
    reg_dir: Path, out: Path, today: dt.date, genuine: Entry, revoked: Entry, lost: Entry,
    zhejiang: Entry,
) -> Iterator[str]:  # fmt: skip
    reg = load_registry(reg_dir)
    yield "\n== 用人单位扫描打印的证书 an employer scans the printed certificates"
    for label, entry, version in (
        ("真实 genuine", genuine, 1),
        ("主管部门编号 bureau-numbered", zhejiang, 1),
        ("已注销 revoked", revoked, 1),
        ("补发 re-issued", lost, 2),
        ("旧版本 superseded", lost, 1),
    ):
        pdf = (out / entry.number[:13] / f"{entry.number}-v{version}.pdf").read_bytes()
        (text,) = images.qr_texts(scan(pdf))
        report = check(qr.decode_text(text), reg, at=today)
        found = verdict(report)
        yield (f"{label}：{entry.number} 第 {version} 版，从打印的 PDF 读取二维码 QR read from the "
               f"printed PDF → {found.title[0]} {found.title[1]}")  # fmt: skip
    data = (out / genuine.number[:13] / f"{genuine.number}-v1.cose").read_bytes()
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    (out / "tampered.cose").write_bytes(tampered)
    bad = verdict(check(tampered, reg, at=today))
    yield (f"篡改 tampered：{genuine.number} 改动一位 one bit flipped → {bad.title[0]} "
           f"{bad.title[1]}")  # fmt: skip
    yield "\n== 没有二维码：输入证书编号和持证人身份证号查询 no QR code: the number and the holder's ID number"
    for label, id_number in (("身份证号正确 right ID", genuine.id_number),
                             ("身份证号错误 wrong ID", "990101199001010019")):  # fmt: skip
        said = lookup_verdict(lookup(genuine.number, id_number, reg, at=today))
        yield f"{label}：{genuine.number} → {said.title[0]} {said.title[1]}"
    png = out / genuine.number[:13] / f"{genuine.number}-v1.png"
    yield f"文件在 files in {out}/；试试 try: skillcert verify {png} --registry {reg_dir}"


def _site(
    workdir: Path,
    reg_dir: Path,
    out: Path,
    today: dt.date,
    port: int,
    genuine: Entry,
    revoked: Entry,
) -> Iterator[str]:
    """The bureau's site, with the registry snapshot signed by a new bureau key."""
    _, bureau_key_path = site_build.new_snapshot_key(
        reg_dir, path=None, keys_dir=workdir / "keys", passphrase=None
    )
    site_build.build(reg_dir, workdir / "site", day=today, snapshot_key=bureau_key_path)
    yield (f"\n网站已构建 site built：{workdir / 'site'}/（含签名的目录快照和发证记录 with a signed "
           "registry snapshot and the issuance records）")  # fmt: skip
    data = (out / genuine.number[:13] / f"{genuine.number}-v1.cose").read_bytes()
    revoked_data = (out / revoked.number[:13] / f"{revoked.number}-v1.cose").read_bytes()
    local = f"http://127.0.0.1:{port}"
    for label, credential in (
        ("真实的证书 the genuine certificate", data),
        ("已注销的证书 the revoked certificate", revoked_data),
        ("篡改的证书 the tampered certificate", (out / "tampered.cose").read_bytes()),
    ):
        yield f"核验{label}：{local}/v/#{qr.digits(credential)}"
    yield f"按证书编号查询 look up by number：{local}/v/ → {genuine.number} + 身份证号 ID {genuine.id_number}"
    yield f"公示与批次 notices and batches：{local}/notices/ , {local}/i/{genuine.number[:13]}/"
    yield f"PDF 证书（整批和每人一份）PDF certificates (batch and one per person)：{out}/"
