"""Everything that could refuse a row, for every row, before the first number is taken.

``validate`` needs no file: the signing policy on each row's issue date in the roster's words, the
institution named, the claim limits and that the credential fits the QR code at its fixed version.
``preflight`` adds the batch (approved, the very roster it noticed, dates inside it), the published
record (the register must not be behind it), the photos, the serials left and the output folder.
Any problem in any row: nothing is issued, and every problem is reported at once.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from credentials import cose, labels
from credentials.credential import images, policy, qr, wording
from credentials.credential.claims import Credential, text_problem
from credentials.credential.sign import protected_header
from credentials.errors import RegistryError, RosterProblem
from credentials.issuing import certificate_pdf
from credentials.issuing.issuer import Issuer, Options
from credentials.issuing.register import Register, fingerprint
from credentials.issuing.roster import RosterRow, roster_digest
from credentials.keys import SigningKey
from credentials.levels import Level
from credentials.numbers import CertificateNumber, FilingNumber
from credentials.registry.batches import Batch, parse_key
from credentials.registry.model import Institution
from credentials.registry.records import Records
from credentials.registry.registry import Registry

# the roster column that a broken policy rule points at
_COLUMN = {
    "issuer-known": "",
    "issuer-active-on-issue-date": "发证日期",
    "key-valid-on-issue-date": "发证日期",
    "in-scope-on-issue-date": "职业技能等级",
}


def validate(
    rows: Sequence[RosterRow], issuer: Issuer, *, today: dt.date, institution: str | None = None
) -> list[RosterProblem]:
    """Every problem of every row that needs no file: the signing policy on its issue date in
    the roster's words, the institution named, the claim limits and the QR code's fixed size."""
    inst = issuer.institution
    problems = _named_institution(rows, inst.filing_number, institution)
    problems += _unprintable(
        0, "", inst.name, "the institution's name (registry)", "机构名称（备案目录）"
    )
    for r in rows:
        problems += _row_problems(r, issuer, today)
    return problems


def _unprintable(
    row: int, column: str, text: str, what_en: str, what_zh: str
) -> list[RosterProblem]:
    """A character of printed text that no font here can draw would print as a blank or a box."""
    chars = certificate_pdf.undrawable(text)
    if not chars:
        return []
    named = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in chars)
    named_en = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in chars)
    return [RosterProblem(
        row, column,
        f"{what_en} has {named_en}, which no font on this machine can print: install a font that "
        "has it (Debian: apt-get install fonts-hanazono) and issue again; nothing was signed",
        f"{what_zh}中的{named}无法打印：本机没有能显示该字的字体。请安装含该字的字体（Debian："
        "apt-get install fonts-hanazono）后重新签发；没有签发任何证书",
    )]  # fmt: skip


def _named_institution(
    rows: Sequence[RosterRow], filing: str, named: str | None
) -> list[RosterProblem]:
    out = []
    if named is not None and named.strip().upper() != filing:
        out.append(RosterProblem(0, "", f"the key is {filing}'s, not {named}'s: use that institution's key",
                                 f"该密钥属于 {filing}，不是 {named}：请使用该机构的密钥"))  # fmt: skip
    for r in rows:
        if r.institution is not None and r.institution != filing:
            out.append(RosterProblem(r.row, "机构备案号", f"names {r.institution}, but the key is {filing}'s",
                                     f"名册写的是 {r.institution}，而密钥属于 {filing}"))  # fmt: skip
    if named is None and not any(r.institution for r in rows):
        out.append(RosterProblem(0, "", "name the institution: --institution FILING, or a 机构备案号 column",
                                 "请注明评价机构：用 --institution 备案号，或在名册中加“机构备案号”列"))  # fmt: skip
    return out


_PROBE_HEADER = protected_header(SigningKey.from_seed(bytes(32)).kid)  # any key id: all are as long


def credential_size(r: RosterRow, filing: str) -> int:
    """The size of the largest credential this row can become (serial 999999, any version < 10)."""
    number = CertificateNumber(FilingNumber.parse(filing), r.issued.year % 100, r.level, 999_999)
    probe = Credential(
        number, 9, r.holder, r.id_type, bytes(24), r.occupation, r.job, r.level, r.issued
    )
    return cose.sign1_size(cose.encode(probe.to_claims()), protected=_PROBE_HEADER)


def _row_problems(r: RosterRow, issuer: Issuer, today: dt.date) -> list[RosterProblem]:
    inst, registry = issuer.institution, issuer.registry
    problems = []
    if r.issued > today:
        problems.append(RosterProblem(r.row, "发证日期", f"issue date {r.issued} is in the future",
                                      f"发证日期 {r.issued} 晚于今天"))  # fmt: skip
    subject = policy.Subject(inst.filing_number, r.occupation, r.job, r.level, r.issued)
    for ruling in policy.refusals(subject, issuer.key.kid, registry):
        zh, en = wording.sentence(ruling.check, ruling.reason, ruling.detail)
        if ruling.check == "in-scope-on-issue-date":
            filed = [
                f"{row.job or '--'} {'、'.join(str(int(x)) for x in row.levels)}"
                for row in inst.scope_on(r.issued)
                if row.occupation == r.occupation
            ]
            if filed:
                zh += f"；本职业已备案：{'；'.join(filed)}"
                en += f"; filed for this occupation: {'; '.join(filed)}"
        problems.append(RosterProblem(r.row, _COLUMN[ruling.check], en, zh))
    problems += _who(r, inst, registry)
    problems += _unprintable(r.row, "姓名", r.holder, "the name", "姓名")
    if r.job:
        problems += _unprintable(r.row, "工种/职业方向", r.job, "the job", "工种")
    occupation = registry.occupations.get(r.occupation)
    if r.occupation_name and occupation is not None and occupation.name != r.occupation_name:
        problems.append(RosterProblem(
            r.row, "职业名称", f"{r.occupation} is named {occupation.name!r}, not {r.occupation_name!r}",
            f"职业 {r.occupation} 的名称应为“{occupation.name}”，不是“{r.occupation_name}”",
        ))  # fmt: skip
    site = issuer.context().site_url
    if not text_problem(r.holder) and (r.job is None or not text_problem(r.job)):
        size = credential_size(r, inst.filing_number)
        if not qr.fits(site, size):
            problems.append(RosterProblem(
                r.row, "姓名", f"the credential ({size} bytes) would not fit the certificate's QR code "
                "(version 11): shorten the name or the job", f"证书数据（{size} 字节）放不进证书上的二维码（版本 11）：请缩短姓名或工种",
            ))  # fmt: skip
    return problems


def photo_advice(rows: Sequence[RosterRow]) -> list[RosterProblem]:
    """What the photos should be and are not (proportions, pixels, white background): advice
    printed before issuing, never a refusal."""
    return [RosterProblem(r.row, "照片", en, zh) for r in rows if r.photo is not None
            for en, zh in images.photo_warnings(Path(r.photo))]  # fmt: skip


def _who(r: RosterRow, inst: Institution, registry: Registry) -> list[RosterProblem]:
    """Who the candidate is, as the filing and the province need it: a category (认定对象) the
    filing covers, stated where it covers more than one; a student's route and the highest level
    it allows, where the province has routes (Henan: 学生申报资格)."""
    out = []
    named = "、".join(labels.zh(labels.ASSESSED, a) for a in inst.assessed)
    if r.category is None and len(inst.assessed) > 1:
        out.append(RosterProblem(r.row, "认定对象", f"the institution may assess {', '.join(inst.assessed)}: "
                                 "say which in a 认定对象 column", f"本机构的认定对象为 {named}：请在“认定对象”列注明"))  # fmt: skip
    elif r.category is not None and r.category not in inst.assessed:
        out.append(RosterProblem(r.row, "认定对象", f"{r.category} is not among who the institution may "
                                 f"assess ({', '.join(inst.assessed)})", f"“{labels.zh(labels.ASSESSED, r.category)}”"
                                 f"不在本机构备案的认定对象（{named}）之内"))  # fmt: skip
    bureau = registry.bureau
    routes = (
        bureau.provinces[inst.province].student_routes
        if bureau and inst.province in bureau.provinces
        else {}
    )
    if routes and r.route is not None:
        cap = routes.get(r.route)
        if cap is None:
            out.append(RosterProblem(r.row, "认定途径", f"route {r.route!r} is not one the province knows "
                                     f"({', '.join(routes)})", f"认定途径“{r.route}”不是本省规定的途径（{'、'.join(routes)}）"))  # fmt: skip
        elif int(r.level) < cap:
            out.append(RosterProblem(r.row, "职业技能等级", f"route {r.route} allows level {cap} at most "
                                     f"({Level(cap).en}), not {int(r.level)}", f"认定途径“{r.route}”最高只能认定"
                                     f"{Level(cap).zh}，不能认定{r.level.zh}"))  # fmt: skip
    return out


def preflight(
    rows: Sequence[RosterRow], issuer: Issuer, register: Register | None, options: Options
) -> list[RosterProblem]:
    """Everything that could refuse a row, for every row, before a number is taken:
    ``row_problems``, then ``register_problems`` (``register`` None: a register not made yet, so
    that a refused roster leaves no file behind)."""
    problems = row_problems(rows, issuer, options)
    problems += register_problems(rows, issuer, register, options)
    return sorted(problems, key=lambda p: p.row)


def row_problems(
    rows: Sequence[RosterRow], issuer: Issuer, options: Options
) -> list[RosterProblem]:
    """What the rows alone can be refused for: ``validate``, the batch and the photos."""
    problems = validate(rows, issuer, today=options.today, institution=options.institution)
    problems += batch_problems(rows, issuer, options)
    bureau = issuer.registry.bureau
    rules = bureau.provinces.get(issuer.institution.province) if bureau else None
    for r in rows:
        if r.photo is None and rules is not None and rules.photo_required:
            problems.append(RosterProblem(r.row, "照片", f"{rules.name} certificates carry the holder's photo: "
                                          "give it in a 照片 column", f"{rules.name}的证书须贴持证人照片：请在“照片”列给出照片文件"))  # fmt: skip
        if r.photo is not None:
            why = images.photo_problem(Path(r.photo))
            if why is not None:
                problems.append(RosterProblem(r.row, "照片", *why))
    return problems


def register_problems(
    rows: Sequence[RosterRow], issuer: Issuer, register: Register | None, options: Options
) -> list[RosterProblem]:
    """What the register refuses ``rows`` for: behind the published record, the batch's total
    reached, the serials used up, and the output folder for the new rows' files."""
    problems = _record_guard(issuer, register)
    filing = issuer.institution.filing_number
    new = [
        r
        for r in rows
        if register is None or register.by_fingerprint(row_fingerprint(filing, r)) is None
    ]
    if options.batch is not None and register is not None:
        before = len([e for e in register.of_registry_batch(options.batch.key) if e.version == 1])
        if before + len(new) > options.batch.total:
            problems.append(RosterProblem(0, "", f"batch {options.batch.key} allows {options.batch.total} "
                                          f"certificates; {before} are issued already and {len(new)} more "
                                          "were asked for", f"批次 {options.batch.key} 共 {options.batch.total} 本，"
                                          f"已签发 {before} 本，本次又要签发 {len(new)} 本，超出批准人数"))  # fmt: skip
    wanted = Counter((r.issued.year, int(r.level)) for r in new)
    last = register.serial_state() if register is not None else {}
    for (year, level), count in sorted(wanted.items()):
        left = 999_999 - last.get((filing, year, level), 0)
        if count > left:
            problems.append(RosterProblem(0, "职业技能等级", f"{count} certificates of level {level} in {year}, "
                                          f"but only {left} serials are left", f"{year} 年 {level} 级需要 {count} 个编号，"
                                          f"但只剩 {left} 个流水号"))  # fmt: skip
    if options.write_files and new:
        problems += _output_problems(options.out, len(rows))
    return problems


def batch_problems(
    rows: Sequence[RosterRow], issuer: Issuer, options: Options
) -> list[RosterProblem]:
    """Whether ``rows`` may be issued inside ``options.batch``: approved (a rejected batch never
    produces a number), decided before today, the very roster it noticed, and every issue date on
    or after the approval and in the batch's year (the year of its numbers)."""
    batch = options.batch
    if batch is None:
        return []
    out: list[RosterProblem] = []

    def bad(row: int, column: str, en: str, zh: str) -> None:
        out.append(RosterProblem(row, column, en, zh))

    if batch.institution != issuer.institution.filing_number:
        bad(0, "", f"batch {batch.key} is not this institution's", f"批次 {batch.key} 不属于本机构")
        return out
    d = batch.decision
    if d is None or batch.rejected:
        if d is not None:
            bad(0, "", f"batch {batch.key} was rejected on {d.date} ({d.reason}): it is void and no "
                "number is ever generated for it", f"批次 {batch.key} 已于 {d.date} 被驳回（{d.reason}）："
                "该评价批次无效，不生成任何职业技能等级证书号")  # fmt: skip
        else:
            bad(0, "", f"batch {batch.key} is not approved yet (notice until {batch.notice.until}); "
                "issue after the bureau approves it", f"批次 {batch.key} 尚未获批准（公示至 "
                f"{batch.notice.until}）；请在主管部门批准后签发")  # fmt: skip
        return out
    if options.today < d.date:
        bad(
            0,
            "",
            f"batch {batch.key} is approved from {d.date}",
            f"批次 {batch.key} 自 {d.date} 起才获批准",
        )
    if roster_digest(rows) != batch.roster:
        bad(0, "", f"this roster is not the one batch {batch.key} noticed (a person, an occupation, a "
            "job or a level differs)", f"该名册与批次 {batch.key} 公示的名册不一致（人员、职业、工种或等级有变化）")  # fmt: skip
    for r in rows:
        if r.issued < d.date:
            bad(r.row, "发证日期", f"issue date {r.issued} is before the batch was approved ({d.date})",
                f"发证日期 {r.issued} 早于批次批准日期 {d.date}")  # fmt: skip
        elif r.issued.year != batch.year:
            bad(r.row, "发证日期", f"issue date {r.issued} is not in {batch.year}, the year of the batch's "
                "numbers: file a new batch", f"发证日期 {r.issued} 不在批次年份 {batch.year} 内：请提出新的批次")  # fmt: skip
    return out


def find_batch(rows: Sequence[RosterRow], issuer: Issuer, key: str | None) -> Batch | RosterProblem:
    """The batch to issue ``rows`` in: the one named (``<filing>/<id>`` or ``<id>``), or else the
    newest batch of the institution whose noticed roster this is; a problem when there is none."""
    filing = issuer.institution.filing_number
    batches = issuer.registry.batches
    if key is not None:
        try:
            wanted = "/".join(parse_key(key, institution=filing))
        except RegistryError as err:
            return RosterProblem(0, "", str(err), err.zh or str(err))
        found = batches.get(wanted)
        if found is None:
            return RosterProblem(0, "", f"there is no batch {wanted} in the registry (skillcert batch "
                                 "list)", f"目录中没有批次 {wanted}（可用 skillcert batch list 查看）")  # fmt: skip
        return found
    digest = roster_digest(rows)
    mine = [b for b in batches.values() if b.institution == filing and b.roster == digest]
    if not mine:
        return RosterProblem(0, "", "no batch of this institution noticed this roster: propose one "
                             "with skillcert batch new, and issue after the bureau approves it",
                             "本机构没有以该名册提出的认定批次：请先用 skillcert batch new 提出批次，"
                             "经主管部门批准后再签发")  # fmt: skip
    return max(mine, key=lambda b: (b.year, b.seq))


def _record_guard(issuer: Issuer, register: Register | None) -> list[RosterProblem]:
    """The published record is the final guard against a second register: the register must be
    at least as far as every serial the registry publishes for this institution."""
    source = issuer.registry.records
    if not isinstance(source, Records):
        return []
    filing = issuer.institution.filing_number
    published: dict[tuple[int, int], int] = {}
    for record in source.of(filing):
        for e in record.entries:
            key = (e.year, e.level)
            published[key] = max(published.get(key, 0), e.serial)
    last = register.serial_state() if register is not None else {}
    out = []
    for (year, level), serial in sorted(published.items()):
        mine = last.get((filing, year, level), 0)
        if mine < serial:
            out.append(RosterProblem(0, "", f"the registry publishes {filing}'s {year} level {level} "
                f"serials up to {serial:06d}, but this register is at {mine:06d}: it is not the "
                "institution's register (or an old backup); numbers would be reused",
                f"发证记录已公布 {filing} {year} 年 {level} 级流水号至 {serial:06d}，而本发证名册只到 "
                f"{mine:06d}：这不是本机构的发证名册（或是旧的备份），继续签发会重复使用编号"))  # fmt: skip
    return out


_BYTES_PER_CERTIFICATE = 120_000  # .cose, PNG, SVG and one PDF, and a page of the batch PDF


def _output_problems(out: Path, count: int) -> list[RosterProblem]:
    """Whether ``out`` can be written and has room, without creating anything (a refused roster
    leaves no folder behind)."""
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(20, "not a folder", str(existing))
        if existing == out:
            probe = out / f".write-test.{os.getpid()}.tmp"
            probe.write_bytes(b"x")
            probe.unlink()
        elif not os.access(existing, os.W_OK | os.X_OK):
            raise PermissionError(13, "permission denied", str(existing))
        free = shutil.disk_usage(existing).free
    except OSError as err:
        return [RosterProblem(0, "", f"the output folder {out} cannot be written: {err.strerror}",
                              f"输出目录 {out} 无法写入")]  # fmt: skip
    need = count * _BYTES_PER_CERTIFICATE + 10 * 1024 * 1024
    if free < need:
        return [RosterProblem(0, "", f"the output folder has {free // 2**20} MB free; {count} certificates "
                              f"need about {need // 2**20} MB", f"输出目录只剩 {free // 2**20} MB，"
                              f"{count} 本证书约需 {need // 2**20} MB")]  # fmt: skip
    return []


def row_fingerprint(filing: str, r: RosterRow) -> str:
    return fingerprint(
        filing, int(r.id_type), r.id_number, (r.occupation, r.job, int(r.level)), r.issued
    )
