"""How verification results read to people, in Chinese and English.

Presentation only, keyed by check id and reason code (``verify.CHECK_IDS``); the JavaScript
verifier keeps the same table. Templates take the check's ``detail`` values.
"""

from __future__ import annotations

from typing import Any

from credentials.credential.verify import Check

TITLES: dict[str, tuple[str, str]] = {
    "decode": ("格式可读", "Readable format"),
    "algorithm": ("签名算法", "Signature algorithm"),
    "number-format": ("证书编号", "Certificate number"),
    "issuer-known": ("发证机构已备案", "Issuer is filed"),
    "issuer-active-on-issue-date": ("发证日机构有效", "Issuer active on issue date"),
    "key-valid-on-issue-date": ("签名密钥有效", "Signing key valid"),
    "signature": ("数字签名", "Digital signature"),
    "in-scope-on-issue-date": ("在备案认定范围内", "Within the filed scope"),
    "issued-not-in-future": ("发证日期", "Issue date"),
    "not-revoked": ("未被注销", "Not revoked"),
}

# (check id, reason) -> (Chinese, English); reason "" is the passed wording.
MESSAGES: dict[tuple[str, str], tuple[str, str]] = {
    ("decode", ""): ("证书数据完整、可读", "the credential is complete and readable"),
    ("decode", "malformed"): ("证书数据损坏或不是本系统的证书：{error}", "damaged, or not a skillcert credential: {error}"),
    ("algorithm", ""): ("使用 Ed25519 签名", "signed with Ed25519"),
    ("algorithm", "not-allowed"): ("不接受的签名算法 {alg}", "algorithm {alg} is not accepted"),
    ("number-format", ""): ("证书编号 {number} 格式正确", "number {number} is well-formed"),
    ("number-format", "level-mismatch"): ("编号第 16 位 {digit} 与等级 {level} 不符", "digit 16 of the number ({digit}) differs from the level ({level})"),
    ("number-format", "year-mismatch"): ("编号中的年份 {digits} 与发证年份 {year} 不符", "year digits {digits} differ from the issue year {year}"),
    ("issuer-known", ""): ("发证机构 {filing_number} 已备案", "institution {filing_number} is filed"),
    ("issuer-known", "unknown-institution"): ("备案号 {filing_number} 不在评价机构目录中", "filing number {filing_number} is not in the directory"),
    ("issuer-active-on-issue-date", ""): ("发证日 {date} 机构备案有效", "the institution was active on {date}"),
    ("issuer-active-on-issue-date", "suspended"): ("发证日 {date} 机构处于暂停状态", "the institution was suspended on {date}"),
    ("issuer-active-on-issue-date", "withdrawn"): ("发证日 {date} 机构已被撤销备案", "the institution had been withdrawn on {date}"),
    ("issuer-active-on-issue-date", "expired"): ("发证日 {date} 机构备案已过有效期", "the institution's filing had expired on {date}"),
    ("issuer-active-on-issue-date", "not-filed"): ("发证日 {date} 机构尚未备案", "the institution was not yet filed on {date}"),
    ("key-valid-on-issue-date", ""): ("密钥 {kid} 在发证日有效", "key {kid} was valid on the issue date"),
    ("key-valid-on-issue-date", "unknown-key"): ("密钥 {kid} 未登记", "key {kid} is not registered"),
    ("key-valid-on-issue-date", "key-of-other-institution"): ("密钥 {kid} 属于另一机构 {owner}", "key {kid} belongs to another institution ({owner})"),
    ("key-valid-on-issue-date", "compromised"): ("密钥 {kid} 自 {compromised_at} 起已泄露，此后签发的证书无效", "key {kid} was compromised from {compromised_at}"),
    ("key-valid-on-issue-date", "not-yet-valid"): ("密钥 {kid} 自 {not_before} 起才启用", "key {kid} is only valid from {not_before}"),
    ("key-valid-on-issue-date", "expired"): ("密钥 {kid} 已于 {not_after} 停用", "key {kid} was retired after {not_after}"),
    ("signature", ""): ("数字签名正确，内容未被篡改", "the signature is correct: the content is unaltered"),
    ("signature", "invalid"): ("数字签名不正确：内容被篡改或伪造", "the signature is wrong: altered or forged"),
    ("signature", "no-key"): ("找不到验证签名的公钥", "no public key to check the signature with"),
    ("in-scope-on-issue-date", ""): ("职业、工种、等级在发证日的备案范围内", "occupation, job and level were in the filed scope on the issue date"),
    ("in-scope-on-issue-date", "not-in-scope"): ("{occupation} / {job} {level} 级不在机构 {date} 的备案范围内", "{occupation} / {job} level {level} was not in the filed scope on {date}"),
    ("issued-not-in-future", ""): ("发证日期 {issued} 不晚于 {at}", "issued on {issued}, not after {at}"),
    ("issued-not-in-future", "future"): ("发证日期 {issued} 晚于 {at}", "issue date {issued} is after {at}"),
    ("not-revoked", ""): ("证书未被注销", "the certificate has not been revoked"),
    ("not-revoked", "revoked"): ("证书已于 {date} 注销：{reason}", "revoked on {date}: {reason}"),
    ("not-revoked", "superseded"): ("证书已于 {date} 补发第 {version} 版，本版本作废", "superseded by version {version} on {date}"),
    ("*", "depends-on-failed-check"): ("未检查（前面的检查未通过）", "not checked (an earlier check failed)"),
}  # fmt: skip


def describe(check: Check) -> tuple[str, str]:
    """The Chinese and English sentences for a check's outcome."""
    key = ("*", check.reason) if check.status == "skipped" else (check.id, check.reason)
    zh, en = MESSAGES.get(key, ("{reason}", "{reason}"))
    values: dict[str, Any] = {"reason": check.reason, **check.detail}
    if values.get("job") is None and "job" in values:
        values["job"] = "--"
    try:
        return zh.format(**values), en.format(**values)
    except (KeyError, IndexError):
        return zh, en
