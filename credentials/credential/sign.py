"""Signing a credential: refuses anything the signing policy says the key may not sign.

``sign(credential, key, *, registry)`` judges the credential with ``policy`` (the rules the verifier
records as its checks), against the registry as of the credential's issue date, and raises
``IssuanceRefused`` naming the first broken rule; only then does it build the COSE_Sign1 (EdDSA,
kid in the protected header).
"""

from __future__ import annotations

from credentials import cose
from credentials.credential import policy, wording
from credentials.credential.claims import Credential
from credentials.errors import IssuanceRefused
from credentials.keys import SigningKey
from credentials.registry.registry import Registry


def protected_header(kid: str) -> dict[int, object]:
    """The protected header of every credential: alg EdDSA and the key id."""
    return {cose.Header.ALG: int(cose.Alg.EDDSA), cose.Header.KID: bytes.fromhex(kid)}


def subject_of(
    credential: Credential, registry: Registry
) -> tuple[policy.Subject, policy.Ruling | None]:
    """What the signing policy looks at in a credential (for a re-issue, the signing day the
    registry records), and the rule an unrecorded re-issue breaks."""
    day, unrecorded = policy.signing_day(
        registry, str(credential.number), credential.version, credential.issued
    )
    subject = policy.Subject(
        filing_number=str(credential.number.filing),
        occupation=credential.occupation,
        job=credential.job,
        level=credential.level,
        issued=credential.issued,
        signing_day=day,
    )
    return subject, unrecorded


def refusal(credential: Credential, kid: str, registry: Registry) -> policy.Ruling | None:
    """The first rule a credential signed with ``kid`` would break, or None."""
    number = policy.number_consistent(credential.number, credential.level, credential.issued)
    if not number.holds:
        return number
    subject, unrecorded = subject_of(credential, registry)
    broken = policy.refusals(subject, kid, registry)
    if unrecorded is not None:
        broken = [r for r in broken if r.check != "key-valid-on-issue-date"] + [unrecorded]
        broken.sort(key=lambda r: _ORDER.index(r.check))
    return broken[0] if broken else None


_ORDER = (
    "issuer-known",
    "issuer-active-on-issue-date",
    "key-valid-on-issue-date",
    "in-scope-on-issue-date",
)


def sign(credential: Credential, key: SigningKey, *, registry: Registry) -> bytes:
    """The COSE_Sign1 bytes of ``credential``, or ``IssuanceRefused`` naming the broken rule."""
    broken = refusal(credential, key.kid, registry)
    if broken is not None:
        zh, en = wording.sentence(broken.check, broken.reason, broken.detail)
        raise IssuanceRefused(
            f"refused ({broken.check}): {en}", zh=f"拒绝签发（{broken.check}）：{zh}"
        )
    payload = cose.encode(credential.to_claims())
    return cose.sign1(payload, key, protected=protected_header(key.kid))
