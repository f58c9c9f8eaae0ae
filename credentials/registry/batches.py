"""Assessment batches (认定批次): what an institution proposes, the 公示, the bureau's decision.

A batch file (``registry/batches/<filing>/<year>-<n>.yaml``) is the unit the bureau sees. The
institution writes it (``skillcert batch new``): the counts per occupation, job and level, the
digest of the exact roster, and the notice (公示) period in working days on the official calendar.
The bureau decides it (``skillcert batch approve|reject``) in a pull request: an approval in a
province where the bureau numbers (``numbering: bureau`` in ``bureau.yaml``: Zhejiang, Jiangsu)
allocates serial ranges per level, after every range approved before for that institution and year,
so two approvals never overlap; a rejection (驳回) means no number, ever.

Value types and pure functions only: parsing is ``Batch.from_data`` on a schema-valid document;
``allocate`` computes ranges; nothing here reads files or clocks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from credentials.errors import RegistryError
from credentials.levels import Level

Date = dt.date
BATCHES_DIR = "batches"
BATCH_ID = re.compile(r"(?P<year>20[0-9]{2})-(?P<seq>[1-9][0-9]{0,3})")
MAX_SERIAL = 999_999


@dataclass(frozen=True, slots=True)
class BatchCount:
    """How many candidates passed one occupation, job and level."""

    occupation: str
    job: str | None
    level: Level
    count: int
    line: int = 0


@dataclass(frozen=True, slots=True)
class SerialRange:
    """Serials ``first``…``last`` (both included) of one level, allocated by the bureau."""

    level: int
    first: int
    last: int

    @property
    def size(self) -> int:
        """How many serials."""
        return self.last - self.first + 1

    def overlaps(self, other: SerialRange) -> bool:
        """Whether the two ranges share a serial of the same level."""
        return self.level == other.level and self.first <= other.last and other.first <= self.last


@dataclass(frozen=True, slots=True)
class Notice:
    """The 公示: from which day, how many working days, the last day, and who takes objections."""

    start: Date
    working_days: int
    until: Date
    person: str
    phone: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class NoticeRow:
    """One person on a notice (公示) list, as the province's rule has them shown."""

    name: str
    occupation: str
    level: int
    job: str | None = None
    id_masked: str | None = None
    born: str | None = None
    unit: str | None = None

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> NoticeRow:
        """Build from a schema-valid row."""
        return cls(d["name"], d["occupation"], d["level"], d.get("job"), d.get("id"),
                   d.get("born"), d.get("unit"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Decision:
    """The bureau's decision: approved (with serial ranges where it numbers) or rejected."""

    status: str  # approved | rejected
    date: Date
    by: str
    reason: str | None = None
    serials: tuple[SerialRange, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Batch:
    """One assessment batch of one institution."""

    institution: str
    id: str  # <year>-<n>
    plan: str | None
    assessed_from: Date
    assessed_until: Date
    filed: Date
    roster: str  # SHA-256 of the roster's rows (``roster_digest``)
    counts: tuple[BatchCount, ...]
    notice: Notice
    decision: Decision | None = None
    file: str = ""

    @property
    def key(self) -> str:
        """``<filing>/<year>-<n>``: unique in a registry."""
        return f"{self.institution}/{self.id}"

    @property
    def year(self) -> int:
        """The year of its certificate numbers (the year the results were confirmed)."""
        return int(self.id.split("-")[0])

    @property
    def seq(self) -> int:
        """Its number within the institution's year."""
        return int(self.id.split("-")[1])

    @property
    def total(self) -> int:
        """How many certificates it may produce."""
        return sum(c.count for c in self.counts)

    @property
    def approved(self) -> bool:
        """Whether the bureau approved it."""
        return self.decision is not None and self.decision.status == "approved"

    @property
    def rejected(self) -> bool:
        """Whether the bureau rejected it (驳回: no number, ever)."""
        return self.decision is not None and self.decision.status == "rejected"

    def per_level(self) -> dict[int, int]:
        """Certificates per level."""
        out: dict[int, int] = defaultdict(int)
        for c in self.counts:
            out[int(c.level)] += c.count
        return dict(sorted(out.items()))

    def stage(self, day: Date) -> str:
        """``notice`` (公示 not over on ``day``), ``awaiting`` (over, not decided), ``approved`` or
        ``rejected``."""
        if self.decision is not None:
            return self.decision.status
        return "notice" if day <= self.notice.until else "awaiting"

    @classmethod
    def from_data(cls, data: dict[str, Any], *, file: str, lines: dict[Any, int]) -> Batch:
        """Build from a schema-valid batch document."""
        n = data["notice"]
        contact = n["contact"]
        d = data.get("decision")
        decision = None
        if d is not None:
            decision = Decision(
                status=d["status"],
                date=dt.date.fromisoformat(d["date"]),
                by=d["by"],
                reason=d.get("reason"),
                serials=tuple(
                    SerialRange(s["level"], s["first"], s["last"]) for s in d.get("serials", [])
                ),
                line=lines.get(("decision", 0), 0),
            )
        return cls(
            institution=data["institution"],
            id=data["batch"],
            plan=data.get("plan"),
            assessed_from=dt.date.fromisoformat(data["assessed"]["from"]),
            assessed_until=dt.date.fromisoformat(data["assessed"]["until"]),
            filed=dt.date.fromisoformat(data["filed"]),
            roster=data["roster"],
            counts=tuple(
                BatchCount(
                    c["occupation"],
                    c["job"],
                    Level(c["level"]),
                    c["count"],
                    lines.get(("counts", i), 0),
                )
                for i, c in enumerate(data["counts"])
            ),
            notice=Notice(
                start=dt.date.fromisoformat(n["from"]),
                working_days=n["working_days"],
                until=dt.date.fromisoformat(n["until"]),
                person=contact["person"],
                phone=contact["phone"],
                email=contact.get("email"),
            ),
            decision=decision,
            file=file,
        )


def parse_key(text: str, *, institution: str | None = None) -> tuple[str, str]:
    """``(filing, batch id)`` from ``<filing>/<year>-<n>``, or from ``<year>-<n>`` when the
    institution is known (an institution's own command)."""
    wanted = "".join(text.split())
    filing, _, batch_id = wanted.rpartition("/")
    filing = filing.upper() or (institution or "")
    if not re.fullmatch(r"[YS][0-9]{12}", filing) or not BATCH_ID.fullmatch(batch_id):
        raise RegistryError(
            (),
            en=f"{text[:60]!r} is not a batch (write <filing number>/<year>-<n>, e.g. "
            "Y000041019001/2026-1)",
            zh=f"“{text[:60]}”不是批次编号（应写作 备案号/年份-序号，如 Y000041019001/2026-1）",
        )
    return filing, batch_id


def next_id(existing: Iterable[Batch], institution: str, year: int) -> str:
    """The next free ``<year>-<n>`` of an institution."""
    used = [b.seq for b in existing if b.institution == institution and b.year == year]
    return f"{year}-{max(used, default=0) + 1}"


def allocate(batch: Batch, others: Iterable[Batch]) -> tuple[SerialRange, ...]:
    """Serial ranges for ``batch``, one per level, each after the highest serial any other
    approved batch of the same institution and year was given; ``RegistryError`` when a level's
    serials would pass 999999."""
    last: dict[int, int] = defaultdict(int)
    for other in others:
        if other.key == batch.key or other.institution != batch.institution:
            continue
        if other.year != batch.year or not other.approved or other.decision is None:
            continue
        for r in other.decision.serials:
            last[r.level] = max(last[r.level], r.last)
    ranges = []
    for level, count in batch.per_level().items():
        first = last[level] + 1
        end = first + count - 1
        if end > MAX_SERIAL:
            raise RegistryError(
                (),
                en=f"level {level} of {batch.institution} in {batch.year} would need serials up to "
                f"{end}; only 999999 exist",
                zh=f"{batch.institution} {batch.year} 年 {level} 级的流水号将超过 999999（需要到 {end}）",
            )
        ranges.append(SerialRange(level, first, end))
    return tuple(ranges)


def serial_of(ranges: tuple[SerialRange, ...], level: int, index: int) -> int:
    """The ``index``-th (0-based) serial of ``level`` in ``ranges``."""
    for r in ranges:
        if r.level != level:
            continue
        if index < r.size:
            return r.first + index
        index -= r.size
    raise IndexError(f"no serial {index} of level {level} in the allocated ranges")


def in_ranges(ranges: tuple[SerialRange, ...], level: int, serial: int) -> bool:
    """Whether ``serial`` of ``level`` is inside one of ``ranges``."""
    return any(r.level == level and r.first <= serial <= r.last for r in ranges)
