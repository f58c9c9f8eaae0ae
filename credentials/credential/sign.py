"""Signing a credential: refuses anything that would not verify against the registry.

``sign(credential, key, *, registry)`` checks, against the registry as of the credential's issue
date, every rule the verifier will check, and raises ``IssuanceRefused`` naming the first broken
rule; only then does it build the COSE_Sign1 (EdDSA, kid in the protected header).
"""

from __future__ import annotations

from credentials import cose
from credentials.credential.claims import Credential
from credentials.errors import IssuanceRefused
from credentials.keys import SigningKey
from credentials.numbers import parse_number
from credentials.registry.registry import Registry


def protected_header(kid: str) -> dict[int, object]:
    """The protected header of every credential: alg EdDSA and the key id."""
    return {cose.Header.ALG: int(cose.Alg.EDDSA), cose.Header.KID: bytes.fromhex(kid)}


def refusal(credential: Credential, kid: str, registry: Registry) -> tuple[str, str] | None:
    """The first rule a credential signed with ``kid`` would break: (rule id, reason), or None."""
    number = parse_number(credential.number)
    day = credential.issued
    filing = str(number.filing)
    if number.level != credential.level:
        return "level-matches-number", (
            f"level {int(credential.level)} differs from digit 16 of {credential.number} "
            f"({int(number.level)})"
        )
    if number.year != day.year % 100:
        return "year-matches-number", (
            f"issue year {day.year} differs from digits 14-15 of {credential.number}"
        )
    state = registry.state(filing, day)
    if state is None:
        return "issuer-known", f"no institution with filing number {filing} in the registry"
    found = registry.key(kid)
    if found is None or found[0].filing_number != filing:
        return "key-of-issuer", f"key {kid} is not a registered key of {filing}"
    if not state.active:
        return "issuer-active-on-issue-date", f"{filing} is {state.status} on {day}"
    if not found[1].valid_on(day):
        return "key-valid-on-issue-date", f"key {kid} is not valid on {day}"
    row = registry.scope_row(
        filing, credential.occupation, credential.job, int(credential.level), day
    )
    if row is None:
        job = credential.job or "--"
        return "in-scope-on-issue-date", (
            f"{credential.occupation} / {job} level {int(credential.level)} is not in the "
            f"filed scope of {filing} on {day}"
        )
    return None


def sign(credential: Credential, key: SigningKey, *, registry: Registry) -> bytes:
    """The COSE_Sign1 bytes of ``credential``, or ``IssuanceRefused`` naming the broken rule."""
    problem = refusal(credential, key.kid, registry)
    if problem is not None:
        rule, reason = problem
        raise IssuanceRefused(f"refused ({rule}): {reason}")
    payload = cose.encode(credential.to_claims())
    return cose.sign1(payload, key, protected=protected_header(key.kid))
