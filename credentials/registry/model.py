"""The registry's value types: institutions, their dated scope, status, keys and revocations.

Frozen dataclasses built from documents that passed the schema (``from_data``). They carry the line
of each row so that later rules and tools can point at it. All ``until``/``not_after`` dates are the
last day included. Nothing here reads files or clocks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from credentials.levels import Level

Date = dt.date


def _date(value: Any) -> Date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _req_date(value: Any) -> Date:
    return dt.date.fromisoformat(value)


_LEVEL = {int(level): level for level in Level}  # Level(x), a tenth of the time (30 a file)


@dataclass(frozen=True, slots=True)
class Period:
    """A validity period (有效期), both ends included."""

    start: Date
    until: Date
    receipt: str | None = None

    def covers(self, day: Date) -> bool:
        """Whether ``day`` is inside the period."""
        return self.start <= day <= self.until


@dataclass(frozen=True, slots=True)
class ScopeRow:
    """One row of the filed scope: an occupation (and job) with levels, over a date window."""

    occupation: str
    name: str
    job: str | None
    levels: tuple[Level, ...]
    basis: str
    since: Date
    until: Date | None = None
    specification: str | None = None
    receipt: str | None = None
    line: int = 0

    def applies_on(self, day: Date) -> bool:
        """Whether the row is in force on ``day``."""
        return self.since <= day and (self.until is None or day <= self.until)

    def covers(self, occupation: str, job: str | None, level: int, day: Date) -> bool:
        """Whether the row allows certifying ``occupation``/``job`` at ``level`` on ``day``."""
        return (
            self.occupation == occupation
            and self.job == job
            and level in self.levels
            and self.applies_on(day)
        )


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A dated change of status: active, suspended or withdrawn."""

    date: Date
    status: str
    reason: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """A public signing key of an institution, with its window."""

    kid: str
    public_key: bytes
    not_before: Date
    not_after: Date | None = None
    compromised_at: Date | None = None
    line: int = 0

    def valid_on(self, day: Date) -> bool:
        """Whether a credential issued on ``day`` may be signed with this key."""
        if day < self.not_before or (self.not_after is not None and day > self.not_after):
            return False
        return self.compromised_at is None or day < self.compromised_at


@dataclass(frozen=True, slots=True)
class Revocation:
    """A revoked certificate: one version of a number, or every version (``version`` None)."""

    number: str
    version: int | None
    date: Date
    reason: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Reissue:
    """A re-issue (补发): ``version`` of ``number`` supersedes every earlier version from ``date``."""

    number: str
    version: int
    date: Date
    line: int = 0
    reason: str | None = None  # why the holder applied (遗失, 损毁 …)


@dataclass(frozen=True, slots=True)
class Contact:
    """Who to call."""

    person: str
    phone: str
    email: str | None = None
    website: str | None = None


@dataclass(frozen=True, slots=True)
class Institution:
    """A filed assessment institution (评价机构) with its whole history."""

    filing_number: str
    category: str
    type: str
    name: str
    province: str
    city: str
    address: str
    contact: Contact
    filing_bureau: str
    filing_receipt: str
    filing_date: Date
    validity: tuple[Period, ...]
    assessed: tuple[str, ...]
    scope: tuple[ScopeRow, ...]
    status: tuple[StatusEvent, ...]
    keys: tuple[KeyEntry, ...]
    revoked: tuple[Revocation, ...] = ()
    reissued: tuple[Reissue, ...] = ()
    short_name: str | None = None
    name_en: str | None = None
    ownership: str | None = None
    filed_with: str = "province"
    county: str | None = None  # 县级行政区 (GB/T 2260), when filed in a county
    seal: str | None = None  # the seal image, a path in the registry (seals/<filing>.png)
    file: str = ""

    @classmethod
    def from_data(cls, data: dict[str, Any], *, file: str, lines: dict[Any, int]) -> Institution:
        """Build from a schema-valid document; ``lines`` maps (field, index) to a line."""
        c = data["contact"]
        f = data["filing"]
        return cls(
            filing_number=data["filing_number"],
            category=data["category"],
            type=data["type"],
            name=data["name"],
            short_name=data.get("short_name"),
            name_en=data.get("name_en"),
            ownership=data.get("ownership"),
            filed_with=data.get("filed_with", "province"),
            county=data.get("county"),
            seal=data.get("seal"),
            province=data["province"],
            city=data["city"],
            address=data["address"],
            contact=Contact(c["person"], c["phone"], c.get("email"), c.get("website")),
            filing_bureau=f["bureau"],
            filing_receipt=f["receipt"],
            filing_date=_req_date(f["date"]),
            validity=tuple(
                Period(_req_date(p["from"]), _req_date(p["until"]), p.get("receipt"))
                for p in data["validity"]
            ),
            assessed=tuple(data["assessed"]),
            scope=tuple(
                ScopeRow(
                    occupation=r["occupation"],
                    name=r["name"],
                    job=r["job"],
                    levels=tuple(map(_LEVEL.__getitem__, r["levels"])),
                    basis=r["basis"],
                    since=_req_date(r["since"]),
                    until=_date(r.get("until")),
                    specification=r.get("specification"),
                    receipt=r.get("receipt"),
                    line=lines.get(("scope", i), 0),
                )
                for i, r in enumerate(data["scope"])
            ),
            status=tuple(
                StatusEvent(
                    _req_date(s["date"]), s["status"], s["reason"], lines.get(("status", i), 0)
                )
                for i, s in enumerate(data["status"])
            ),
            keys=tuple(
                KeyEntry(
                    kid=k["kid"],
                    public_key=bytes.fromhex(k["public_key"]),
                    not_before=_req_date(k["not_before"]),
                    not_after=_date(k.get("not_after")),
                    compromised_at=_date(k.get("compromised_at")),
                    line=lines.get(("keys", i), 0),
                )
                for i, k in enumerate(data["keys"])
            ),
            revoked=tuple(
                Revocation(
                    r["number"],
                    r.get("version"),
                    _req_date(r["date"]),
                    r["reason"],
                    lines.get(("revoked", i), 0),
                )
                for i, r in enumerate(data.get("revoked", []))
            ),
            reissued=tuple(
                Reissue(
                    r["number"],
                    r["version"],
                    _req_date(r["date"]),
                    lines.get(("reissued", i), 0),
                    r.get("reason"),
                )
                for i, r in enumerate(data.get("reissued", []))
            ),
            file=file,
        )

    # --- the institution as of a date ---------------------------------------------------------

    def status_on(self, day: Date) -> str:
        """``active``, ``suspended``, ``withdrawn``, ``expired`` or ``not-filed`` on ``day``."""
        current = None
        for event in self.status:
            if event.date <= day:
                current = event
            else:
                break
        if current is None or day < self.filing_date:
            return "not-filed"
        if current.status != "active":
            return current.status
        if not any(p.covers(day) for p in self.validity):
            return "expired" if day > self.validity[0].start else "not-filed"
        return "active"

    def period_on(self, day: Date) -> Period | None:
        """The validity period covering ``day``."""
        return next((p for p in self.validity if p.covers(day)), None)

    def scope_on(self, day: Date) -> tuple[ScopeRow, ...]:
        """The scope rows in force on ``day``."""
        return tuple(r for r in self.scope if r.applies_on(day))

    def keys_on(self, day: Date) -> tuple[KeyEntry, ...]:
        """The keys that may sign credentials issued on ``day``."""
        return tuple(k for k in self.keys if k.valid_on(day))

    @property
    def validity_end(self) -> Date:
        """The last day of the last validity period."""
        return max(p.until for p in self.validity)


@dataclass(frozen=True, slots=True)
class Segment:
    """One part of positions 8–13 of a filing number, as a province forms it."""

    part: str  # city | kind | order
    length: int
    label: str | None = None
    codes: tuple[
        tuple[str, str, tuple[str, ...], str | None], ...
    ] = ()  # code, label, types, ownership
    ranges: tuple[tuple[int, int, str | None, tuple[str, ...]], ...] = ()  # min, max, label, types


@dataclass(frozen=True, slots=True)
class ProvinceRules:
    """What a province decides: validity length, city codes, sequence rule, tier limits, pilots."""

    code: str
    name: str
    max_validity_years: int
    cities: dict[str, str]
    sequence: tuple[Segment, ...]
    level_limits: dict[str, tuple[int, ...]]
    pilot_limit: int | None = None
    pilot_types: tuple[str, ...] = ("enterprise",)
    numbering: str = "institution"  # who assigns serials: institution | bureau
    notice_working_days: int = 5  # 公示 period before the bureau decides a batch
    category_types: dict[str, tuple[str, ...]] | None = None  # Y/S -> types (None: the default)
    assessed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # type -> categories
    validity_year_end_types: tuple[str, ...] = ()  # receipts that end on 31 December
    name_suffix: tuple[str, tuple[str, ...]] | None = None  # (suffix, types; () = every type)
    no_job_text: str = "--"  # printed for no job (Liaoning: ——)
    photo_required: bool = False
    student_routes: dict[str, int] = field(default_factory=dict)  # route -> highest level code

    def category_allows(self, category: str, itype: str) -> bool:
        """Whether an institution of type ``itype`` may be filed with ``category`` here."""
        if self.category_types is not None and category in self.category_types:
            return itype in self.category_types[category]
        return (category == "S") == (itype == "social_organisation")


@dataclass(frozen=True, slots=True)
class Bureau:
    """The bureau that publishes the registry."""

    name: str
    name_en: str
    site_url: str
    snapshot_kid: str
    snapshot_public_key: bytes
    provinces: dict[str, ProvinceRules]
    certificate_query_url: str | None = None
    institution_query_url: str | None = None
    snapshot_max_age_days: int = 7
    records_required_from: Date | None = None  # credentials signed from then on must be published
    record_grace_days: int = 30  # until then after signing: "cannot yet confirm"
    access_occupations: dict[str, str] = field(default_factory=dict)  # 准入类: code -> name
    national_certificate_query_url: str = "http://jndj.osta.org.cn/"
    national_institution_query_url: str = "http://pjjg.osta.org.cn/"

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Bureau:
        """Build from a schema-valid bureau document."""
        provinces = {}
        for code, p in data["provinces"].items():
            segments = tuple(
                Segment(
                    part=s["part"],
                    length=s["length"],
                    label=s.get("label"),
                    codes=tuple(
                        (k, v["label"], tuple(v["types"]), v.get("ownership"))
                        for k, v in s.get("codes", {}).items()
                    ),
                    ranges=tuple(
                        (r["min"], r["max"], r.get("label"), tuple(r.get("types", ())))
                        for r in s.get("ranges", [])
                    ),
                )
                for s in p["sequence"]
            )
            pilot = p.get("pilot_limit")
            enabled = pilot is not None and pilot.get("enabled", True)
            provinces[code] = ProvinceRules(
                code=code,
                name=p["name"],
                max_validity_years=p["max_validity_years"],
                cities=dict(p["cities"]),
                sequence=segments,
                level_limits={k: tuple(v) for k, v in p.get("level_limits", {}).items()},
                pilot_limit=pilot["max_per_city"] if enabled and pilot else None,
                pilot_types=tuple(pilot.get("types", ["enterprise"])) if pilot else ("enterprise",),
                numbering=p.get("numbering", "institution"),
                notice_working_days=p.get("notice_working_days", 5),
                category_types=(
                    {k: tuple(v) for k, v in p["category_types"].items()}
                    if "category_types" in p else None
                ),
                assessed={k: tuple(v) for k, v in p.get("assessed", {}).items()},
                validity_year_end_types=tuple(p.get("validity_year_end_types", ())),
                name_suffix=(
                    (p["institution_name_suffix"]["suffix"],
                     tuple(p["institution_name_suffix"].get("types", ())))
                    if "institution_name_suffix" in p else None
                ),
                no_job_text=p.get("no_job_text", "--"),
                photo_required=p.get("photo_required", False),
                student_routes=dict(p.get("student_routes", {})),
            )  # fmt: skip
        q = data.get("query_urls", {})
        records = data.get("records", {})
        return cls(
            name=data["name"],
            name_en=data["name_en"],
            site_url=data["site_url"].rstrip("/"),
            snapshot_kid=data["snapshot_key"]["kid"],
            snapshot_public_key=bytes.fromhex(data["snapshot_key"]["public_key"]),
            provinces=provinces,
            certificate_query_url=q.get("certificate"),
            institution_query_url=q.get("institution"),
            snapshot_max_age_days=data.get("snapshot_max_age_days", 7),
            records_required_from=_date(records.get("required_from")),
            record_grace_days=records.get("grace_days", 30),
            access_occupations={a["code"]: a["name"] for a in data.get("access_occupations", [])},
            national_certificate_query_url=data.get("national_query_urls", {}).get(
                "certificate", "http://jndj.osta.org.cn/"
            ),
            national_institution_query_url=data.get("national_query_urls", {}).get(
                "institution", "http://pjjg.osta.org.cn/"
            ),
        )


@dataclass(frozen=True, slots=True)
class Occupation:
    """An occupation of the national classification (职业分类大典)."""

    code: str
    name: str
    editions: tuple[int, ...]
    jobs: tuple[str, ...] = ()
    marks: str | None = None  # the classification's L (green) / S (digital) marks, kept apart
    levels: tuple[int, ...] | None = None  # the national standard's levels, where known
    levels_source: str | None = None

    @property
    def skill(self) -> bool:
        """A skill occupation: major groups 3–6 of the classification (技能类)."""
        return self.code[0] in "3456"
