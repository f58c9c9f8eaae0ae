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

from credentials.keys import PRIVATE_KEY_MARKER
from credentials.registry.validate.findings import Finding
from credentials.registry.validate.messages import finding

_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----|PRIVATE KEY-----|" + PRIVATE_KEY_MARKER)
_FIELD_NAME = re.compile(r"^[ \t]*-?[ \t]*[\"']?([A-Za-z_]+)[\"']?[ \t]*:", re.MULTILINE)
# Runs of characters that hex and base64 secrets are made of, at least as long as the shortest one.
_SECRET_WORDS = ("private", "secret", "seed", "signing_key")
_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{43,}")
_HEX = re.compile(r"[0-9A-Fa-f]+")
_PUBLIC_KEY_FIELD = re.compile(r"[ \t]*-?[ \t]*public_key[ \t]*:")


def _b64_secret(token: str) -> bool:
    stripped = token.rstrip("=")
    if len(stripped) not in (43, 86) or len(token) - len(stripped) > 2 or "=" in stripped:
        return False
    if not re.search(r"\d", token) or not re.search(r"[A-Za-z]", token):
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
    """Every line of ``text`` that looks like private key material (one finding per line)."""
    hits: dict[int, tuple[int, str]] = {}

    def hit(pos: int, what: str) -> None:
        line_start = text.rfind("\n", 0, pos) + 1
        line = text.count("\n", 0, pos) + 1
        hits.setdefault(line, (pos - line_start + 1, what))

    if "PRIVATE KEY" in text or PRIVATE_KEY_MARKER in text:
        for m in _PEM.finditer(text):
            hit(m.start(), "PEM / private key block")
    lower = text.lower()
    if any(word in lower for word in _SECRET_WORDS):
        for m in _FIELD_NAME.finditer(text):
            name = m.group(1).lower()
            if any(word in name for word in _SECRET_WORDS):
                hit(m.start(1), f"field '{m.group(1)}'")
    for m in _TOKEN.finditer(text):
        token = m.group()
        if len(token) in (64, 128) and _HEX.fullmatch(token):
            line_start = text.rfind("\n", 0, m.start()) + 1
            if len(token) == 128 or not _PUBLIC_KEY_FIELD.match(text, line_start):
                hit(m.start(), f"{len(token)} hex digits")
        elif _b64_secret(token):
            hit(m.start(), "base64 of a 32/64-byte secret")
    return [
        finding("private-key-material", file, (line, col), what=what)
        for line, (col, what) in sorted(hits.items())
    ]
