"""Regenerate the credential test vectors, deterministically (fixed seeds, fixed salts).

    .venv/bin/python tests/vectors/generate.py          # write tests/vectors/*.json and registry/
    .venv/bin/python tests/vectors/generate.py --check  # fail on any difference (CI runs this)

Every vector is one JSON file: its inputs, the intermediate bytes, the COSE bytes, the QR text and
the expected report. Each case below states the checks it must fail; generation stops if the
implementation disagrees, so a vector is never just a snapshot of what the code happened to do.
The keys are test keys derived from public labels: never use them for anything else.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import records_cases  # noqa: E402  (tests/vectors/, beside this script)

from credentials import cbor, cose  # noqa: E402
from credentials.credential import commitment, qr  # noqa: E402
from credentials.credential.claims import Credential, IdType  # noqa: E402
from credentials.credential.sign import protected_header  # noqa: E402
from credentials.credential.verify import CHECK_IDS, check  # noqa: E402
from credentials.credential.wording import describe, verdict  # noqa: E402
from credentials.keys import SigningKey  # noqa: E402
from credentials.levels import Level  # noqa: E402
from credentials.numbers import parse_number  # noqa: E402
from credentials.registry.registry import Registry, load_registry  # noqa: E402

AT = dt.date(2026, 11, 21)
SITE = "https://skillcert.example.org"
ID_NUMBER = "410102199909091238"  # fictional, valid check digit


def test_key(label: str) -> SigningKey:
    """A fixed test key: seed = SHA-256("skillcert-test-key:" + label)."""
    return SigningKey.from_seed(hashlib.sha256(f"skillcert-test-key:{label}".encode()).digest())


KEYS = {
    name: test_key(name)
    for name in ("A1", "A2", "A3", "B1", "C1", "D1", "E1", "F1", "G1", "bureau")
}


def _key_yaml(name: str, not_before: str, **extra: str) -> str:
    key = KEYS[name]
    lines = [
        f'  - kid: "{key.kid}"',
        f'    public_key: "{key.public_key.raw.hex()}"',
        f"    not_before: {not_before}",
    ]
    lines += [f"    {k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


_ASSESSED = {"enterprise": "own_employees", "technician_college": "own_students",
             "other_school": "own_students"}  # fmt: skip


def _institution(
    number: str, category: str, itype: str, name: str, province: str, city: str,
    validity: list[tuple[str, str]], scope: str, status: str, keys: str, extra: str = "",
    ownership: str = "",
) -> str:  # fmt: skip
    text = (
        f"# Test vector institution (fictional).\nfiling_number: {number}\ncategory: {category}\n"
    )
    text += f"type: {itype}\n" + (f"ownership: {ownership}\n" if ownership else "")
    text += (
        f'name: {name}\nprovince: "{province}"\ncity: "{city}"\naddress: 测试地址 1 号\n'
        "contact:\n  person: 测试员\n  phone: 010-5550 0000\n"
        f"filing:\n  bureau: 测试备案部门\n  receipt: 测试函〔2020〕1号\n  date: {validity[0][0]}\n"
        "validity:\n"
        + "".join(f"  - from: {a}\n    until: {b}\n" for a, b in validity)
        + f"assessed: [{_ASSESSED.get(itype, 'public')}]\nscope:\n"
        + scope
        + "status:\n"
        + status
        + "keys:\n"
        + keys
        + extra
    )
    return text


def _row(code: str, name: str, job: str | None, levels: str, since: str, until: str = "") -> str:
    out = (
        f"  - occupation: {code}\n    name: {name}\n    job: {job or 'null'}\n"
        f"    levels: [{levels}]\n    basis: national_standard\n    since: {since}\n"
    )
    return out + (f"    until: {until}\n" if until else "")


def _active(date: str) -> str:
    return f"  - date: {date}\n    status: active\n    reason: 备案通过\n"


def write_registry(dest: Path) -> None:
    """The small registry the vectors are judged against."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "institutions").mkdir(parents=True)
    bureau = (ROOT / "registry" / "bureau.yaml").read_text("utf-8")
    start = bureau.index("snapshot_key:")
    end = bureau.index("\nsnapshot_max_age_days:", start)
    snap = KEYS["bureau"].public_key
    bureau = (
        bureau[:start]
        + f'snapshot_key:\n  kid: "{snap.kid}"\n  public_key: "{snap.raw.hex()}"'
        + bureau[end:]
    )
    (dest / "bureau.yaml").write_text(bureau, "utf-8")
    occupations = [
        ln
        for ln in (ROOT / "registry" / "occupations.yaml").read_text("utf-8").splitlines()
        if not ln.startswith("  - ")
        or any(c in ln for c in ("6-18-01-01", "4-03-02-01", "6-31-03-05", "4-12-01-01"))
    ]
    (dest / "occupations.yaml").write_text("\n".join(occupations) + "\n", "utf-8")
    files = {
        "Y000041019101": _institution(
            "Y000041019101", "Y", "technician_college", "测试技师学院职业技能等级认定中心", "41", "01",
            [("2022-03-01", "2025-02-28"), ("2025-03-01", "2028-02-29")],
            _row("6-18-01-01", "车工", "数控车床", "5, 4, 3, 2, 1", "2022-03-01")
            + _row("6-18-01-01", "车工", None, "5", "2022-03-01")
            + _row("4-03-02-01", "中式烹调师", None, "5, 4, 3", "2024-06-01"),
            _active("2022-03-01"),
            _key_yaml("A1", "2022-03-01", not_after="2024-12-31") + _key_yaml("A2", "2025-01-01")
            + _key_yaml("A3", "2026-01-01", compromised_at="2026-04-01"),
            "revoked:\n  - number: Y000041019101233000002\n    version: 1\n    date: 2024-03-15\n"
            "    reason: 成绩作废\n" + records_cases.REVOKED +
            "reissued:\n  - number: Y000041019101233000003\n    version: 2\n    date: 2024-05-01\n"
            "  - number: Y000041019101233000004\n    version: 2\n    date: 2025-03-01\n",
        ),
        "S000021025101": _institution(
            "S000021025101", "S", "social_organisation", "测试烹饪职业技能评价中心", "21", "02",
            [("2023-03-01", "2026-02-28"), ("2026-03-01", "2029-02-28")],
            _row("4-03-02-01", "中式烹调师", None, "5, 4, 3, 2, 1", "2023-03-01"),
            _active("2023-03-01"), _key_yaml("B1", "2023-03-01"),
        ),
        "Y000032050107": _institution(
            "Y000032050107", "Y", "enterprise", "测试精密机械有限公司职业技能等级认定中心", "32", "05",
            [("2024-07-01", "2026-06-30"), ("2026-07-01", "2028-06-30")],
            _row("6-31-03-05", "质检员", None, "5, 4, 3", "2024-07-01"),
            _active("2024-07-01")
            + "  - date: 2025-10-15\n    status: suspended\n    reason: 限期整改\n",
            _key_yaml("C1", "2024-07-01"), ownership="private",
        ),
        "Y000033020101": _institution(
            "Y000033020101", "Y", "other_school", "测试烹饪职业学校职业技能等级认定中心", "33", "02",
            [("2021-01-01", "2022-12-31")],
            _row("4-03-02-01", "中式烹调师", None, "5, 4, 3", "2021-01-01"),
            _active("2021-01-01"), _key_yaml("D1", "2021-01-01"),
        ),
        "Y000021011101": _institution(
            "Y000021011101", "Y", "enterprise", "测试重型机械分公司职业技能等级认定中心", "21", "01",
            [("2020-08-01", "2023-07-31"), ("2023-08-01", "2026-07-31")],
            _row("6-18-01-01", "车工", "数控车床", "5, 4, 3, 2, 1", "2020-08-01"),
            _active("2020-08-01")
            + "  - date: 2024-12-20\n    status: withdrawn\n    reason: 撤销备案\n",
            _key_yaml("E1", "2020-08-01", compromised_at="2023-05-01"), ownership="central",
        ),
        # filed with the Ministry: routes 0185 and 9999 (format 1 could not carry these numbers)
        "S018541011001": _institution(
            "S018541011001", "S", "social_organisation", "测试部属评价组织", "41", "01",
            [("2023-01-01", "2025-12-31"), ("2026-01-01", "2028-12-31")],
            _row("4-03-02-01", "中式烹调师", None, "5, 4, 3, 2, 1", "2023-01-01"),
            _active("2023-01-01"), _key_yaml("F1", "2023-01-01"),
        ).replace("type: social_organisation\n", "type: social_organisation\nfiled_with: ministry\n"),
        "S999941012001": _institution(
            "S999941012001", "S", "social_organisation", "测试另一部属评价组织", "41", "01",
            [("2023-01-01", "2025-12-31"), ("2026-01-01", "2028-12-31")],
            _row("4-03-02-01", "中式烹调师", None, "5, 4, 3, 2, 1", "2023-01-01"),
            _active("2023-01-01"), _key_yaml("G1", "2023-01-01"),
        ).replace("type: social_organisation\n", "type: social_organisation\nfiled_with: ministry\n"),
    }  # fmt: skip
    for number, text in files.items():
        (dest / "institutions" / f"{number}.yaml").write_text(text, "utf-8")


@dataclass
class Case:
    """One vector: what to sign (or how to break it) and which checks must fail."""

    name: str
    title: str
    credential: dict[str, Any]
    key: str
    fails: list[str]
    at: dt.date = AT
    protected: dict[int, Any] | None = None
    mutate: Callable[[bytes], bytes] | None = None
    mutation: str = ""
    payload: Callable[[Credential], bytes] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    protected_bytes: bytes | None = None


BASE: dict[str, Any] = {
    "number": "Y000041019101233000001",
    "version": 1,
    "holder": "王小明",
    "id_type": IdType.RESIDENT_ID,
    "occupation": "6-18-01-01",
    "job": "数控车床",
    "level": Level.SENIOR_WORKER,
    "issued": dt.date(2023, 6, 30),
}


def cred(**changes: Any) -> dict[str, Any]:
    """BASE with some fields changed."""
    return {**BASE, **changes}


def flip(offset_from_end: int) -> Callable[[bytes], bytes]:
    """Flip the lowest bit of one byte, counted from the end."""

    def f(data: bytes) -> bytes:
        b = bytearray(data)
        b[len(b) - offset_from_end] ^= 1
        return bytes(b)

    return f


def flip_in(needle: bytes) -> Callable[[bytes], bytes]:
    """Flip the lowest bit of the first byte of ``needle`` inside the message."""

    def f(data: bytes) -> bytes:
        i = data.index(needle)
        b = bytearray(data)
        b[i] ^= 1
        return bytes(b)

    return f


def set_level_2(data: bytes) -> bytes:
    """Change the level claim (key 8, value 3, followed by key 9) to 2."""
    i = data.index(b"\x08\x03\x09")
    return data[: i + 1] + b"\x02" + data[i + 2 :]


def unsorted_payload(c: Credential) -> bytes:
    """The claims with keys in reverse order: valid CBOR, not deterministic."""
    import cbor2

    claims = c.to_claims()
    return bytes(cbor2.dumps(dict(reversed(list(claims.items())))))


def rebuild(*, tag: bytes = b"\xd2", head: bytes = b"\x84", parts: Callable[[list[bytes]], list[bytes]]
            = lambda p: p, prefix: bytes = b"") -> Callable[[bytes], bytes]:  # fmt: skip
    """Write a signed message's envelope again, differently: its four parts (each as encoded)
    go through ``parts``; the tag, the array head and a prefix may change. The signature stays
    valid over the protected header and payload."""

    def f(data: bytes) -> bytes:
        protected, unprotected, payload, signature = cbor.decode(data).value
        encoded = [cbor.encode(protected), cbor.encode(unprotected), cbor.encode(payload),
                   cbor.encode(signature)]  # fmt: skip
        return prefix + tag + head + b"".join(parts(encoded))

    return f


def indefinite_bytes(encoded: bytes) -> bytes:
    """A definite byte string written as an indefinite one of one chunk."""
    return b"\x5f" + encoded + b"\xff"


def longer_head(encoded: bytes) -> bytes:
    """A byte string whose length is written in two bytes where one would do."""
    value = cbor.decode(encoded)
    return b"\x59" + len(value).to_bytes(2, "big") + value


S = "signature"
D = "decode"
CASES = [
    Case("valid-technician-college", "valid: a technician college, 数控车床 level 3", cred(), "A1", []),
    Case("valid-no-job", "valid: an occupation filed without a job (车工 level 5)",
         cred(number="Y000041019101235000001", job=None, level=Level.JUNIOR_WORKER), "A1", []),
    Case("valid-social-organisation", "valid: a social organisation (category S), level 1",
         cred(number="S000021025101241000001", occupation="4-03-02-01", job=None,
              level=Level.SENIOR_TECHNICIAN, issued=dt.date(2024, 9, 1), holder="李华"), "B1", []),
    Case("valid-scope-increment", "valid: an occupation added by increment, issued after it",
         cred(number="Y000041019101243000001", occupation="4-03-02-01", job=None,
              issued=dt.date(2024, 6, 1)), "A1", []),
    Case("valid-after-key-rotation", "valid: signed with the new key after rotation",
         cred(number="Y000041019101253000001", issued=dt.date(2025, 1, 2)), "A2", []),
    Case("valid-old-key-before-rotation", "valid: old key, issued before it was retired",
         cred(number="Y000041019101243000009", issued=dt.date(2024, 12, 31)), "A1", []),
    Case("valid-reissue-version-2", "valid: re-issued certificate, version 2",
         cred(number="Y000041019101233000003", version=2, issued=dt.date(2023, 6, 30)), "A1", []),
    Case("valid-long-names", "valid: a long name and job (size check)",
         cred(holder="欧阳慕容雪", number="Y000041019101232000004", level=Level.TECHNICIAN), "A1", []),
    Case("superseded-version-1", "not genuine: version 1 after a re-issue",
         cred(number="Y000041019101233000003", version=1), "A1", ["not-revoked"]),
    Case("revoked", "not genuine: revoked number",
         cred(number="Y000041019101233000002"), "A1", ["not-revoked"]),
    Case("revoked-not-yet", "valid: revoked later than the date judged on",
         cred(number="Y000041019101233000002"), "A1", [], at=dt.date(2024, 3, 14)),
    Case("bad-signature", "not genuine: last signature byte flipped", cred(), "A1", [S],
         mutate=flip(1), mutation="flip lowest bit of the last byte (signature)"),
    Case("bitflip-payload-holder", "not genuine: one bit of the holder's name flipped",
         cred(), "A1", [S], mutate=flip_in("王小明".encode()),
         mutation="flip lowest bit of the first byte of the holder's name"),
    Case("bitflip-payload-level", "not genuine: level claim changed from 3 to 2 (number says 3)",
         cred(), "A1", ["number-format"], mutate=set_level_2, mutation="level claim byte 03 -> 02"),
    Case("bitflip-protected-kid", "not genuine: a bit of the kid flipped",
         cred(), "A1", ["key-valid-on-issue-date", S],
         mutate=flip_in(bytes.fromhex(KEYS["A1"].kid)), mutation="flip lowest bit of the kid's first byte"),
    Case("wrong-alg", "not genuine: protected alg ES256 (-7), correctly signed",
         cred(), "A1", ["algorithm"],
         protected={1: -7, 4: bytes.fromhex(KEYS["A1"].kid)}),
    Case("alg-missing", "not genuine: no alg in the protected header",
         cred(), "A1", ["algorithm"], protected={4: bytes.fromhex(KEYS["A1"].kid)}),
    Case("kid-unprotected", "not genuine: kid only in the unprotected header",
         cred(), "A1", ["decode"], protected={1: -8}),
    Case("key-of-other-institution", "not genuine: signed by another institution's key",
         cred(), "B1", ["key-valid-on-issue-date"]),
    Case("unknown-key", "not genuine: a key that is not registered",
         cred(), "unregistered", ["key-valid-on-issue-date", S]),
    Case("compromised-key", "not genuine: signed after the key was compromised",
         cred(number="Y000021011101243000001", issued=dt.date(2024, 1, 10)), "E1",
         ["key-valid-on-issue-date", "in-published-record"]),
    Case("before-compromise", "not genuine: signed before its key was compromised, but in no record "
         "published before that", cred(number="Y000021011101233000001", issued=dt.date(2023, 4, 30)),
         "E1", ["in-published-record"]),
    Case("key-not-yet-valid", "not genuine: new key used before its not_before",
         cred(number="Y000041019101243000010", issued=dt.date(2024, 12, 1)), "A2",
         ["key-valid-on-issue-date"]),
    Case("key-retired", "not genuine: old key used after its not_after",
         cred(number="Y000041019101253000010", issued=dt.date(2025, 1, 1)), "A1",
         ["key-valid-on-issue-date"]),
    Case("scope-starts-after-issue", "not genuine: issued before the increment that added it",
         cred(number="Y000041019101243000002", occupation="4-03-02-01", job=None,
              issued=dt.date(2024, 5, 31)), "A1", ["in-scope-on-issue-date"]),
    Case("out-of-scope-level", "not genuine: level 2 where only 5-3 are filed",
         cred(number="Y000041019101242000003", occupation="4-03-02-01", job=None,
              level=Level.TECHNICIAN, issued=dt.date(2024, 7, 1)), "A1", ["in-scope-on-issue-date"]),
    Case("out-of-scope-job", "not genuine: a job the institution did not file",
         cred(job="普通车床"), "A1", ["in-scope-on-issue-date"]),
    Case("institution-expired", "not genuine: issued after the filing expired",
         cred(number="S000021025101000000001"[:0] + "Y000033020101233000001", occupation="4-03-02-01",
              job=None), "D1", ["issuer-active-on-issue-date"]),
    Case("institution-suspended", "not genuine: issued while suspended",
         cred(number="Y000032050107253000001", occupation="6-31-03-05", job=None,
              issued=dt.date(2025, 11, 1)), "C1", ["issuer-active-on-issue-date"]),
    Case("institution-withdrawn", "not genuine: issued after withdrawal",
         cred(number="Y000021011101253000001", issued=dt.date(2025, 1, 10)), "E1",
         ["issuer-active-on-issue-date", "key-valid-on-issue-date", "in-published-record"]),
    Case("unknown-institution", "not genuine: a filing number not in the directory",
         cred(number="Y000041019999233000001"), "A1",
         ["issuer-known"]),
    Case("future-issue-date", "not genuine: judged before its issue date",
         cred(), "A1", ["issued-not-in-future"], at=dt.date(2023, 6, 29)),
    Case("level-mismatch", "not genuine: number digit 3, level claim 4 (signed as such)",
         cred(level=Level.INTERMEDIATE_WORKER), "A1",
         ["number-format"]),
    Case("year-mismatch", "not genuine: number says 2023, issued in 2024 (signed as such)",
         cred(issued=dt.date(2024, 1, 5)), "A1",
         ["number-format"]),
    Case("payload-not-deterministic", "not genuine: claims map not in deterministic order",
         cred(), "A1", ["decode"], payload=unsorted_payload),
    Case("truncated", "not genuine: the last 10 bytes cut off", cred(), "A1", ["decode"],
         mutate=lambda b: b[:-10], mutation="drop the last 10 bytes"),
    Case("over-long", "not genuine: trailing bytes after the message", cred(), "A1", ["decode"],
         mutate=lambda b: b + b"\x00\x00", mutation="append two zero bytes"),
    Case("wrong-cbor-type", "not genuine: version as text (signed as such)", cred(), "A1",
         ["decode"], payload=lambda c: cose.encode({**c.to_claims(), 2: "1"})),
    Case("not-cose", "not genuine: a CBOR map, not COSE_Sign1", cred(), "A1", ["decode"],
         mutate=lambda b: cose.encode({1: "hello"}), mutation="replace with a CBOR map"),
    Case("empty", "not genuine: no bytes at all", cred(), "A1", ["decode"],
         mutate=lambda b: b"", mutation="empty input"),
    # --- one canonical envelope: nothing outside the signature may change (format 2) ---------
    Case("envelope-indefinite-array", "not genuine: the COSE array written with an indefinite length",
         cred(), "A1", [D], mutate=rebuild(head=b"\x9f", parts=lambda p: [*p, b"\xff"]),
         mutation="0x84 -> 0x9f ... 0xff", extra={"problem": "indefinite-length"}),
    Case("envelope-indefinite-payload", "not genuine: the payload as an indefinite byte string",
         cred(), "A1", [D], mutate=rebuild(parts=lambda p: [p[0], p[1], indefinite_bytes(p[2]), p[3]]),
         mutation="payload bstr -> 0x5f chunk 0xff", extra={"problem": "indefinite-length"}),
    Case("envelope-self-describe-tag", "not genuine: tag 55799 around the message",
         cred(), "A1", [D], mutate=rebuild(prefix=b"\xd9\xd9\xf7"), mutation="prefix d9d9f7",
         extra={"problem": "unsupported-tag"}),
    Case("envelope-tag-28-payload", "not genuine: tag 28 (shared value) around the payload",
         cred(), "A1", [D], mutate=rebuild(parts=lambda p: [p[0], p[1], b"\xd8\x1c" + p[2], p[3]]),
         mutation="payload -> 28(payload)", extra={"problem": "unsupported-tag"}),
    Case("envelope-tag-256-protected", "not genuine: tag 256 (string reference) around the protected header",
         cred(), "A1", [D], mutate=rebuild(parts=lambda p: [b"\xd9\x01\x00" + p[0], *p[1:]]),
         mutation="protected -> 256(protected)", extra={"problem": "unsupported-tag"}),
    Case("envelope-tag-18-long-form", "not genuine: tag 18 written in two bytes",
         cred(), "A1", [D], mutate=rebuild(tag=b"\xd8\x12"), mutation="d2 -> d812",
         extra={"problem": "not-deterministic"}),
    Case("envelope-payload-long-length", "not genuine: the payload's length in a longer form",
         cred(), "A1", [D], mutate=rebuild(parts=lambda p: [p[0], p[1], longer_head(p[2]), p[3]]),
         mutation="payload length 58xx -> 5900xx", extra={"problem": "not-deterministic"}),
    Case("envelope-unprotected-content", "not genuine: content in the unprotected header",
         cred(), "A1", [D], mutate=rebuild(parts=lambda p: [p[0], cbor.encode({99: "无签名"}), *p[2:]]),
         mutation="unprotected {} -> {99: text}", extra={"problem": "unprotected-not-empty"}),
    Case("envelope-unprotected-deep", "not genuine: deep nesting in the unprotected header",
         cred(), "A1", [D], mutate=rebuild(parts=lambda p: [p[0], b"\xa1\x01" + b"\x81" * 20 + b"\x00", *p[2:]]),
         mutation="unprotected {1: [[[…]]]}", extra={"problem": "too-deep"}),
    Case("envelope-unprotected-float", "not genuine: a float in the unprotected header",
         cred(), "A1", [D], mutate=rebuild(parts=lambda p: [p[0], b"\xa1\x01\xf9\x3e\x00", *p[2:]]),
         mutation="unprotected {1: 1.5}", extra={"problem": "unsupported-type"}),
    Case("envelope-unprotected-array", "not genuine: the unprotected header as an array",
         cred(), "A1", [D], mutate=rebuild(parts=lambda p: [p[0], b"\x80", *p[2:]]),
         mutation="unprotected {} -> []", extra={"problem": "unprotected-not-map"}),
    Case("envelope-five-elements", "not genuine: a fifth element after the signature",
         cred(), "A1", [D], mutate=rebuild(head=b"\x85", parts=lambda p: [*p, b"\xf6"]),
         mutation="append null", extra={"problem": "not-four-elements"}),
    Case("envelope-crit", "not genuine: a critical header parameter we do not understand (signed)",
         cred(), "A1", [D], protected={1: -8, 2: [99], 4: bytes.fromhex(KEYS["A1"].kid), 99: 1},
         extra={"problem": "crit-unknown"}),
    Case("envelope-protected-duplicate-key", "not genuine: alg twice in the protected header (signed)",
         cred(), "A1", [D], protected_bytes=b"\xa3\x01\x27\x01\x27\x04\x48" + bytes.fromhex(KEYS["A1"].kid),
         extra={"problem": "duplicate-key"}),
    Case("too-long", "not genuine: more than 4,096 bytes", cred(), "A1", [D],
         mutate=lambda b: b + bytes(4000), mutation="append 4000 zero bytes", extra={"problem": "too-long"}),
    Case("payload-trailing-bytes", "not genuine: bytes after the claims map inside the payload (signed)",
         cred(), "A1", [D], payload=lambda c: cose.encode(c.to_claims()) + b"\x00",
         extra={"problem": "trailing-bytes"}),
    Case("holder-bidi-override", "not genuine: a bidi override in the holder's name (signed)",
         cred(), "A1", [D], payload=lambda c: cose.encode({**c.to_claims(), 3: "王\u202e明小"}),
         extra={"problem": "text-controls"}),
    Case("holder-blank", "not genuine: a name of only spaces (signed)",
         cred(), "A1", [D], payload=lambda c: cose.encode({**c.to_claims(), 3: "\u3000 "}),
         extra={"problem": "claim-holder"}),
    Case("number-bignum", "not genuine: the number's digits as a tag-2 bignum (signed)",
         cred(), "A1", [D], payload=lambda c: cose.encode({**c.to_claims(),
                                                           1: ["Y", 0, cbor.Tag(2, (41019101233000001).to_bytes(7, "big"))]}),
         extra={"problem": "unsupported-tag"}),
    # --- who signs a re-issue: the key valid on its recorded date ------------------------------
    Case("valid-reissue-after-rotation", "valid: re-issued in 2025 with the new key, of a 2023 certificate",
         cred(number="Y000041019101233000004", version=2), "A2", []),
    Case("reissue-with-retired-key", "not genuine: a 2025 re-issue signed with the key retired in 2024",
         cred(number="Y000041019101233000004", version=2), "A1", ["key-valid-on-issue-date"]),
    Case("reissue-not-recorded", "not genuine: version 999 of a number, a re-issue nobody recorded",
         cred(number="Y000041019101233000004", version=999), "A1", ["key-valid-on-issue-date"]),
    # --- every number the national rule allows fits the claim (format 2) -----------------------
    Case("valid-ministry-route-0185", "valid: filed with the Ministry, route 0185",
         cred(number="S018541011001242000001", occupation="4-03-02-01", job=None, level=Level.TECHNICIAN,
              issued=dt.date(2024, 5, 1)), "F1", []),
    Case("valid-ministry-route-9999", "valid: filed with the Ministry, route 9999, level 1",
         cred(number="S999941012001251000001", occupation="4-03-02-01", job=None,
              level=Level.SENIOR_TECHNICIAN, issued=dt.date(2025, 5, 1)), "G1", []),
    Case("valid-largest-serial", "valid: serial 999999",
         cred(number="Y000041019101233999999"), "A1", []),
    # --- the published issuance records (check 11) ---------------------------------------------
    Case("published-in-record", "valid: signed in 2026 and in the record the bureau published",
         cred(number="Y000041019101263000001", issued=dt.date(2026, 3, 10)), "A2", []),
    Case("lookup-genuine", "valid: published (the lookup by number and ID number finds it)",
         cred(number="Y000041019101263000004", issued=dt.date(2026, 3, 10), holder="赵敏"), "A2", []),
    Case("revoked-every-version", "not genuine: published, then revoked without a version (every version)",
         cred(number="Y000041019101263000005", issued=dt.date(2026, 3, 10), holder="钱多"), "A2",
         ["not-revoked"]),
    Case("revoked-resigned-v2", "not genuine: a revoked number re-signed as version 2 by the key holder",
         cred(number="Y000041019101263000005", version=2, issued=dt.date(2026, 3, 10), holder="钱多"), "A2",
         ["key-valid-on-issue-date", "not-revoked", "in-published-record"]),
    Case("second-register-duplicate", "not genuine: a second register reused a published number",
         cred(number="Y000041019101263000001", issued=dt.date(2026, 3, 10), holder="李四"), "A2",
         ["in-published-record"]),
    Case("published-after-compromise", "not genuine: its record was published after the key was compromised",
         cred(number="Y000041019101263000006", issued=dt.date(2026, 3, 25)), "A3", ["in-published-record"]),
    Case("replayed-after-compromise", "not genuine: dated before the key's compromise, never published",
         cred(number="Y000041019101263000007", issued=dt.date(2026, 3, 30)), "A3", ["in-published-record"]),
    Case("not-yet-published", "cannot yet confirm: signed 11 days ago, its record not published yet",
         cred(number="Y000041019101263000002", issued=dt.date(2026, 11, 10)), "A2", []),
    Case("not-published", "not genuine: signed months ago and never published",
         cred(number="Y000041019101263000003", issued=dt.date(2026, 6, 1)), "A2", ["in-published-record"]),
]  # fmt: skip


def _verdict(report: Any) -> dict[str, Any]:
    found = verdict(report)
    return {"kind": found.kind, "title": list(found.title), "advice": list(found.advice)}


def sign_case(case: Case) -> tuple[dict[str, Any], bytes]:
    """The fields and the exact bytes of a case's credential (before any mutation)."""
    fields = dict(case.credential)
    salt = hashlib.sha256(f"salt:{case.name}".encode()).digest()[:12]
    fields["id_commitment"] = commitment.commit(fields["id_type"], ID_NUMBER, salt=salt)
    credential = Credential(**{**fields, "number": parse_number(fields["number"])})
    key = KEYS.get(case.key) or test_key(case.key)
    data = cose.sign1(cose.encode(credential.to_claims()), key, protected=protected_header(key.kid))
    return {**fields, "kid": key.kid}, data


def build(case: Case, registry: Registry) -> dict[str, Any]:
    """Sign and mutate one case, check it, and return its vector."""
    fields = dict(case.credential)
    salt = hashlib.sha256(f"salt:{case.name}".encode()).digest()[:12]
    fields["id_commitment"] = commitment.commit(fields["id_type"], ID_NUMBER, salt=salt)
    credential = Credential(**{**fields, "number": parse_number(fields["number"])})
    key = KEYS.get(case.key) or test_key(case.key)
    protected = case.protected if case.protected is not None else protected_header(key.kid)
    payload = case.payload(credential) if case.payload else cose.encode(credential.to_claims())
    unprotected = {4: bytes.fromhex(key.kid)} if case.name == "kid-unprotected" else None
    if case.protected_bytes is not None:  # a header no well-behaved encoder writes
        sig = key.sign(cose.sig_structure(case.protected_bytes, payload))
        data = cbor.encode(cbor.Tag(18, [case.protected_bytes, {}, payload, sig]))
    else:
        data = cose.sign1(payload, key, protected=protected, unprotected=unprotected)
    protected_bytes, _, _, signature = cbor.decode(data).value  # as signed, before any mutation
    if case.mutate:
        data = case.mutate(data)
    report = check(data, registry, at=case.at)
    failed = list(report.failed)
    problem = case.extra.get("problem")
    if problem is not None and report.checks[0].detail.get("problem") != problem:
        raise SystemExit(f"{case.name}: expected problem {problem}, got {report.checks[0].detail}")
    if failed != case.fails:
        raise SystemExit(f"{case.name}: expected failed {case.fails}, the code says {failed}")
    return {
        "title": case.title,
        "name": case.name,
        "at": case.at.isoformat(),
        "inputs": {
            "credential": {
                **{k: v for k, v in fields.items() if k not in ("id_commitment",)},
                "id_type": int(fields["id_type"]),
                "level": int(fields["level"]),
                "issued": fields["issued"].isoformat(),
            },
            "id_number": ID_NUMBER,
            "id_salt_hex": salt.hex(),
            "key": case.key,
            "kid": key.kid,
            "public_key_hex": key.public_key.raw.hex(),
            "mutation": case.mutation or None,
        },
        "intermediate": {
            "protected_hex": protected_bytes.hex(),
            "payload_hex": payload.hex(),
            "sig_structure_hex": cose.sig_structure(protected_bytes, payload).hex(),
            "signature_hex": signature.hex(),
            "id_commitment_hex": credential.id_commitment.hex(),
        },
        "cose_hex": data.hex(),
        "cose_size": len(data),
        # no QR code holds more than 1,500 bytes (qr.MAX_DIGITS): none for longer inputs
        "qr_text": qr.payload_text(SITE, data) if len(data) <= 1500 else None,
        "expect": {
            "ok": report.ok,
            "failed": case.fails,
            "checks": {c.id: c.status for c in report.checks},
            "reasons": {c.id: c.reason for c in report.checks if c.status == "failed"},
            # what people read for each check, Chinese and English (the page prints the same)
            "sentences": [list(describe(c)) for c in report.checks],
            # the verdict people read first: its kind, title and what to do (the page agrees)
            "verdict": _verdict(report),
        },
    }


def generate(out: Path) -> None:
    """Write the registry and every vector under ``out``."""
    write_registry(out / "registry")
    signed = {c.name: sign_case(c) for c in CASES if c.name in records_cases.PUBLISHED}
    records_cases.write(out / "registry", signed, ID_NUMBER)
    registry = load_registry(out / "registry")
    for old in out.glob("*.json"):
        old.unlink()
    names = set()
    for case in CASES:
        assert case.name not in names, case.name
        names.add(case.name)
        vector = build(case, registry)
        text = json.dumps(vector, ensure_ascii=False, indent=2) + "\n"
        (out / f"{case.name}.json").write_text(text, "utf-8")
    (out / "check-ids.json").write_text(json.dumps(list(CHECK_IDS), indent=2) + "\n", "utf-8")
    # the same registry as a signed snapshot: what the JavaScript verifier reads
    from credentials.registry import snapshot

    snap = snapshot.sign_manifest(snapshot.build(registry, day=AT, commit=None), KEYS["bureau"])
    if (out / "snapshot").exists():
        shutil.rmtree(out / "snapshot")
    for name, data in snap.items():
        (out / "snapshot" / name).parent.mkdir(parents=True, exist_ok=True)
        (out / "snapshot" / name).write_bytes(data)
    write_pinned_edge_cases(out / "conformance")
    write_parity(out / "parity.json", registry)
    write_shard_choice(out / "shard-choice.json")
    lookups = records_cases.lookups(registry, ID_NUMBER)
    (out / "lookup.json").write_text(
        json.dumps(lookups, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )


def write_parity(dest: Path, registry: Registry) -> None:
    """Python's answer for 600 byte strings near a genuine credential (seeded mutations and random
    bytes): every check's status and reason and the decode problem. The JavaScript tests must
    give the same answer for each: one verdict for every byte string."""
    import random

    rng = random.Random(2024)
    valid = bytes.fromhex(
        json.loads((dest.parent / "valid-technician-college.json").read_text())["cose_hex"]
    )
    cases = []
    for i in range(600):
        data = bytearray(valid)
        kind = i % 6
        if kind == 0:
            data = bytearray(rng.randbytes(rng.randrange(0, 260)))
        elif kind == 1:
            for _ in range(rng.randrange(1, 4)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif kind == 2:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 3:
            data = data[: rng.randrange(len(data))]
        elif kind == 4:
            at = rng.randrange(len(data))
            data[at:at] = rng.randbytes(rng.randrange(1, 4))
        else:  # a structural byte of the envelope or the headers
            data[rng.choice([0, 1, 2, 3, 4, 5, 15, 16, 17, 18, 19, 20])] = rng.randrange(256)
        report = check(bytes(data), registry, at=AT)
        cases.append({
            "hex": bytes(data).hex(),
            "checks": [[c.status, c.reason] for c in report.checks],
            "problem": report.checks[0].detail.get("problem"),
        })  # fmt: skip
    doc = {"note": "Python's answer for each byte string; site/js must agree (tests/js).",
           "at": AT.isoformat(), "cases": cases}  # fmt: skip
    dest.write_text(json.dumps(doc, separators=(",", ":")) + "\n", "utf-8")


def write_shard_choice(dest: Path) -> None:
    """Which shard holds a number, by Python's ``snapshot.shard_for``, for a manifest whose
    provinces are cut into several shards (the sample registry's are one shard each): before,
    on and between the shards' first filing numbers, after the last, in a province without
    shards, S and Y numbers. The page's ``shardName`` must choose the same."""
    from credentials.registry import snapshot

    firsts = {"41": "S000041000003", "41-2": "Y000041010001", "41-3": "Y000041050007",
              "33": "Y000033000001", "33-2": "Y000033000065"}  # fmt: skip
    manifest = {"shards": {name: {"path": f"{name}.json", "sha256": "0" * 64, "province": name[:2],
                                  "from": first} for name, first in firsts.items()}}  # fmt: skip
    expected = {
        "S000041000001": None,  # before the province's first shard: not in the snapshot
        "S000041000003": "41", "S000041999999": "41", "Y000041000001": "41",
        "Y000041010001": "41-2", "Y000041010002": "41-2", "Y000041050006": "41-2",
        "Y000041050007": "41-3", "Y000041999999": "41-3",
        "Y000041050007263000001": "41-3",  # a certificate number: its first 13 characters
        "Y000033000064": "33", "Y000033000065263000001": "33-2",
        "S000033000001": None,  # S sorts before Y: before Zhejiang's first shard
        "Y000032000001": None,  # a province without shards
        "Y0000410": None, "": None,
    }  # fmt: skip
    cases = [[n, want] for n, want in expected.items()]
    for number, want in cases:
        got = snapshot.shard_for(manifest, number)
        assert got == want, (number, got, want)
    doc = {"note": "snapshot.shard_for's choice for each number; site/js shardName must agree.",
           "manifest": manifest, "cases": cases}  # fmt: skip
    dest.write_text(json.dumps(doc, indent=1) + "\n", "utf-8")


NOBLE = HERE / "external" / "noble-ed25519" / "edge-cases.json"


def write_pinned_edge_cases(dest: Path) -> None:
    """Our answer for each noble edge case, for the JS verifier to match."""
    from credentials.keys import VerifyKey

    cases = json.loads(NOBLE.read_text("utf-8"))
    valid = [
        VerifyKey.from_bytes(bytes.fromhex(c["pub_key"])).verify(
            bytes.fromhex(c["message"]), bytes.fromhex(c["signature"])
        )
        for c in cases
    ]
    dest.mkdir(parents=True, exist_ok=True)
    doc = {
        "source": "external/noble-ed25519/edge-cases.json",
        "note": "Our strict verifier's answer for each case, in order (libsodium "
        "crypto_sign_verify_detached: S < L, canonical encodings, no small-order A or R). "
        "The JavaScript verifier must give the same answers.",
        "valid": valid,
    }
    (dest / "noble-edge-cases.json").write_text(json.dumps(doc, indent=2) + "\n", "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="fail when regenerating changes anything")
    args = ap.parse_args()
    if not args.check:
        generate(HERE)
        print(f"wrote {len(CASES)} vectors to {HERE}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        produced = {
            p.relative_to(tmp).as_posix(): p.read_bytes()
            for p in Path(tmp).rglob("*")
            if p.is_file()
        }
    committed = {
        p.relative_to(HERE).as_posix(): p.read_bytes()
        for p in HERE.rglob("*")
        if p.is_file()
        and "external" not in p.relative_to(HERE).parts
        and (p.suffix == ".json" or "registry" in p.parts or "snapshot" in p.parts)
    }
    if produced != committed:
        diff = sorted(set(produced) ^ set(committed)) + sorted(
            k for k in set(produced) & set(committed) if produced[k] != committed[k]
        )
        raise SystemExit(f"vectors differ from a fresh generation: {diff}")
    print(f"{len(CASES)} vectors regenerate identically")


if __name__ == "__main__":
    main()
