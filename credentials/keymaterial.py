"""Spotting private key material in registry files, before anything else reads them.

Works on the raw text line by line, so it also covers files that are not valid YAML and files that
should not be in ``registry/`` at all. It looks for PEM/OpenSSH private-key blocks, skillcert's own
private-key files, fields named like a secret, and values shaped like a raw Ed25519 secret: 64 or 128
hex digits outside ``public_key``, or base64 of 32 or 64 bytes.
"""

from __future__ import annotations

import base64
import binascii
import re

from credentials.findings import Finding
from credentials.rules import finding

PRIVATE_KEY_MARKER = "skillcert-ed25519-private-key"

_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----|PRIVATE KEY-----|" + PRIVATE_KEY_MARKER)
_SECRET_FIELD = re.compile(
    r"^\s*-?\s*[\"']?([A-Za-z_]*(?:private|secret|seed|signing_key)[A-Za-z_]*)[\"']?\s*:",
    re.IGNORECASE,
)
_HEX = re.compile(r"(?<![0-9A-Fa-f])([0-9A-Fa-f]{128}|[0-9A-Fa-f]{64})(?![0-9A-Fa-f])")
_B64 = re.compile(r"(?<![A-Za-z0-9+/=_-])([A-Za-z0-9+/_-]{43,88}={0,2})(?![A-Za-z0-9+/=_-])")
_FIELD = re.compile(r"^\s*-?\s*([A-Za-z_]+)\s*:")


def _b64_secret(token: str) -> bool:
    stripped = token.rstrip("=")
    if (
        len(stripped) not in (43, 86)
        or not re.search(r"\d", token)
        or not re.search(r"[A-Za-z]", token)
    ):
        return False
    padded = stripped + "=" * (-len(stripped) % 4)
    try:
        raw = (
            base64.urlsafe_b64decode(padded)
            if ("-" in token or "_" in token)
            else base64.b64decode(padded, validate=True)
        )
    except (binascii.Error, ValueError):
        return False
    return len(raw) in (32, 64)


def scan(text: str, file: str) -> list[Finding]:
    """Every line of ``text`` that looks like private key material."""
    out: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        what = None
        col = 1
        if m := _PEM.search(line):
            what, col = "PEM / private key block", m.start() + 1
        elif m := _SECRET_FIELD.match(line):
            what, col = f"field '{m.group(1)}'", m.start(1) + 1
        else:
            field = _FIELD.match(line)
            name = field.group(1) if field else ""
            for m in _HEX.finditer(line):
                if len(m.group(1)) == 128 or name not in ("public_key",):
                    what, col = f"{len(m.group(1))} hex digits", m.start(1) + 1
                    break
            if what is None:
                for m in _B64.finditer(line):
                    if _b64_secret(m.group(1)):
                        what, col = "base64 of a 32/64-byte secret", m.start(1) + 1
                        break
        if what is not None:
            out.append(finding("private-key-material", file, (number, col), what=what))
    return out
