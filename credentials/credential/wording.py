"""How verification results read to people, in Chinese and English.

Presentation only. The sentences are keyed by check id and reason code (``verify.CHECK_IDS``) in the
one label table, ``credentials/labels.json``, which the verification page bundles too: the command
line and the page print the same strings. Templates take the check's ``detail`` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from credentials import labels
from credentials.levels import Level

if TYPE_CHECKING:
    from credentials.credential.lookup import Found
    from credentials.credential.verify import Check, Report
    from credentials.registry.registry import Registry

TITLES = labels.CHECK_TITLES


# detail values that are codes, worded from the label table in each language
_CODED = {"problem": labels.MALFORMED, "status": labels.STATUSES}


def _fill(template: str, values: dict[str, Any], lang: int) -> str:
    words = {k: section[str(values[k])][lang] for k, section in _CODED.items()
             if k in values and str(values[k]) in section}  # fmt: skip
    return template.format(**{**values, **words})


def sentence(check_id: str, reason: str, detail: dict[str, Any]) -> tuple[str, str]:
    """The Chinese and English sentences for a check's reason and values (codes such as a
    ``problem`` or a ``status`` are worded from the table in each language)."""
    zh, en = labels.CHECK_REASONS.get((check_id, reason), ("{reason}", "{reason}"))
    values: dict[str, Any] = {"reason": reason, **detail}
    if values.get("job") is None and "job" in values:
        values["job"] = "--"
    try:
        return _fill(zh, values, 0), _fill(en, values, 1)
    except (KeyError, IndexError):
        return zh, en


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a report means for a person: a kind, a title and what to do (Chinese, English)."""

    kind: str
    title: tuple[str, str]
    advice: tuple[str, str]


def verdict(
    report: Report, *, id_match: bool | None = None, stale_as_of: str | None = None
) -> Verdict:
    """The verdict people read first (the page words it the same way): genuine, or the first
    failed check named for what it means (revoked, superseded, out of scope, forged, not in the
    published record …); a genuine credential checked against out-of-date registry data, with a
    mismatching ID number, or not yet in a published record, is not shown as plainly genuine."""
    failed = next((c for c in report.checks if c.status == "failed"), None)
    values: dict[str, Any] = {}
    if failed is not None:
        kind = labels.VERDICT_OF.get(f"{failed.id}|{failed.reason}") or labels.VERDICT_OF.get(
            failed.id, "forged"
        )
        values = {"reason": failed.reason, **failed.detail}
    elif id_match is False:
        kind = "id-mismatch"
    elif (pending := next((c for c in report.checks if c.status == "pending"), None)) is not None:
        kind, values = "unconfirmed", dict(pending.detail)
    elif stale_as_of is not None:
        kind, values = "stale", {"date": stale_as_of}
    else:
        kind = "genuine"
    (tzh, ten), (azh, aen) = labels.VERDICTS[kind]
    try:
        title = (_fill(tzh, values, 0), _fill(ten, values, 1))
        advice = (_fill(azh, values, 0), _fill(aen, values, 1))
    except (KeyError, IndexError):
        title, advice = (tzh, ten), (azh, aen)
    return Verdict(kind, title, advice)


def content_verified(report: Report) -> bool:
    """Whether the credential's content may be shown as a certificate: its signature verified
    under a key of the institution its number names."""
    return any(c.id == "signature" and c.status == "passed" for c in report.checks)


def describe(check: Check) -> tuple[str, str]:
    """The Chinese and English sentences for a check's outcome."""
    if check.status == "skipped":
        return labels.SKIPPED
    return sentence(check.id, check.reason, check.detail)


def credential_text(
    report: Report, registry: Registry, *, id_match: bool | None = None,
    stale_as_of: str | None = None,
) -> str:  # fmt: skip
    """A verification report for people: the verdict and what to do, the certificate as on paper
    (or, when its signature did not verify, the content it claims, marked as not a certificate),
    and every check."""
    found = verdict(report, id_match=id_match, stale_as_of=stale_as_of)
    out = [f"{found.title[0]}  {found.title[1]}", f"{found.advice[0]} / {found.advice[1]}"]
    cred = report.credential
    if cred is not None:
        verified = content_verified(report)
        mark = "" if verified else "（声称 claimed）"
        inst = report.institution
        occupation = registry.occupations.get(cred.occupation)
        out.append("")
        if not verified:
            out.append(f"{labels.UNVERIFIED[0]} / {labels.UNVERIFIED[1]}:")
        rows = [
            ("姓名 Name", cred.holder),
            ("证件类型 ID type", cred.id_type.zh),
            ("职业名称 Occupation", f"{cred.occupation} {occupation.name if occupation else ''}"),
            ("工种/职业方向 Job", cred.job or "--"),
            ("职业技能等级 Skill level", f"{cred.level.zh} ({cred.level.en})"),
            ("证书编号 Certificate No.", str(cred.number)
             + (f" (第 {cred.version} 版 version {cred.version})" if cred.version > 1 else "")),
            ("发证日期 Issue date", cred.issued.isoformat()),
            ("评价机构 Institution", inst.name if inst and verified else "--"),
        ]  # fmt: skip
        out += [f"{mark}{label}: {value}" for label, value in rows]
        if report.scope_row is not None:
            row = report.scope_row
            levels = "、".join(lv.zh for lv in sorted(row.levels, reverse=True))
            out.append(
                f"备案范围 Filed scope: {row.occupation} {row.name} / {row.job or '--'}: "
                f"{levels} (since {row.since}; {inst.file if inst else ''}:{row.line})"
            )
    if id_match is not None:
        out.append(
            "证件号码 ID number: "
            + ("✅ 与证书一致 matches" if id_match else "❌ 与证书不符 does not match")
        )
    out += ["", f"检查 Checks (as of {report.at}):"]
    marks = {"passed": "✔", "failed": "✘", "skipped": "–", "pending": "?"}
    for i, c in enumerate(report.checks, start=1):
        zh, en = describe(c)
        title_zh, title_en = TITLES[c.id]
        out.append(f" {i:2d}. {marks[c.status]} {title_zh} {title_en} [{c.id}]: {zh} / {en}")
    return "\n".join(out)


_LOOKUP_CHECK = {  # which check's sentences word a lookup's reason
    "published-after-compromise": "in-published-record",
    "published-after-suspension": "in-published-record",
    "unknown-key": "key-valid-on-issue-date",
    "key-of-other-institution": "key-valid-on-issue-date",
    "compromised": "key-valid-on-issue-date",
    "not-yet-valid": "key-valid-on-issue-date",
    "expired": "key-valid-on-issue-date",
    "unknown-institution": "issuer-known",
}


def lookup_verdict(found: Found) -> Verdict:
    """What a lookup by number and ID number means (the page words it the same way)."""
    kind = "number-invalid" if found.reason == "number-invalid" else found.status
    values: dict[str, Any] = {"number": found.number, **(found.detail or {})}
    if kind == "not-genuine":
        check_id = _LOOKUP_CHECK.get(found.reason, "issuer-active-on-issue-date")
        detail = {"status": found.reason, **(found.detail or {})}
        zh, en = sentence(check_id, found.reason, detail)
        (tzh, ten), _ = labels.LOOKUP[kind]
        return Verdict(kind, (tzh, ten), (zh, en))
    (tzh, ten), (azh, aen) = labels.LOOKUP[kind]
    try:
        return Verdict(kind, (_fill(tzh, values, 0), _fill(ten, values, 1)),
                       (_fill(azh, values, 0), _fill(aen, values, 1)))  # fmt: skip
    except (KeyError, IndexError):
        return Verdict(kind, (tzh, ten), (azh, aen))


def lookup_text(found: Found, *, stale_as_of: str | None = None) -> str:
    """A lookup's result for people: the verdict, then what the published record says."""
    v = lookup_verdict(found)
    out = [f"{v.title[0]}  {v.title[1]}", f"{v.advice[0]} / {v.advice[1]}"]
    if stale_as_of is not None:
        (tzh, ten), (azh, aen) = labels.VERDICTS["stale"]
        out.append(
            f"{_fill(tzh, {'date': stale_as_of}, 0)} {_fill(ten, {'date': stale_as_of}, 1)}: {azh} / {aen}"
        )
    e = found.entry
    if e is not None and found.status != "not-found":
        inst = found.institution
        rows = [
            ("证书编号 Certificate No.", e.number + (f" (第 {e.version} 版 version {e.version})" if e.version > 1 else "")),
            ("评价机构 Institution", inst.name if inst else e.number[:13]),
            ("职业名称 Occupation", f"{e.occupation} {found.occupation_name or ''}".rstrip()),
            ("工种/职业方向 Job", e.job or "--"),
            ("职业技能等级 Skill level", f"{Level(e.level).zh} ({Level(e.level).en})"),
            ("发证日期 Issue date", e.issued.isoformat()),
            ("发证记录 Published record", f"{e.record} ({e.published})"),
        ]  # fmt: skip
        out.append("")
        out += [f"{label}: {value}" for label, value in rows]
    return "\n".join(out)
