"""skillcert's library: the registry of filed institutions, certificate numbers, and (in later
modules) keys, COSE_Sign1 credentials, verification and QR codes.

Starting points:

- ``load_registry(path)`` reads and validates a registry directory and returns a ``Registry``
  that answers questions as of a date (``Registry.state``, ``Registry.scope_row``, ``Registry.key``).
- ``check_registry(path)`` validates without raising and returns every finding.
- ``parse_number(text)`` parses a 22-character certificate number; ``FilingNumber.parse`` a filing
  number.
- Every data error is a ``CredentialsError``.
"""

from __future__ import annotations

from credentials.errors import (
    CredentialsError,
    GitError,
    InvalidNumber,
    IssuanceRefused,
    KeyFileError,
    MalformedCredential,
    RegistryError,
)
from credentials.findings import Finding
from credentials.levels import Level
from credentials.model import Bureau, Institution, KeyEntry, Occupation, Revocation, ScopeRow
from credentials.numbers import CertificateNumber, FilingNumber, format_number, parse_number
from credentials.registry import Registry, check_registry, load_registry

__version__ = "0.1.0"

__all__ = [
    "Bureau",
    "CertificateNumber",
    "CredentialsError",
    "FilingNumber",
    "Finding",
    "GitError",
    "Institution",
    "InvalidNumber",
    "IssuanceRefused",
    "KeyEntry",
    "KeyFileError",
    "Level",
    "MalformedCredential",
    "Occupation",
    "Registry",
    "RegistryError",
    "Revocation",
    "ScopeRow",
    "__version__",
    "check_registry",
    "format_number",
    "load_registry",
    "parse_number",
]
