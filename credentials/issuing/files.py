"""The files of an issued certificate: credential, QR code (PNG, SVG) and printable PDF.

Written only after the register committed the credential, each atomically (a temporary file
flushed to disk, then a rename, then the folder flushed), so a file that exists is complete; ``missing`` tells which certificates need theirs
(re)generated after a crash.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import secrets
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from credentials import cose
from credentials.credential import qr, qrsymbol
from credentials.credential.claims import Credential, IdType
from credentials.errors import CredentialsError, RegisterError
from credentials.issuing import certificate_pdf
from credentials.issuing.pdf_book import PdfBook
from credentials.issuing.register import Entry, fsync_folder, temporary_beside
from credentials.keys import VerifyKey
from credentials.levels import Level
from credentials.registry.model import Institution
from credentials.registry.registry import Registry

SUFFIXES = (".cose", ".png", ".svg", ".pdf")


@dataclass(frozen=True, slots=True)
class Context:
    """What every certificate of an institution shares: the site its QR codes open, its names,
    the query URLs printed (the national ones of the reference style, and the bureau's own
    verification page), how a missing job is written in its province, and its seal."""

    site_url: str
    institution_name: str
    institution_name_en: str | None
    certificate_query_url: str | None  # 证书信息查询网址 (national)
    institution_query_url: str | None  # 机构信息查询网址 (national)
    verify_url: str | None = None  # the bureau's own verification page
    no_job_text: str = "--"
    seal: Path | None = None

    @classmethod
    def of(cls, registry: Registry, inst: Institution, *, seal: Path | None = None) -> Context:
        """The context of an institution's certificates, from the bureau's settings."""
        bureau = registry.bureau
        rules = bureau.provinces.get(inst.province) if bureau else None
        return cls(
            site_url=bureau.site_url if bureau else "https://skillcert.example.org",
            institution_name=inst.name,
            institution_name_en=inst.name_en,
            certificate_query_url=bureau.national_certificate_query_url if bureau else None,
            institution_query_url=bureau.national_institution_query_url if bureau else None,
            verify_url=bureau.certificate_query_url if bureau else None,
            no_job_text=rules.no_job_text if rules else "--",
            seal=seal,
        )


def stem(entry: Entry) -> str:
    """``<number>-v<version>``."""
    return f"{entry.number}-v{entry.version}"


def paths(entry: Entry, out: Path) -> list[Path]:
    """The four files of a certificate."""
    return [out / f"{stem(entry)}{suffix}" for suffix in SUFFIXES]


def missing(entry: Entry, out: Path) -> bool:
    """Whether any file of the certificate is absent, empty, or (the ``.cose``) not its credential."""
    try:
        files = paths(entry, out)
        if not all(p.is_file() and p.stat().st_size > 0 for p in files):
            return True
        return files[0].read_bytes() != entry.credential
    except OSError:
        return True


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see all of it or nothing."""
    write_all_atomic([(path, data)])


def write_all_atomic(items: Sequence[tuple[Path, bytes]]) -> None:
    """Write each ``(path, data)`` so that readers see all of a file or nothing: every file is
    written, flushed to disk, and only then given its name.

    Many files (a piece of a roster) are flushed together: one ``syncfs`` of their file system
    where the system has it (Linux), instead of one ``fsync`` each (each waits for the disk's
    journal: half the time of a certificate's four files). Where the file system can, they are
    written without a name (``O_TMPFILE``) and named once on disk (``_write_unnamed``); else
    under temporary names, named after this process (``register.temporary_beside``, for
    ``remove_stale``), renamed once on disk.
    """
    together = len(items) > 1 and _SYNCFS is not None
    if together and _UNNAMED[0] and _write_unnamed(items):
        return
    written: list[tuple[Path, Path]] = []
    try:
        for path, data in items:
            fd, tmp = temporary_beside(path)
            written.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if not together:
                    fh.flush()
                    os.fsync(fh.fileno())
        if together:
            _flush_file_system({path.parent for _, path in written})
        for tmp, path in written:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        raise


# Whether files may be written without a name (Linux: O_TMPFILE, and /proc to name them by); set
# to False the first time a file system refuses it.
_UNNAMED = [sys.platform.startswith("linux") and hasattr(os, "O_TMPFILE")
            and os.path.isdir("/proc/self/fd")]  # fmt: skip
_NOT_HERE = (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL)  # what a kernel says without O_TMPFILE


def _write_unnamed(items: Sequence[tuple[Path, bytes]]) -> bool:
    """Write ``items`` as files without a name in their folders, flush their file systems, then
    give each its name (``linkat``): one directory entry each, not a temporary name made and then
    renamed (measured: a third of the time of writing a certificate's four files). A process
    killed before the names leaves nothing behind. False, with nothing written, where the file
    system cannot (the caller then writes them under temporary names)."""
    folders: dict[Path, int] = {}
    unnamed: list[tuple[int, Path]] = []
    try:
        for path, data in items:
            if path.parent not in folders:
                folders[path.parent] = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                fd = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY, 0o600)
            except OSError as err:
                if err.errno not in _NOT_HERE:
                    raise
                _UNNAMED[0] = False
                return False
            unnamed.append((fd, path))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        for folder, fd in folders.items():  # already open: not opened again to be flushed
            _flush_file_system_of(fd, folder)
        for fd, path in unnamed:
            _name(fd, folders[path.parent], path)
    finally:
        for fd, _ in unnamed:
            os.close(fd)
        for fd in folders.values():
            os.close(fd)
    return True


def _name(fd: int, folder: int, path: Path) -> None:
    """Give the unnamed file ``fd`` the name ``path`` (in the open ``folder``); a file already
    there (written again) is replaced at once: linked under a temporary name, then renamed."""
    source = f"/proc/self/fd/{fd}"
    try:
        os.link(source, path.name, dst_dir_fd=folder)
    except FileExistsError:
        while True:
            temporary = f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            try:
                os.link(source, temporary, dst_dir_fd=folder)
                break
            except FileExistsError:
                continue
        os.replace(temporary, path.name, src_dir_fd=folder, dst_dir_fd=folder)


def _find_syncfs() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        call: Callable[[int], int] = libc.syncfs
    except (OSError, AttributeError):
        return None
    return call


_SYNCFS = _find_syncfs()


def _flush_file_system(folders: Iterable[Path]) -> None:
    """Everything written to the file systems of ``folders`` on disk (``syncfs``)."""
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY)
        try:
            _flush_file_system_of(fd, folder)
        finally:
            os.close(fd)


def _flush_file_system_of(fd: int, folder: Path) -> None:
    """Everything written to the file system of the open ``folder`` on disk (``syncfs``)."""
    assert _SYNCFS is not None
    if _SYNCFS(fd) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), str(folder))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(out: Path) -> int:
    """Remove the temporary files that processes which no longer run left in ``out`` (a crash
    while writing); files of a process still running (another issuer) are left alone."""
    removed = 0
    for stale in out.glob(".*.tmp"):
        parts = stale.name.split(".")
        # a process id as this module writes it (ASCII digits, a C int): "²" is a digit to
        # isdigit() and int() refuses it; a 30-digit number overflows os.kill
        field = parts[-3] if len(parts) >= 4 else ""
        pid = int(field) if field.isascii() and field.isdigit() and len(field) <= 9 else None
        if pid is not None and _alive(pid):
            continue
        stale.unlink(missing_ok=True)
        removed += 1
    return removed


def page(
    entry: Entry, ctx: Context, code: qrsymbol.Symbol | None = None
) -> certificate_pdf.CertificatePage:
    """The printed certificate of an entry."""
    qr_code = code if code is not None else qr.make(ctx.site_url, entry.credential)
    level = Level(entry.level)
    return certificate_pdf.CertificatePage(
        holder=entry.holder,
        id_type_zh=IdType(entry.id_type).zh,
        id_number=entry.id_number,
        occupation_name=entry.occupation_name,
        job=entry.job,
        level_zh=level.zh,
        level_en=level.en,
        number=entry.number,
        version=entry.version,
        issued=entry.issued,
        institution_name=ctx.institution_name,
        institution_name_en=ctx.institution_name_en,
        qr_matrix=qr_code.matrix,
        certificate_query_url=ctx.certificate_query_url,
        institution_query_url=ctx.institution_query_url,
        verify_url=ctx.verify_url,
        no_job_text=ctx.no_job_text,
        seal=ctx.seal,
        photo=Path(entry.photo) if entry.photo else None,
    )


def matches(entry: Entry, public_key: VerifyKey) -> bool:
    """Whether the register's credential is the one it says: signed by ``public_key`` and
    carrying the entry's number, version, holder, occupation, job, level and date."""
    try:
        message = cose.parse_sign1(entry.credential)
        cred = Credential.from_claims(cose.decode(message.payload))
    except CredentialsError:
        return False
    same = (str(cred.number), cred.version, cred.holder, int(cred.id_type), cred.occupation,
            cred.job, int(cred.level), cred.issued) == (entry.number, entry.version, entry.holder,
            entry.id_type, entry.occupation, entry.job, entry.level, entry.issued)  # fmt: skip
    return same and cose.verify_signature(message, public_key)


def foreign(entry: Entry, out: Path) -> bool:
    """Whether the certificate's ``.cose`` file holds another whole credential (from another
    register); an empty, cut-short or damaged file is not foreign and may be written again."""
    try:
        data = paths(entry, out)[0].read_bytes()
    except OSError:
        return False
    if data == entry.credential:
        return False
    try:
        Credential.from_claims(cose.decode(cose.parse_sign1(data).payload))
    except CredentialsError:
        return False
    return True


def write(entry: Entry, out: Path, ctx: Context, code: qrsymbol.Symbol | None = None) -> None:
    """Write (or rewrite) all four files of a certificate (``code``: its QR symbol when already
    encoded), and flush the folder; a ``.cose`` file already there with a different whole
    credential is never overwritten (another register's certificate)."""
    write_all_atomic(contents(entry, out, ctx, code))
    fsync_folder(out)


def contents(
    entry: Entry, out: Path, ctx: Context, code: qrsymbol.Symbol | None = None
) -> list[tuple[Path, bytes]]:
    """The four files of a certificate, path and bytes, to write (``write_all_atomic``);
    refused when its ``.cose`` file holds another whole credential (another register's)."""
    out.mkdir(parents=True, exist_ok=True)
    cose_path = paths(entry, out)[0]
    if foreign(entry, out):
        raise RegisterError(
            f"{cose_path} holds a different credential (from another register?); not overwritten",
            zh=f"{cose_path} 中是另一份证书（来自另一个发证名册？），不会覆盖",
        )
    code = code or qr.make(ctx.site_url, entry.credential)
    cose_path, png_path, svg_path, pdf_path = paths(entry, out)
    return [
        (cose_path, entry.credential),
        (png_path, qr.render_png(code)),
        (svg_path, qr.render_svg(code)),
        (pdf_path, pdf(entry, ctx, code)),
    ]


def pdf(entry: Entry, ctx: Context, code: qrsymbol.Symbol | None = None) -> bytes:
    """The certificate's own one-page PDF."""
    return certificate_pdf.render([page(entry, ctx, code)])


def write_batch_pdf(entries: Iterable[Entry], path: Path, ctx: Context) -> int:
    """One PDF with every certificate, ready to print, bound from each certificate's own PDF
    (``pdf_book``); returns the page count."""
    book = PdfBook(path, title=f"职业技能等级证书 {path.stem}")
    try:
        for e in entries:
            book.add((e.number, e.version), pdf(e, ctx))
    except BaseException:
        book.abort()
        raise
    return book.close()
