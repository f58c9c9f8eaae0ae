"""Certificate files rendered in worker processes while the issuing process numbers and signs.

A certificate's files (``.cose``, QR PNG and SVG, one-page PDF) take about ten times longer than
numbering, signing and recording it, almost all of it in reportlab, which holds the GIL. So the
files of each committed chunk go to worker processes, one per core, and the issuing process goes
on with the next chunk; ``bench/roster_bench.py`` measures the gain. Each worker encodes the QR
symbol and draws the certificate's page once: its one-page PDF comes back to the issuing process,
which binds it into the batch PDF (``pdf_book``) instead of drawing the page a second time.

The workers are forked when the renderer starts, before the issuing process starts any thread
(forking a process with threads can copy a held lock), with the fonts already loaded, so they
start at once and import nothing. They never touch the register's connection.

Crash safety is unchanged: files are written only after their certificates are committed, each
one atomically (``files.write_all_atomic``: a piece's files flushed to disk together, then given
their names), and a run that dies leaves only missing files, which the next run of the same roster
regenerates. Workers die with the process that started them (Linux: ``PR_SET_PDEATHSIG``), so that
a killed issuer leaves no worker writing behind it; a killed worker leaves no half-written file
(written without a name where the file system can; else under a temporary name after its process,
which the next run removes).

Workers report a refusal (a ``.cose`` file of another credential) as text, not as a pickled
exception, and the issuing process raises it.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from credentials.credential import qr
from credentials.errors import CredentialsError, RegisterError
from credentials.issuing import certificate_pdf, files
from credentials.issuing.pdf_book import PdfBook
from credentials.issuing.register import Entry, fsync_folder

_PR_SET_PDEATHSIG = 1
# Fewer rows than this are rendered in the issuing process: starting workers costs about 0.4 s.
PARALLEL_FROM = 48


def _die_with_parent() -> None:
    """Worker initialiser: be killed when the issuing process dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before the call
        os._exit(1)


_Refusal = tuple[str, str] | None
_Page = tuple[tuple[str, int], bytes]  # a certificate's (number, version) and its one-page PDF
_Result = tuple[_Refusal, list[_Page]]
_Pending = tuple[concurrent.futures.Future[_Result], int]  # a piece of work, the rows it counts


def write_all(
    entries: Sequence[Entry], out: Path, ctx: files.Context, *, write: bool = True
) -> _Result:
    """Write the files of ``entries`` (``write=False``: only make their PDFs, for the batch PDF);
    returns each one's PDF, or a refusal as ``(en, zh)`` (an ``OSError`` is raised as itself)."""
    pages: list[_Page] = []
    try:
        items: list[tuple[Path, bytes]] = []
        for entry in entries:
            code = qr.make(ctx.site_url, entry.credential)
            made = files.contents(entry, out, ctx, code) if write else []
            items += made
            pdf = made[-1][1] if made else files.pdf(entry, ctx, code)
            pages.append(((entry.number, entry.version), pdf))
        if items:  # every file of the piece flushed to disk at once, then named
            files.write_all_atomic(items)
            fsync_folder(out)
    except CredentialsError as err:
        return (str(err), err.zh or str(err)), []
    return None, pages


class Renderer:
    """Writes the files of committed certificates: in worker processes for a large roster, in
    this process for a small one; and binds their pages into the batch PDF (``book``).
    ``submit`` returns at once; ``wait`` returns how many certificates' files were written since
    the last call, and raises the first failure."""

    def __init__(self, out: Path, ctx: files.Context, *, rows: int) -> None:
        self.out = out
        self.ctx = ctx
        self.binding: tuple[Path, str] | None = None
        self.book: PdfBook | None = None
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.pending: list[_Pending] = []
        self.workers = os.cpu_count() or 1
        if rows >= PARALLEL_FROM and self.workers > 1 and sys.platform != "win32":
            certificate_pdf.cjk_font()  # loaded once, inherited by the workers
            self.pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_die_with_parent,
            )
            self.pool.submit(os.getpid).result()  # every worker forked now, before any thread

    def bind(self, path: Path, *, title: str) -> None:
        """From now on, every certificate's page goes into the batch PDF at ``path`` (its file
        is started with the first page: after the first certificates are committed)."""
        self.binding = (path, title)

    def submit(self, entries: Sequence[Entry], *, rows: int, write: bool = True) -> None:
        """Write the files of ``entries`` (``write=False``: their pages only, for the batch PDF);
        ``rows`` is what the progress counts when they are written."""
        work = list(entries)
        if not work or self.pool is None:
            future: concurrent.futures.Future[_Result] = concurrent.futures.Future()
            future.set_result(write_all(work, self.out, self.ctx, write=write))
            self.pending.append((future, rows))
            return
        # in pieces, so that every worker is busy until the last file; each piece counts its
        # own certificates (the first also the chunk's rows issued before, which have no files)
        step = max(1, -(-len(work) // self.workers))
        extra = rows - len(work)
        for i in range(0, len(work), step):
            piece = work[i : i + step]
            future = self.pool.submit(write_all, piece, self.out, self.ctx, write=write)
            self.pending.append((future, len(piece) + (extra if i == 0 else 0)))

    def _take(self, result: _Result) -> None:
        refusal, pages = result
        _raise(refusal)
        if self.binding is None or not pages:
            return
        if self.book is None:
            path, title = self.binding
            self.book = PdfBook(path, title=title)
        for key, pdf in pages:
            self.book.add(key, pdf)

    def ready(self) -> int:
        """How many certificates' files are written among those not yet counted (no waiting)."""
        done: list[_Pending] = []
        waiting: list[_Pending] = []
        for f, n in self.pending:
            (done if f.done() else waiting).append((f, n))
        self.pending = waiting
        for f, _ in done:
            self._take(f.result())
        return sum(n for _, n in done)

    def wait(self) -> int:
        """Wait for every submitted file; how many rows are counted now."""
        count = 0
        for future, n in self.pending:
            self._take(future.result())
            count += n
        self.pending = []
        return count

    def finish(self) -> tuple[Path | None, int]:
        """Close the batch PDF (after ``wait``): its path and page count (None, 0: no page, no
        file)."""
        book, self.book, self.binding = self.book, None, None
        return (book.path, book.close()) if book is not None else (None, 0)

    def close(self) -> None:
        if self.book is not None:
            self.book.abort()
            self.book = None
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _raise(refusal: _Refusal) -> None:
    if refusal is not None:
        raise RegisterError(refusal[0], zh=refusal[1])
