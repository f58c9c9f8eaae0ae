"""The CBOR a credential is made of: a strict decoder and a deterministic encoder for that subset.

Primitive, pure, no third-party import. The verification page's ``site/js/cbor.js`` is the same
algorithm line for line, so that Python and the page refuse exactly the same byte strings, for the
same reason (``CborProblem.problem``, a code shared with the page and worded in ``labels.json``).

The subset (RFC 8949): unsigned and negative integers up to 64 bits, byte and text strings, arrays,
maps, ``false``, ``true`` and ``null``; tags only on the outermost item (COSE's tag 18). Everything
is definite-length and in **core deterministic encoding** (§4.2.1): integers and lengths in their
shortest form, map keys unique and sorted bytewise by their encoding. Anything else is refused
while decoding, so a byte string that decodes is the one encoding of its value, and re-encoding it
gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 8  # a credential nests three deep; the limit is shared with the page


class CborProblem(ValueError):
    """Bytes that are not CBOR of our subset; ``problem`` is the shared code."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Tag:
    """A tagged item (only ever the outermost one)."""

    tag: int
    value: Any


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(f"{n} does not fit 64 bits")


def encode(value: Any) -> bytes:
    """Deterministic CBOR of ``value`` (int, bytes, str, list/tuple, dict, bool, None, Tag)."""
    if value is False:
        return b"\xf4"
    if value is True:
        return b"\xf5"
    if value is None:
        return b"\xf6"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes | bytearray):
        return _head(2, len(value)) + bytes(value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list | tuple):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        items = sorted((encode(k), encode(v)) for k, v in value.items())
        return _head(5, len(items)) + b"".join(k + v for k, v in items)
    if isinstance(value, Tag):
        return _head(6, value.tag) + encode(value.value)
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise CborProblem("truncated")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def argument(self, info: int) -> int:
        if info < 24:
            return info
        if info > 27:
            raise CborProblem("indefinite-length" if info == 31 else "not-cbor")
        size = 1 << (info - 24)
        n = int.from_bytes(self.take(size), "big")
        if n < (24 if size == 1 else 1 << (4 * size)):
            raise CborProblem("not-deterministic")  # not the shortest form
        return n

    def item(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise CborProblem("too-deep")
        first = self.take(1)[0]
        major, info = first >> 5, first & 31
        if major == 7:
            simple = {20: False, 21: True, 22: None}
            if info not in simple:
                raise CborProblem("unsupported-type")
            return simple[info]
        n = self.argument(info)
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major in (2, 3):
            raw = self.take(n)
            if major == 2:
                return raw
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise CborProblem("bad-utf8") from err
        if major == 4:
            if n > len(self.data) - self.pos:
                raise CborProblem("truncated")
            return [self.item(depth + 1) for _ in range(n)]
        if major == 5:
            return self.map(n, depth)
        if depth > 0:  # major 6
            raise CborProblem("unsupported-tag")
        return Tag(n, self.item(depth + 1))

    def map(self, n: int, depth: int) -> dict[Any, Any]:
        if n > len(self.data) - self.pos:
            raise CborProblem("truncated")
        out: dict[Any, Any] = {}
        previous = b""
        for _ in range(n):
            start = self.pos
            key = self.item(depth + 1)
            encoded = self.data[start : self.pos]
            if isinstance(key, bool) or key is None or not isinstance(key, int | str | bytes):
                raise CborProblem("map-key-type")
            if previous and encoded <= previous:
                raise CborProblem("duplicate-key" if encoded == previous else "not-deterministic")
            previous = encoded
            out[key] = self.item(depth + 1)
        return out


def decode(data: bytes) -> Any:
    """The value of ``data``, which must be exactly one item of our subset; else ``CborProblem``."""
    reader = _Reader(bytes(data))
    value = reader.item(0)
    if reader.pos != len(reader.data):
        raise CborProblem("trailing-bytes")
    return value
