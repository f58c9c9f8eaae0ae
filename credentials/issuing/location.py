"""Where an institution's issuance register lives: one place per institution, known to the tool.

A second register for the same institution restarts its serials at 000001 and gives two people the
same number, so the register is not a file in whatever folder a command runs in:

- by default it sits beside the institution's signing key (``<key folder>/<filing>-register.sqlite``:
  the folder that holds private material and is never published);
- every register opened for writing is recorded in a small index, ``registers.json`` in the
  skillcert home folder (``$SKILLCERT_HOME``, default ``~/.config/skillcert``), one path per
  institution;
- opening a different register for an institution whose known register still exists is refused,
  and so is starting a new one when the known register has disappeared (restore it from its
  backup, or confirm ``new_register=True`` after checking the published issuance record);
- a register, and any other file holding ID numbers, is never placed in a published folder
  (the registry, the site's sources, a built site).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if sys.platform != "win32":
    import fcntl

from credentials.errors import CredentialsError, RegisterError

INDEX = "registers.json"


def default_path(key_path: Path, filing: str) -> Path:
    """The register of ``filing`` beside its signing key."""
    return key_path.resolve().parent / f"{filing}-register.sqlite"


def refuse_published(path: Path, published: tuple[Path, ...], *, what: str, what_zh: str) -> None:
    """Refuse to put personal data (ID numbers) anywhere under a published folder."""
    target = path.resolve()
    for folder in published:
        where = folder.resolve()
        if target == where or where in target.parents:
            raise CredentialsError(
                f"refusing to put the {what} under {folder}: it is published, and the {what} "
                "holds every holder's ID number",
                zh=f"拒绝把{what_zh}放在 {folder} 下：该目录会被公开，而{what_zh}含有持证人的证件号码",
            )


def _read(home: Path) -> dict[str, str]:
    try:
        data = json.loads((home / INDEX).read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise RegisterError(
            f"the register index {home / INDEX} is damaged: {err}",
            zh=f"发证名册索引 {home / INDEX} 已损坏",
        ) from err
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def known(home: Path) -> dict[str, Path]:
    """Every institution's known register."""
    return {filing: Path(path) for filing, path in _read(home).items()}


def claim(filing: str, path: Path, *, home: Path, new_register: bool = False) -> None:
    """Record ``path`` as the register of ``filing``; refuse when another one is known. Two
    processes claiming at once (two institutions on one machine) take turns, so neither's entry
    is lost."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        with _locked(home):
            _claim(filing, path, home=home, new_register=new_register)
    except OSError as err:
        raise RegisterError(
            f"cannot record the register in {home / INDEX}: {err.strerror}",
            zh=f"无法在 {home / INDEX} 中登记发证名册",
        ) from err


@contextmanager
def _locked(home: Path) -> Iterator[None]:
    """An exclusive lock on the index while it is read and rewritten (where the system has
    ``flock``; elsewhere a lone process)."""
    if sys.platform == "win32":
        yield
        return
    fd = os.open(home / f".{INDEX}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _claim(filing: str, path: Path, *, home: Path, new_register: bool) -> None:
    index = _read(home)
    target = str(path.resolve())
    previous = index.get(filing)
    if previous is not None and previous != target:
        if Path(previous).exists():
            raise RegisterError(
                f"the register of {filing} is {previous}; issuing from another register would "
                "reuse its numbers: give --register " + previous,
                zh=f"{filing} 的发证名册在 {previous}；用另一个名册签发会重复使用证书编号，"
                f"请用 --register {previous}",
            )
        if not new_register:
            raise RegisterError(
                f"the register of {filing}, {previous}, is gone: restore it from its backup "
                "(skillcert register backup), or start a new one with --new-register after "
                "checking the published issuance record",
                zh=f"{filing} 的发证名册 {previous} 不见了：请从备份恢复；确认已核对公开的发证记录后，"
                "可用 --new-register 启用新名册",
            )
    if previous == target:
        return
    index[filing] = target
    tmp = home / f".{INDEX}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(index, ensure_ascii=False, indent=2) + "\n", "utf-8")
    os.replace(tmp, home / INDEX)


def find(filing: str | None, home: Path) -> Path:
    """The register to read when none was named: the institution's, or the only one known."""
    registers = known(home)
    if filing is not None and filing in registers:
        return registers[filing]
    if filing is None and len(registers) == 1:
        return next(iter(registers.values()))
    names = "、".join(sorted(registers)) or "none"
    raise RegisterError(
        f"which register? give --register FILE (known: {names})",
        zh=f"请用 --register 指定发证名册（已知机构：{names}）",
    )
