"""The batch PDF, bound from the certificates' own PDFs (``PdfBook``).

A roster prints every certificate twice: its own one-page PDF and a page of the batch PDF that
prints them all. The page is drawn once (``certificate_pdf.render``, in the renderer's worker
processes); the batch PDF is bound from those same pages: each page's objects are copied into one
file under new numbers, and the objects that are byte for byte the same in every certificate of
the institution (the template's font subset, its widths and character map, the standard fonts,
the seal) are stored once, found by their hash. Each holder's own font subset stays apart, under a
subset tag of its own (viewers may take two subsets with one tag for the same font). An object
met a second time is remembered by its bytes and its place in the certificate's file: the next
time it is there, and what it refers to is stored where it was, it is known without being read
or hashed again (the template's 38 KB font program in every certificate: 0.28 → 0.18 ms a page).

Pages are added in any order (as the workers finish them) and printed in the order of their keys
(certificate number, version). The file is written under a temporary name beside its own
(``register.temporary_beside``, which ``files.remove_stale`` cleans up after a crash), flushed to
disk and renamed when it is complete (the folder flushed too), so a batch PDF that exists is whole.

Only PDFs this program wrote are read (reportlab's output: a classic cross-reference table, one
page, direct stream lengths); anything else is refused with ``CredentialsError``.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import BinaryIO

from credentials.errors import CredentialsError
from credentials.issuing import pdf_writer
from credentials.issuing.register import fsync_folder, temporary_beside

_REF = re.compile(rb"(\d+) 0 R\b")
_TAG = re.compile(rb"/(FontName|BaseFont) /[A-Z]{6}\+")
_FONT_FILE = re.compile(rb"/FontFile[23]? (\d+) 0 R")
_DESCRIPTOR = re.compile(rb"/FontDescriptor (\d+) 0 R")
_PARENT = re.compile(rb"/Parent \d+ 0 R")
_LENGTH = re.compile(rb"/Length (\d+)")


class _Unreadable(Exception):
    """A PDF this module cannot bind (not one ``certificate_pdf`` wrote)."""


class _Object:
    __slots__ = ("head", "stop", "stream")

    def __init__(self, head: bytes, stream: bytes | None, stop: int) -> None:
        self.head = head  # the dictionary (or other value) before any stream
        self.stream = stream
        self.stop = stop  # where its value (or stream) ends in the file


_TOKENS = re.compile(rb"<<|>>|\(|endobj")


def _value_end(data: bytes, at: int) -> int:
    """Where the PDF value starting at ``at`` ends (a dictionary: after its ``>>``; anything
    else: at its ``endobj``); strings inside are skipped whole."""
    depth, pos = 0, at
    while (m := _TOKENS.search(data, pos)) is not None:
        token, pos = m[0], m.end()
        if token == b"(":
            pos = _string_end(data, pos)
        elif token == b"<<":
            depth += 1
        elif token == b">>":
            depth -= 1
            if depth == 0:
                return pos
        elif depth == 0:  # endobj
            return m.start()
    raise _Unreadable("a value runs past the end of the file")


def _string_end(data: bytes, at: int) -> int:
    """Past the ``)`` that closes the literal string whose ``(`` is just before ``at``."""
    level, i, n = 1, at, len(data)
    while level and i < n:
        c = data[i]
        if c == 0x5C:  # a backslash escapes the next byte
            i += 1
        elif c == 0x28:
            level += 1
        elif c == 0x29:
            level -= 1
        i += 1
    return i


def _object(pdf: bytes, number: int, offset: int) -> _Object:
    header = f"{number} 0 obj".encode()
    if not pdf.startswith(header, offset):
        raise _Unreadable(f"object {number} is not where the cross-reference table says")
    start = offset + len(header)
    end = _value_end(pdf, start)
    head = pdf[start:end].strip()
    rest = pdf[end : end + 16].lstrip()
    if not rest.startswith(b"stream"):
        return _Object(head, None, end)
    length = _LENGTH.search(head)
    if length is None:
        raise _Unreadable(f"object {number}'s stream has no direct length")
    begin = pdf.index(b"stream", end) + 6
    begin += 2 if pdf.startswith(b"\r\n", begin) else 1
    data = pdf[begin : begin + int(length[1])]
    if not pdf[begin + len(data) :].lstrip().startswith(b"endstream"):
        raise _Unreadable(f"object {number}'s stream is not as long as it says")
    return _Object(head, data, begin + len(data))


class _Pdf:
    """A one-page PDF's objects, read when asked for, and the number of its page."""

    def __init__(self, pdf: bytes) -> None:
        found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf[-64:])
        if not pdf.startswith(b"%PDF-") or found is None:
            raise _Unreadable("not a PDF file")
        at = int(found[1])
        table = re.match(rb"xref\s+0 (\d+)\s+", pdf[at : at + 32])
        if table is None:
            raise _Unreadable("no cross-reference table")
        count, rows = int(table[1]), at + table.end()
        self.pdf = pdf
        self.offsets: dict[int, int] = {}
        for number in range(1, count):
            row = pdf[rows + 20 * number : rows + 20 * number + 18]
            if row.endswith(b"n"):
                self.offsets[number] = int(row[:10])
        root = re.search(rb"/Root (\d+) 0 R", pdf[rows + 20 * count :])
        pages = re.search(rb"/Pages (\d+) 0 R", self[int(root[1])].head) if root else None
        kids = _REF.findall(self[int(pages[1])].head) if pages else []
        if len(kids) != 1:
            raise _Unreadable("not a one-page certificate")
        self.page = int(kids[0])

    def __getitem__(self, number: int) -> _Object:
        if number not in self.offsets:
            raise _Unreadable(f"object {number} is not in the cross-reference table")
        return _object(self.pdf, number, self.offsets[number])


def _tag(number: int) -> bytes:
    """A subset tag (six capital letters) for the font program stored as object ``number``."""
    letters = bytearray()
    for _ in range(6):
        number, digit = divmod(number, 26)
        letters.append(65 + digit)
    return bytes(reversed(letters))


class PdfBook:
    """A batch PDF being bound: ``add`` each certificate's PDF, then ``close`` (or ``abort``)."""

    def __init__(self, path: Path, *, title: str) -> None:
        self.path = path
        self.title = title
        fd, self._tmp = temporary_beside(path)
        self._out: BinaryIO = os.fdopen(fd, "wb")
        self._offsets: dict[int, int] = {}
        self._stored: dict[bytes, int] = {}  # an object's hash -> its number here
        self._tags: dict[int, bytes] = {}  # a font descriptor here -> its subset tag
        # objects stored once and met again, by (number, offset) in a certificate's file: their
        # bytes there, the objects they refer to (there, and here) and their number here
        self._again: dict[tuple[int, int], tuple[bytes, list[int], list[int], int]] = {}
        self._pages: list[tuple[tuple[str, int], int]] = []
        self._next = pdf_writer.INFO + 1
        self._write(pdf_writer.HEADER)

    def _write(self, data: bytes) -> None:
        self._out.write(data)

    def _store(self, number: int, head: bytes, stream: bytes | None) -> None:
        parts = [f"{number} 0 obj\n".encode(), head]
        if stream is not None:
            parts += [b"\nstream\n", stream, b"\nendstream"]
        parts.append(b"\nendobj\n")
        self._put(number, b"".join(parts))

    def _put(self, number: int, data: bytes) -> None:
        """Object ``number``, whole, written next."""
        self._offsets[number] = self._out.tell()
        self._write(data)

    def add(self, key: tuple[str, int], pdf: bytes) -> None:
        """Bind the page of ``pdf`` (one certificate's PDF), printed in the order of ``key``."""
        try:
            source = _Pdf(pdf)
            number = self._place(source, source.page, {}, set())
        except (_Unreadable, ValueError) as err:
            raise CredentialsError(
                f"cannot bind the PDF of {key[0]} v{key[1]} into {self.path.name}: {err}",
                zh=f"无法把 {key[0]} 第 {key[1]} 版的 PDF 装订进 {self.path.name}：{err}",
            ) from err
        self._pages.append((key, number))

    def _place(self, source: _Pdf, number: int, placed: dict[int, int], visiting: set[int]) -> int:
        """Object ``number`` of a certificate's PDF stored here, after what it refers to (an
        object stored before with the same bytes is not stored again); its number here."""
        if number in placed:
            return placed[number]
        if number in visiting:
            raise _Unreadable(f"object {number} refers back to itself")
        visiting.add(number)
        here = self._seen_again(source, number, placed, visiting)
        if here is None:
            here = self._store_or_find(source, number, placed, visiting)
        visiting.discard(number)
        placed[number] = here
        return here

    def _seen_again(
        self, source: _Pdf, number: int, placed: dict[int, int], visiting: set[int]
    ) -> int | None:
        """Its number here when the object has the very bytes, at the very place, of one stored
        before and met again (the template's font subset in every certificate), and what it
        refers to is stored where that one's was: the same object, found without reading it."""
        offset = source.offsets.get(number)
        again = self._again.get((number, offset)) if offset is not None else None
        if again is None or not source.pdf.startswith(again[0], offset):
            return None
        _, refs, refs_here, here = again
        same = all(
            self._place(source, r, placed, visiting) == h
            for r, h in zip(refs, refs_here, strict=True)
        )
        return here if same else None

    def _store_or_find(
        self, source: _Pdf, number: int, placed: dict[int, int], visiting: set[int]
    ) -> int:
        obj = source[number]
        page = number == source.page
        refs = [int(r) for r in _REF.findall(obj.head)]
        head = _PARENT.sub(b"/Parent \0", obj.head) if page else obj.head
        head = _REF.sub(
            lambda m: b"%d 0 R" % self._place(source, int(m[1]), placed, visiting), head
        )
        if page:  # the page tree is this book's
            return self._new(
                head.replace(b"/Parent \0", b"/Parent %d 0 R" % pdf_writer.PAGES), obj.stream
            )
        tag = None
        if b"/Type /FontDescriptor" in head and (program := _FONT_FILE.search(head)):
            tag = _tag(int(program[1]))  # one tag per font program stored here
        elif b"/Type /Font" in head and (descriptor := _DESCRIPTOR.search(head)):
            tag = self._tags.get(int(descriptor[1]))
        if tag is not None:
            head = _TAG.sub(lambda m: b"/" + m[1] + b" /" + tag + b"+", head)
        digest = hashlib.sha256(head + (b"\0N" if obj.stream is None else b"\0S"))
        if obj.stream is not None:
            digest.update(obj.stream)
        key = digest.digest()
        found = self._stored.get(key)
        if found is not None:  # met again: next time, known by its bytes
            offset = source.offsets[number]
            raw = source.pdf[offset : obj.stop]
            self._again[(number, offset)] = (raw, refs, [placed[r] for r in refs], found)
            return found
        here = self._stored[key] = self._new(head, obj.stream)
        if tag is not None and b"/Type /FontDescriptor" in head:
            self._tags[here] = tag
        return here

    def _new(self, head: bytes, stream: bytes | None) -> int:
        here = self._next
        self._next += 1
        self._store(here, head, stream)
        return here

    def close(self) -> int:
        """Write the page tree and the cross-reference table, flush the file to disk and give it
        its name; returns the page count."""
        if not self._pages:
            self.abort()
            raise ValueError("a batch PDF needs at least one page")
        kids = [n for _, n in sorted(self._pages)]
        numbers = (pdf_writer.CATALOG, pdf_writer.PAGES, pdf_writer.INFO)
        for number, data in zip(
            numbers, pdf_writer.document_objects(kids, self.title), strict=True
        ):
            self._put(number, data)
        offsets = [self._offsets[n] for n in range(1, self._next)]
        self._write(pdf_writer.cross_reference(offsets, self._out.tell()))
        try:
            self._out.flush()
            os.fsync(self._out.fileno())
            self._out.close()
            os.replace(self._tmp, self.path)
            fsync_folder(self.path.parent)
        except BaseException:
            self.abort()
            raise
        return len(self._pages)

    def abort(self) -> None:
        """Give up: the temporary file is removed, nothing is left under the book's name."""
        self._out.close()
        self._tmp.unlink(missing_ok=True)
