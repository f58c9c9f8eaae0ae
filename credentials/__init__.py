"""skillcert's library: the registry of filed institutions, certificate numbers, keys, COSE_Sign1
credentials, verification, QR codes, issuing and the published site.

Four wings over a small foundation (``ARCHITECTURE.md``): ``registry`` (what the bureau files),
``credential`` (what a certificate carries, how it is signed and checked), ``issuing`` (what an
institution runs) and ``site`` (what the bureau publishes); the foundation is ``errors``,
``labels``, ``levels``, ``numbers``, ``keys`` and ``cose``.

Starting points (the recipes; ``cose`` and ``keys`` are the primitives underneath):

- ``load_registry(path)`` reads and validates a registry directory and returns a ``Registry``
  that answers questions as of a date (``Registry.state``, ``Registry.scope_row``, ``Registry.key``).
- ``sign(credential, key, *, registry)`` returns COSE_Sign1 bytes, or raises ``IssuanceRefused``.
- ``check(data, registry, *, at)`` returns a ``Report`` of named checks; ``verify(...)`` returns
  a ``VerifiedCredential`` or raises ``VerificationFailed`` carrying the report.
- ``check_registry(path)`` validates a registry without raising and returns every finding.
- ``parse_number(text)`` parses a 22-character certificate number; ``FilingNumber.parse`` a filing
  number.
- Every data error is a ``CredentialsError``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported on first use (PEP 562): `skillcert --help` and
    # `registry diff` need not load the signer, the verifier and the schemas
    from credentials.credential.claims import Credential, IdType
    from credentials.credential.sign import sign
    from credentials.credential.verify import Check, Report, VerifiedCredential, check, verify
    from credentials.errors import (
        CredentialsError,
        GitError,
        InvalidNumber,
        IssuanceRefused,
        KeyFileError,
        MalformedCredential,
        RegisterError,
        RegistryError,
        RosterError,
        SnapshotError,
        UnreadableInput,
        VerificationFailed,
    )
    from credentials.keys import SigningKey, VerifyKey
    from credentials.levels import Level
    from credentials.numbers import CertificateNumber, FilingNumber, format_number, parse_number
    from credentials.registry.model import (
        Bureau,
        Institution,
        KeyEntry,
        Occupation,
        Revocation,
        ScopeRow,
    )
    from credentials.registry.registry import Registry, check_registry, load_registry
    from credentials.registry.validate.findings import Finding

_LAZY = {
    "Bureau": "credentials.registry.model",
    "CertificateNumber": "credentials.numbers",
    "Check": "credentials.credential.verify",
    "Credential": "credentials.credential.claims",
    "CredentialsError": "credentials.errors",
    "FilingNumber": "credentials.numbers",
    "Finding": "credentials.registry.validate.findings",
    "GitError": "credentials.errors",
    "IdType": "credentials.credential.claims",
    "Institution": "credentials.registry.model",
    "InvalidNumber": "credentials.errors",
    "IssuanceRefused": "credentials.errors",
    "KeyEntry": "credentials.registry.model",
    "KeyFileError": "credentials.errors",
    "Level": "credentials.levels",
    "MalformedCredential": "credentials.errors",
    "Occupation": "credentials.registry.model",
    "RegisterError": "credentials.errors",
    "Registry": "credentials.registry.registry",
    "RegistryError": "credentials.errors",
    "Report": "credentials.credential.verify",
    "Revocation": "credentials.registry.model",
    "RosterError": "credentials.errors",
    "ScopeRow": "credentials.registry.model",
    "SigningKey": "credentials.keys",
    "SnapshotError": "credentials.errors",
    "UnreadableInput": "credentials.errors",
    "VerificationFailed": "credentials.errors",
    "VerifiedCredential": "credentials.credential.verify",
    "VerifyKey": "credentials.keys",
    "check": "credentials.credential.verify",
    "check_registry": "credentials.registry.registry",
    "format_number": "credentials.numbers",
    "load_registry": "credentials.registry.registry",
    "parse_number": "credentials.numbers",
    "sign": "credentials.credential.sign",
    "verify": "credentials.credential.verify",
}

__version__ = "0.2.0"

__all__ = [
    "Bureau",
    "CertificateNumber",
    "Check",
    "Credential",
    "CredentialsError",
    "FilingNumber",
    "Finding",
    "GitError",
    "IdType",
    "Institution",
    "InvalidNumber",
    "IssuanceRefused",
    "KeyEntry",
    "KeyFileError",
    "Level",
    "MalformedCredential",
    "Occupation",
    "RegisterError",
    "Registry",
    "RegistryError",
    "Report",
    "Revocation",
    "RosterError",
    "ScopeRow",
    "SigningKey",
    "SnapshotError",
    "UnreadableInput",
    "VerificationFailed",
    "VerifiedCredential",
    "VerifyKey",
    "__version__",
    "check",
    "check_registry",
    "format_number",
    "load_registry",
    "parse_number",
    "sign",
    "verify",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'credentials' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
