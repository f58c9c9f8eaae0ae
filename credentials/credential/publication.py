"""Check (11) ``in-published-record``: did the bureau publish this exact credential in time?

A key proves who signed, not when. Whoever holds a key (a thief, or an institution after it was
suspended) can date a credential before the key's compromise or the suspension, and checks 5 and
6 pass. The bureau's published issuance records (``registry/records``) close this: a credential is
genuine only when its exact bytes are in a record of its institution that the bureau published
**before** the key's compromise date and before any suspension or withdrawal that came after the
credential was signed. The merge date in git dates a record.

The outcomes (``reason``):

- ``""`` (passed): in a record published in time.
- ``legacy`` (passed): signed before the bureau's ``records.required_from`` and not in a record,
  its key never compromised: judged by the registry alone, as every credential was before records
  began. (A suspension or withdrawal since does not void it: holders of an institution that lost
  its filing keep what it issued; the bureau closes this window by publishing legacy records and
  moving ``required_from`` back.)
- ``unpublished-compromised-key`` (failed): not in a record, and its key was reported compromised
  (at any time): only what was published before the compromise is trusted, whenever it was
  signed; holders have it re-issued with the new key.
- ``not-yet-published`` (pending): signed less than ``records.grace_days`` ago and not in a record
  yet: "cannot yet confirm", never genuine; a key compromised since leaves no grace.
- ``other-credential-published`` (failed): the record publishes another credential under this
  number and version (a second register that reused numbers; a revoked number re-signed).
- ``published-after-compromise`` / ``published-after-suspension`` (failed): published too late.
- ``not-published`` (failed): none of the above.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from credentials.credential.policy import Ruling
from credentials.registry.model import Institution, KeyEntry
from credentials.registry.records import RecordEntry, credential_hash
from credentials.registry.registry import Registry

CHECK = "in-published-record"
PASSING = frozenset({"", "legacy"})
PENDING = frozenset({"not-yet-published"})


def stopped_after(inst: Institution, signed: dt.date, until: dt.date) -> tuple[str, dt.date] | None:
    """The first suspension or withdrawal of ``inst`` after ``signed`` and on or before ``until``."""
    for event in inst.status:
        if signed < event.date <= until and event.status in ("suspended", "withdrawn"):
            return event.status, event.date
    return None


def judge_entry(
    entry: RecordEntry, inst: Institution, key: KeyEntry | None, signed: dt.date
) -> Ruling:
    """Whether a published entry was published in time (key not yet compromised, institution
    not suspended or withdrawn since it signed)."""
    detail: dict[str, Any] = {"date": entry.published.isoformat(), "record": entry.record}
    if key is not None and key.compromised_at is not None and entry.published >= key.compromised_at:
        detail["compromised_at"] = key.compromised_at.isoformat()
        return Ruling(CHECK, "published-after-compromise", detail)
    stop = stopped_after(inst, signed, entry.published)
    if stop is not None:
        detail["status"], detail["since"] = stop[0], stop[1].isoformat()
        return Ruling(CHECK, "published-after-suspension", detail)
    return Ruling(CHECK, "", detail)


def published(
    registry: Registry, data: bytes, number: str, version: int, *, inst: Institution,
    key: KeyEntry | None, signed: dt.date, at: dt.date,
) -> Ruling:  # fmt: skip
    """Check (11) for the credential ``data`` (its exact bytes), signed on ``signed``."""
    entries = [e for e in registry.records.entries(number) if e.published <= at]
    same = [e for e in entries if e.version == version]
    mine = credential_hash(data)
    match = next((e for e in same if e.credential_hash == mine), None)
    if match is not None:
        return judge_entry(match, inst, key, signed)
    if same:
        return Ruling(
            CHECK, "other-credential-published", {"version": version, "record": same[0].record}
        )
    policy = registry.record_policy
    if key is not None and key.compromised_at is not None:
        detail = {"date": signed.isoformat(), "compromised_at": key.compromised_at.isoformat()}
        return Ruling(CHECK, "unpublished-compromised-key", detail)
    if policy.required_from is None or signed < policy.required_from:
        since = policy.required_from.isoformat() if policy.required_from else "—"
        return Ruling(CHECK, "legacy", {"since": since})
    until = signed + dt.timedelta(days=policy.grace_days)
    if at <= until and stopped_after(inst, signed, at) is None:
        return Ruling(
            CHECK, "not-yet-published", {"date": signed.isoformat(), "until": until.isoformat()}
        )
    return Ruling(CHECK, "not-published", {"date": signed.isoformat()})
