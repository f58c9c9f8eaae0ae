"""How verification results read to people, in Chinese and English.

Presentation only. The sentences are keyed by check id and reason code (``verify.CHECK_IDS``) in the
one label table, ``credentials/labels.json``, which the verification page bundles too: the command
line and the page print the same strings. Templates take the check's ``detail`` values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from credentials import labels

if TYPE_CHECKING:
    from credentials.credential.verify import Check, Report
    from credentials.registry.registry import Registry

TITLES = labels.CHECK_TITLES


def sentence(check_id: str, reason: str, detail: dict[str, Any]) -> tuple[str, str]:
    """The Chinese and English sentences for a check's reason and values. A ``problem`` code
    (why a credential does not decode) is worded from the table in each language."""
    zh, en = labels.CHECK_REASONS.get((check_id, reason), ("{reason}", "{reason}"))
    values: dict[str, Any] = {"reason": reason, **detail}
    if values.get("job") is None and "job" in values:
        values["job"] = "--"
    problem = labels.MALFORMED.get(str(values.get("problem")))
    try:
        if problem is None:
            return zh.format(**values), en.format(**values)
        return zh.format(**{**values, "problem": problem[0]}), en.format(
            **{**values, "problem": problem[1]}
        )
    except (KeyError, IndexError):
        return zh, en


def describe(check: Check) -> tuple[str, str]:
    """The Chinese and English sentences for a check's outcome."""
    if check.status == "skipped":
        return labels.SKIPPED
    return sentence(check.id, check.reason, check.detail)


def credential_text(report: Report, registry: Registry, *, id_match: bool | None = None) -> str:
    """A verification report for people: verdict, the certificate as on paper, every check."""
    out = []
    if report.ok and id_match is not False:
        out.append("✅ 真实有效 GENUINE")
    else:
        out.append("❌ 未通过核验 NOT GENUINE")
    cred = report.credential
    if cred is not None:
        inst = report.institution
        occupation = registry.occupations.get(cred.occupation)
        out += [
            "",
            f"姓名 Name:                 {cred.holder}",
            f"证件类型 ID type:          {cred.id_type.zh}",
            f"职业名称 Occupation:       {cred.occupation} {occupation.name if occupation else ''}",
            f"工种/职业方向 Job:         {cred.job or '--'}",
            f"职业技能等级 Skill level:  {cred.level.zh} ({cred.level.en})",
            f"证书编号 Certificate No.:  {cred.number}"
            + (f" (第 {cred.version} 版 version {cred.version})" if cred.version > 1 else ""),
            f"发证日期 Issue date:       {cred.issued.isoformat()}",
            f"评价机构 Institution:      {inst.name if inst else '(unknown)'}",
        ]
        if report.scope_row is not None:
            row = report.scope_row
            levels = "、".join(lv.zh for lv in sorted(row.levels, reverse=True))
            out.append(
                f"备案范围 Filed scope:      {row.occupation} {row.name} / {row.job or '--'}: "
                f"{levels} (since {row.since}; {inst.file if inst else ''}:{row.line})"
            )
    if id_match is not None:
        out.append(
            "证件号码 ID number:         "
            + ("✅ 与证书一致 matches" if id_match else "❌ 与证书不符 does not match")
        )
    out += ["", f"检查 Checks (as of {report.at}):"]
    marks = {"passed": "✔", "failed": "✘", "skipped": "–"}
    for i, c in enumerate(report.checks, start=1):
        zh, en = describe(c)
        title_zh, title_en = TITLES[c.id]
        out.append(f" {i:2d}. {marks[c.status]} {title_zh} {title_en} [{c.id}]: {zh} / {en}")
    return "\n".join(out)
