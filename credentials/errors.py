"""The one exception hierarchy of skillcert: every exception class the library raises is here.

Every error raised because of *input data* (a registry file, a credential, a key file, a roster, a
register, a snapshot) is a ``CredentialsError``. Programmer mistakes stay builtins (``TypeError``,
``ValueError``). ``str(err)`` is one short lowercase English line; ``err.zh`` is the same in Chinese
when the raiser gave it, and ``err.bilingual()`` is what the command line prints (Chinese first).
Third-party exceptions are translated where the library is called, with ``raise … from err``.

Nothing from the rest of the package but the label table: the reports and findings that some errors
carry are typed by the small protocols below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from credentials.labels import MALFORMED


class _Issue(Protocol):
    """What ``RegistryError`` needs of a finding."""

    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    def location(self) -> str: ...


class _Report(Protocol):
    """What ``VerificationFailed`` needs of a report."""

    @property
    def failed(self) -> tuple[str, ...]: ...


class CredentialsError(Exception):
    """Catch-all for callers; never raised directly. ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str, *, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh

    def bilingual(self) -> str:
        """``中文 / English`` on one line (English alone when no Chinese was given)."""
        text = " ".join(str(self).split())
        return f"{' '.join(self.zh.split())} / {text}" if self.zh else text


class MalformedCredential(CredentialsError, ValueError):
    """Not CBOR, not COSE_Sign1, or the claims do not parse; ``problem`` is a code shared with the
    verification page (``labels.MALFORMED``)."""

    def __init__(self, message: str, *, zh: str | None = None, problem: str = "") -> None:
        super().__init__(message, zh=zh)
        self.problem = problem

    @classmethod
    def because(cls, problem: str) -> MalformedCredential:
        """The error for a problem code, worded from the label table."""
        zh, en = MALFORMED.get(problem, (problem, problem))
        return cls(en, zh=zh, problem=problem)


class InvalidNumber(CredentialsError, ValueError):
    """A certificate or filing number that does not follow its numbering scheme."""


class UnreadableInput(CredentialsError):
    """An input the verifier cannot even read (no file, no QR code in the picture, …): exit 2."""

    exit_code = 2


class VerificationFailed(CredentialsError):
    """A well-formed input failed a check; ``.report`` says which and why."""

    def __init__(self, report: _Report) -> None:
        self.report = report
        failed = ", ".join(report.failed) or "unknown"
        super().__init__(
            f"credential is not genuine: failed {failed}", zh=f"证书未通过核验：{failed}"
        )


class RegistryError(CredentialsError):
    """The registry has errors; ``.issues`` lists every one of them (file, line, rule, message)."""

    def __init__(
        self, issues: Sequence[_Issue], *, en: str | None = None, zh: str | None = None
    ) -> None:
        self.issues = tuple(issues)
        errors = [i for i in self.issues if i.severity == "error"]
        first = errors[0] if errors else (self.issues[0] if self.issues else None)
        where = f": first at {first.location()} ({first.rule})" if first else ""
        where_zh = f"，第一个在 {first.location()}（{first.rule}）" if first else ""
        super().__init__(
            en or f"registry has {len(errors)} error(s){where}",
            zh=zh or f"评价机构目录有 {len(errors)} 个错误{where_zh}",
        )


class KeyFileError(CredentialsError):
    """An unreadable or wrong-length key file; never echoes key bytes."""


class IssuanceRefused(CredentialsError):
    """The key may not sign this credential (outside the issuer's filed scope or validity, …)."""


class GitError(CredentialsError):
    """A git revision or path that cannot be read."""


class SnapshotError(CredentialsError):
    """A registry snapshot that is incomplete, altered, or not signed by the expected key."""


class RegisterError(CredentialsError):
    """The issuance register cannot do what was asked (full serials, unknown number, damage…)."""


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """One problem in a roster: row (1-based, the header is row 1), column, what to do."""

    row: int
    column: str
    message: str
    zh: str = ""

    def __str__(self) -> str:
        if self.row:
            where = f"第 {self.row} 行" + (f"，{self.column} 列" if self.column else "")
            where_en = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        else:  # the roster as a whole
            where = "名册" + (f"，{self.column} 列" if self.column else "")
            where_en = "roster" + (f", column {self.column}" if self.column else "")
        return (
            f"{where}：{self.zh} / {where_en}: {self.message}"
            if self.zh
            else f"{where_en}: {self.message}"
        )


class RosterError(CredentialsError):
    """A roster with problems; ``.problems`` lists all of them. Nothing was issued."""

    def __init__(self, problems: Sequence[RosterProblem], *, source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(
            f"roster has {len(self.problems)} problem(s); nothing was issued",
            zh=f"名册有 {len(self.problems)} 处问题，未签发任何证书",
        )
