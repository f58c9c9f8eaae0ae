"""The one exception hierarchy of skillcert.

Every error raised because of *input data* (a registry file, a credential, a key file, a roster) is a
``CredentialsError``. Programmer mistakes stay builtins (``TypeError``, ``ValueError``). ``str(err)`` is
one short lowercase line; longer explanations for people live in the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credentials.credential.verify import Report
    from credentials.registry.validate.findings import Finding


class CredentialsError(Exception):
    """Catch-all for callers; never raised directly."""


class MalformedCredential(CredentialsError, ValueError):
    """Not CBOR, not COSE_Sign1, or the claims do not parse."""


class InvalidNumber(CredentialsError, ValueError):
    """A certificate or filing number that does not follow its numbering scheme."""


class VerificationFailed(CredentialsError):
    """A well-formed input failed a check; ``.report`` says which and why."""

    def __init__(self, report: Report) -> None:
        self.report = report
        failed = ", ".join(report.failed) or "unknown"
        super().__init__(f"credential is not genuine: failed {failed}")


class RegistryError(CredentialsError):
    """The registry has errors; ``.issues`` lists every one of them (file, line, rule, message)."""

    def __init__(self, issues: tuple[Finding, ...]) -> None:
        self.issues = issues
        errors = [i for i in issues if i.severity == "error"]
        first = errors[0] if errors else (issues[0] if issues else None)
        where = f": first at {first.location()} ({first.rule})" if first else ""
        super().__init__(f"registry has {len(errors)} error(s){where}")


class KeyFileError(CredentialsError):
    """An unreadable or wrong-length key file; never echoes key bytes."""


class IssuanceRefused(CredentialsError):
    """sign() would produce a credential outside the issuer's filed scope or validity."""


class GitError(CredentialsError):
    """A git revision or path that cannot be read."""
