"""Spotting private key material in registry files, before anything else reads them.

Works on the raw text line by line, so it also covers files that are not valid YAML and files that
should not be in ``registry/`` at all. It looks for PEM/OpenSSH private-key blocks, skillcert's own
private-key files, fields named like a secret, and values shaped like a raw Ed25519 secret: 64 or 128
hex digits outside ``public_key``, or base64 of 32 or 64 bytes. Only the lines that can hold them
are looked at: a secret's word (a field named with it: ``ownership: private`` is a value), a run
of 43 characters or more (37 µs a file of 2 KB, a third of reading every field name).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from credentials.keys import PRIVATE_KEY_MARKER
from credentials.registry.validate.findings import Finding
from credentials.registry.validate.messages import finding

_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----|PRIVATE KEY-----|" + PRIVATE_KEY_MARKER)
_SECRET_WORDS = ("private", "secret", "seed", "signing_key")
_FIELD_NAME = re.compile(r"[ \t]*-?[ \t]*[\"']?([A-Za-z_]+)[\"']?[ \t]*:")  # at a line's start
# Runs of characters that hex and base64 secrets are made of, at least as long as the shortest one
# (base64 of 32 bytes, unpadded).
_SHORTEST = 43
_TOKEN = re.compile(rf"[A-Za-z0-9+/=_-]{{{_SHORTEST},}}")
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


def _finds(text: str, word: str) -> Iterator[int]:
    """Where ``word`` is in ``text``."""
    at = text.find(word)
    while at != -1:
        yield at
        at = text.find(word, at + 1)


def scan(text: str, file: str) -> list[Finding]:
    """Every line of ``text`` that looks like private key material (one finding per line)."""
    hits: dict[int, tuple[int, str]] = {}  # line -> (column, what), both from 1

    if "PRIVATE KEY" in text or PRIVATE_KEY_MARKER in text:
        for m in _PEM.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            row = text.count("\n", 0, m.start()) + 1
            hits.setdefault(row, (m.start() - line_start + 1, "PEM / private key block"))
    lines = text.split("\n")
    lower = text.lower()  # its lines are those of ``text``: lowering makes no line break
    named = {lower.count("\n", 0, at) for word in _SECRET_WORDS for at in _finds(lower, word)}
    for n in sorted(named):  # a line with a word: is it in a field's name (a value may: private)?
        field = _FIELD_NAME.match(lines[n])
        if field is not None and any(word in field.group(1).lower() for word in _SECRET_WORDS):
            hits.setdefault(n + 1, (field.start(1) + 1, f"field '{field.group(1)}'"))
    for n, line in enumerate(lines):  # a token is on one line: a long one
        if len(line) < _SHORTEST:
            continue
        for m in _TOKEN.finditer(line):
            token = m.group()
            if len(token) in (64, 128) and _HEX.fullmatch(token):
                if len(token) == 128 or not _PUBLIC_KEY_FIELD.match(line):
                    hits.setdefault(n + 1, (m.start() + 1, f"{len(token)} hex digits"))
            elif _b64_secret(token):
                hits.setdefault(n + 1, (m.start() + 1, "base64 of a 32/64-byte secret"))
    return [
        finding("private-key-material", file, (row, col), what=what)
        for row, (col, what) in sorted(hits.items())
    ]
