"""skillcert's command line, installed as ``skillcert``.

Thin by design: it parses arguments, calls one library function, prints, and picks the exit code.
Every ``CredentialsError`` becomes a one-line message and exit 1 (``_errors``); usage errors keep
click's exit 2. Only this module reads the clock (``--at`` defaults to today).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from credentials.errors import CredentialsError, RegistryError

F = TypeVar("F", bound=Callable[..., Any])


def _errors(func: F) -> F:
    """Map library errors to a message and exit code 1, in one place."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RegistryError as err:
            from credentials.registry.validate.findings import format_text

            click.echo(format_text(err.issues), err=True)
            raise click.ClickException(str(err)) from err
        except CredentialsError as err:
            raise click.ClickException(str(err)) from err

    return wrapper  # type: ignore[return-value]


def _registry_option(func: F) -> F:
    return click.option(
        "--registry",
        "registry_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("registry"),
        show_default=True,
        help="The registry directory.",
    )(func)


def _at_option(func: F) -> F:
    return click.option(
        "--at",
        "at",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="The date to judge on (YYYY-MM-DD); default: today.",
    )(func)


# Dates in the registry are Beijing dates; "today" is today in China (UTC+8, no daylight saving).
_CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def _day(at: dt.datetime | None) -> dt.date:
    return at.date() if at is not None else dt.datetime.now(tz=_CHINA).date()


def _require_dir(path: Path) -> None:
    if not path.is_dir():
        raise click.UsageError(f"registry directory {path} does not exist (use --registry DIR)")


@click.group()
@click.version_option(package_name="skillcert")
def main() -> None:
    """skillcert: verifiable vocational skill-level certificates (职业技能等级证书)."""


@main.group()
def registry() -> None:
    """The bureau's registry of filed institutions: check, show, diff."""


@registry.command("check")
@_registry_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts, github for Actions annotations.",
)
def registry_check(registry_dir: Path, fmt: str) -> None:
    """Validate every file of the registry; exit 1 on any error (warnings allowed)."""
    from credentials.registry.registry import check_registry
    from credentials.registry.validate.findings import (
        count,
        format_github,
        format_json,
        format_text,
    )

    _require_dir(registry_dir)
    result = check_registry(registry_dir, keep_institutions=False)
    errors, warnings = count(result.findings)
    if fmt == "json":
        click.echo(format_json(result.findings, files=result.files))
    elif fmt == "github":
        if result.findings:
            click.echo(format_github(result.findings))
        click.echo(f"{result.files} files: {errors} error(s), {warnings} warning(s)")
    else:
        if result.findings:
            click.echo(format_text(result.findings))
        verdict = "通过 passed" if errors == 0 else "未通过 failed"
        click.echo(
            f"{verdict}: {result.files} files, {result.valid_institutions} institutions, "
            f"{errors} error(s), {warnings} warning(s)"
        )
    sys.exit(1 if errors else 0)


@registry.command("show")
@click.argument("filing")
@_registry_option
@_at_option
@_errors
def registry_show(filing: str, registry_dir: Path, at: dt.datetime | None) -> None:
    """Show the institution FILING as it stood on a date."""
    from credentials.registry.describe import institution_text
    from credentials.registry.registry import load_registry

    _require_dir(registry_dir)
    reg = load_registry(registry_dir)
    inst = reg.institution(filing.strip().upper())
    if inst is None:
        raise click.ClickException(f"no institution with filing number {filing} in {registry_dir}")
    click.echo(institution_text(inst, reg, _day(at)))


@registry.command("diff")
@click.argument("base")
@click.argument("head", required=False)
@_registry_option
@_errors
def registry_diff(base: str, head: str | None, registry_dir: Path) -> None:
    """Summarise what changes in the registry from BASE to HEAD (default: the working tree).

    Prints Markdown for a pull request; exit 1 when a changed file has errors.
    """
    from credentials.registry.diff import summarize
    from credentials.registry.git import changed_registry

    change = changed_registry(registry_dir, base, head)
    text, ok = summarize(change)
    click.echo(text)
    sys.exit(0 if ok else 1)


# --- keys -------------------------------------------------------------------------------------

_PASSPHRASE_ENV = "SKILLCERT_PASSPHRASE"


def _new_passphrase(*, wanted: bool) -> str | None:
    """A passphrase for a new key file: from the environment, or asked twice."""
    import os

    if not wanted:
        return None
    env = os.environ.get(_PASSPHRASE_ENV)
    if env:
        return env
    value: str = click.prompt(
        "Passphrase for the new key file", hide_input=True, confirmation_prompt=True
    )
    return value


def _institution_file(registry_dir: Path, filing: str) -> Path:
    path = registry_dir / "institutions" / f"{filing}.yaml"
    if not path.is_file():
        raise click.ClickException(f"no registry file for {filing}: {path} does not exist")
    return path


def _refuse_public_places(path: Path, registry_dir: Path) -> None:
    """A private key never goes under registry/ or site/."""
    target = path.resolve()
    for public in (registry_dir.resolve(), Path("site").resolve()):
        if target == public or public in target.parents:
            raise click.UsageError(f"refusing to write a private key under {public}")


def _create_key(
    filing: str, registry_dir: Path, out: Path | None, keys_dir: Path, *, passphrase: bool
) -> tuple[Any, Path]:
    from credentials.keys import SigningKey, save_signing_key

    key = SigningKey.generate()
    path = out or keys_dir / f"{filing}-{key.kid}.key"
    _refuse_public_places(path, registry_dir)
    save_signing_key(key, path, passphrase=_new_passphrase(wanted=passphrase), institution=filing)
    return key, path


def _recheck(registry_dir: Path, file: Path) -> None:
    from credentials.registry.registry import check_registry
    from credentials.registry.validate.findings import format_text

    result = check_registry(registry_dir, keep_institutions=False)
    mine = [f for f in result.findings if Path(f.file).name == file.name]
    if mine:
        click.echo(format_text(mine), err=True)


@main.group()
def keys() -> None:
    """Signing keys: create, list, rotate, mark compromised."""


_keys_dir_option = click.option(
    "--keys-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("keys"),
    show_default=True,
    help="Where private key files are kept.",
)


@keys.command("new")
@click.option("--institution", "filing", help="The institution's filing number.")
@click.option("--bureau", is_flag=True, help="The bureau's snapshot-signing key (bureau.yaml).")
@click.option(
    "--passphrase", is_flag=True, help=f"Encrypt the key file (or set ${_PASSPHRASE_ENV})."
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Key file path.")
@click.option(
    "--print-only", is_flag=True, help="Print the registry snippet; do not edit the file."
)
@click.option("--not-before", type=click.DateTime(formats=["%Y-%m-%d"]), help="Default: today.")
@_keys_dir_option
@_registry_option
@_errors
def keys_new(
    filing: str | None,
    bureau: bool,  # noqa: FBT001
    passphrase: bool,  # noqa: FBT001
    out: Path | None,
    print_only: bool,  # noqa: FBT001
    not_before: dt.datetime | None,
    keys_dir: Path,
    registry_dir: Path,
) -> None:
    """Create a key pair for an institution (or the bureau) and register its public key."""
    from credentials.registry import edit

    if bureau == bool(filing):
        raise click.UsageError("give either --institution FILING or --bureau")
    if bureau:
        from credentials.keys import SigningKey, save_signing_key

        key = SigningKey.generate()
        path = out or keys_dir / f"bureau-snapshot-{key.kid}.key"
        _refuse_public_places(path, registry_dir)
        save_signing_key(key, path, passphrase=_new_passphrase(wanted=passphrase))
        if print_only:
            click.echo(
                f'snapshot_key:\n  kid: "{key.kid}"\n  public_key: "{key.public_key.raw.hex()}"'
            )
        else:
            edit.set_snapshot_key(registry_dir / "bureau.yaml", kid=key.kid,
                                          public_key=key.public_key.raw)  # fmt: skip
            click.echo(f"snapshot key {key.kid} set in {registry_dir / 'bureau.yaml'}")
        click.echo(f"private key: {path} (mode 600; keep it as the SKILLCERT_SNAPSHOT_KEY secret)")
        return
    assert filing is not None
    filing = filing.strip().upper()
    start = _day(not_before)
    target = None if print_only else _institution_file(registry_dir, filing)
    key, path = _create_key(filing, registry_dir, out, keys_dir, passphrase=passphrase)
    click.echo(f"private key: {path} (mode 600; never commit it)")
    public = key.public_key.raw
    if target is None:
        click.echo("add under keys: in the institution's registry file:")
        click.echo(edit.key_snippet(kid=key.kid, public_key=public, not_before=start))
        return
    edit.add_key(target, kid=key.kid, public_key=public, not_before=start)
    click.echo(f"public key {key.kid} added to {target} from {start}: open a pull request")
    _recheck(registry_dir, target)


@keys.command("list")
@_keys_dir_option
@_registry_option
@_at_option
def keys_list(keys_dir: Path, registry_dir: Path, at: dt.datetime | None) -> None:
    """List local key files and what the registry says of each."""
    import json

    from credentials.registry.registry import check_registry

    day = _day(at)
    result = check_registry(registry_dir) if registry_dir.is_dir() else None
    by_kid = {}
    if result is not None:
        for inst in result.institutions.values():
            for k in inst.keys:
                by_kid[k.kid] = (inst, k)
    files = sorted(keys_dir.glob("*.key")) if keys_dir.is_dir() else []
    if not files:
        click.echo(f"no key files in {keys_dir}")
        return
    for path in files:
        try:
            doc = json.loads(path.read_text("utf-8"))
            kid, owner = doc["kid"], doc.get("institution") or "?"
            enc = "encrypted" if doc.get("encryption") else "plain"
        except (OSError, ValueError, KeyError, TypeError):
            click.echo(f"{path}: unreadable key file")
            continue
        found = by_kid.get(kid)
        if found is None:
            state = "not in the registry"
        else:
            inst, entry = found
            window = f"{entry.not_before} – {entry.not_after or '…'}"
            valid = "valid" if entry.valid_on(day) else "not valid"
            comp = f", compromised from {entry.compromised_at}" if entry.compromised_at else ""
            state = f"{inst.filing_number} {window}{comp}: {valid} on {day}"
        click.echo(f"{kid}  {owner}  {enc:9s}  {path}  — {state}")


@keys.command("rotate")
@click.option("--institution", "filing", required=True, help="The institution's filing number.")
@click.option("--date", "date_", type=click.DateTime(formats=["%Y-%m-%d"]), help="Default: today.")
@click.option(
    "--passphrase", is_flag=True, help=f"Encrypt the key file (or set ${_PASSPHRASE_ENV})."
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Key file path.")
@_keys_dir_option
@_registry_option
@_errors
def keys_rotate(
    filing: str,
    date_: dt.datetime | None,
    passphrase: bool,  # noqa: FBT001
    out: Path | None,
    keys_dir: Path,
    registry_dir: Path,
) -> None:
    """New key from DATE; the institution's current keys end the day before."""
    from credentials.registry import edit
    from credentials.registry.registry import check_registry

    filing = filing.strip().upper()
    start = _day(date_)
    target = _institution_file(registry_dir, filing)
    result = check_registry(registry_dir)
    inst = result.institutions.get(filing)
    if inst is None:
        raise click.ClickException(f"{filing} has errors in the registry; fix them first")
    key, path = _create_key(filing, registry_dir, out, keys_dir, passphrase=passphrase)
    edit.add_key(target, kid=key.kid, public_key=key.public_key.raw, not_before=start)
    end = start - dt.timedelta(days=1)
    for entry in inst.keys:
        if entry.not_after is None and entry.not_before <= end:
            edit.set_key_date(target, kid=entry.kid, field="not_after", day=end)
            click.echo(f"key {entry.kid}: not_after {end}")
    click.echo(f"new key {key.kid} from {start}: private key in {path}")
    _recheck(registry_dir, target)


@keys.command("compromised")
@click.argument("kid")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="Certificates signed on or after this date stop verifying.")  # fmt: skip
@_registry_option
@_errors
def keys_compromised(kid: str, since: dt.datetime, registry_dir: Path) -> None:
    """Mark key KID compromised from a date."""
    from credentials.registry import edit

    kid = kid.strip().lower()
    for path in sorted((registry_dir / "institutions").glob("*.yaml")):
        if kid in path.read_text("utf-8") and edit.set_key_date(
            path, kid=kid, field="compromised_at", day=since.date()
        ):
            click.echo(f"key {kid} in {path}: compromised_at {since.date()}; open a pull request")
            _recheck(registry_dir, path)
            return
    raise click.ClickException(f"no key {kid} in {registry_dir}")


# --- verify -------------------------------------------------------------------------------------


def _credential_bytes(source: str) -> bytes:
    """Credential bytes from a file (COSE, QR text, image) or from QR text given directly."""
    from credentials.credential import images, qr
    from credentials.errors import MalformedCredential

    path = Path(source)
    data: bytes
    if source == "-":
        data = sys.stdin.buffer.read()
    elif path.is_file():
        data = path.read_bytes()
    elif "#" in source or source.isdigit():
        return qr.decode_text(source)
    else:
        raise MalformedCredential(f"{source} is not a file, nor QR text")
    if images.looks_like_image(data):
        texts = images.qr_texts(data)
        if not texts:
            raise MalformedCredential("no QR code found in the image")
        return qr.decode_text(texts[0])
    if data[:1] == b"\xd2":  # COSE_Sign1: CBOR tag 18
        return data
    try:
        return qr.decode_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        return data  # binary: let the verifier say what is wrong with it


def _snapshot_registry(location: str, data: bytes, registry_dir: Path, key_hex: str | None) -> Any:
    """The registry of a published snapshot (only the shard the credential's number needs)."""
    from credentials.errors import CredentialsError
    from credentials.registry import snapshot as snap

    if key_hex:
        trusted = bytes.fromhex(key_hex)
    elif (registry_dir / "bureau.yaml").is_file():
        from credentials.registry.validate.check import load_bureau

        bureau = load_bureau((registry_dir / "bureau.yaml").read_bytes())
        if bureau is None:
            raise CredentialsError("bureau.yaml has errors: give --snapshot-key-hex")
        trusted = bureau.snapshot_public_key
    else:
        raise CredentialsError("no bureau key to check the snapshot with: give --snapshot-key-hex")

    def fetch(name: str) -> bytes:
        if location.startswith(("http://", "https://")):
            import urllib.request

            with urllib.request.urlopen(location.rstrip("/") + "/" + name, timeout=30) as resp:
                body: bytes = resp.read()
                return body
        return (Path(location) / name).read_bytes()

    try:
        files = {snap.MANIFEST: fetch(snap.MANIFEST), snap.SIGNATURE: fetch(snap.SIGNATURE)}
    except OSError as err:
        raise CredentialsError(f"cannot read the snapshot at {location}: {err}") from err
    # the province shard of the credential's number (positions 6-7); all shards when unreadable
    import json

    shards = json.loads(files[snap.MANIFEST])["shards"]
    wanted = set(shards)
    try:
        from credentials import cose
        from credentials.credential.claims import number_from_claim

        number = number_from_claim(cose.decode(cose.parse_sign1(data).payload)[1])
        wanted = {number[5:7]} & set(shards) or wanted
    except (CredentialsError, KeyError, TypeError, IndexError):
        pass
    for province in wanted:
        files[shards[province]["path"]] = fetch(shards[province]["path"])
    registry, _ = snap.load(files, trusted_key=trusted, provinces=wanted)
    return registry


@main.command("verify")
@click.argument("source")
@_registry_option
@_at_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--id-number", help="Confirm the holder's ID number against the commitment.")
@click.option("--snapshot", help="Verify against a published registry snapshot (a directory or URL "
              "of snapshot/) instead of a registry checkout; its signature is checked first.")  # fmt: skip
@click.option("--snapshot-key-hex", help="The bureau's snapshot public key (default: from the "
              "registry's bureau.yaml, when there is one).")  # fmt: skip
def verify_cmd(
    source: str,
    registry_dir: Path,
    at: dt.datetime | None,
    as_json: bool,  # noqa: FBT001
    id_number: str | None,
    snapshot: str | None,
    snapshot_key_hex: str | None,
) -> None:
    """Verify a credential: a .cose file, the QR text (URL), or an image with the QR code.

    Exit 0: genuine; 1: not genuine; 2: the input cannot be read.
    """
    import json

    from credentials.credential import commitment
    from credentials.credential.verify import check
    from credentials.errors import CredentialsError
    from credentials.registry.describe import credential_text
    from credentials.registry.registry import load_registry

    try:
        data = _credential_bytes(source)
    except CredentialsError as err:
        click.echo(f"无法读取 unusable input: {err}", err=True)
        sys.exit(2)
    try:
        if snapshot is not None:
            reg = _snapshot_registry(snapshot, data, registry_dir, snapshot_key_hex)
        else:
            _require_dir(registry_dir)
            reg = load_registry(registry_dir)
    except CredentialsError as err:
        raise click.ClickException(str(err)) from err
    report = check(data, reg, at=_day(at))
    id_match = None
    if id_number is not None and report.credential is not None:
        cred = report.credential
        id_match = commitment.matches(cred.id_commitment, cred.id_type, id_number)
    if as_json:
        doc = report.to_dict()
        doc["id_number_matches"] = id_match
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        click.echo(credential_text(report, reg, id_match=id_match))
    sys.exit(0 if report.ok and id_match is not False else 1)


# --- issuing ------------------------------------------------------------------------------------

_register_option = click.option(
    "--register",
    "register_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("register.sqlite"),
    show_default=True,
    help="The issuance register (SQLite).",
)
_out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("certificates"),
    show_default=True,
    help="Where certificate files are written.",
)


def _load_key(path: Path) -> Any:
    """A signing key from a file; the passphrase from the environment or a prompt."""
    import os

    from credentials.errors import KeyFileError
    from credentials.keys import load_signing_key

    passphrase = os.environ.get(_PASSPHRASE_ENV)
    try:
        return load_signing_key(path, passphrase=passphrase)
    except KeyFileError as err:
        if passphrase or "passphrase is needed" not in str(err):
            raise
    typed: str = click.prompt(f"Passphrase for {path}", hide_input=True)
    return load_signing_key(path, passphrase=typed)


def _open_register(path: Path) -> Any:
    from credentials.issuing.register import Register

    return Register(path, now=lambda: dt.datetime.now(tz=_CHINA))


_key_option = click.option(
    "--key",
    "key_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
    help="The institution's signing key file.",
)


@main.command("issue")
@_key_option
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A CSV or XLSX roster of passed candidates.",
)
@click.option("--name", help="姓名 (one person, without --roster).")
@click.option("--id-type", default="居民身份证", show_default=True, help="证件类型.")
@click.option("--id-number", help="证件号码.")
@click.option("--occupation", help="职业编码, e.g. 6-18-01-01.")
@click.option("--occupation-name", default="", help="职业名称 (checked against the registry).")
@click.option("--job", default="", help="工种/职业方向 (empty or -- when none).")
@click.option("--level", help="职业技能等级: 3, 三级, 高级工 or 三级/高级工.")
@click.option("--date", "issued", help="发证日期 YYYY-MM-DD (default: today).")
@click.option("--photo", type=click.Path(dir_okay=False, exists=True), help="照片 file.")
@click.option(
    "--allow-duplicates",
    is_flag=True,
    help="Issue again what was issued before (same person, occupation, job, level, date).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_register_option
@_out_option
@_registry_option
@_at_option
@_errors
def issue_cmd(
    key_path: Path, roster: Path | None, name: str | None, id_type: str, id_number: str | None,
    occupation: str | None, occupation_name: str, job: str, level: str | None, issued: str | None,
    photo: str | None, allow_duplicates: bool, quiet: bool, register_path: Path, out: Path,  # noqa: FBT001
    registry_dir: Path, at: dt.datetime | None,
) -> None:  # fmt: skip
    """Issue certificates: one person from options, or a whole roster (all or nothing)."""
    from credentials.issuing import roster as roster_mod
    from credentials.issuing.issue import issue_rows
    from credentials.registry.registry import load_registry

    today = _day(at)
    if roster is not None:
        table = roster_mod.read_table(roster)
        source = str(roster)
    else:
        missing = [o for o, v in (("--name", name), ("--id-number", id_number),
                                  ("--occupation", occupation), ("--level", level)) if not v]  # fmt: skip
        if missing:
            raise click.UsageError(f"without --roster, give {', '.join(missing)}")
        header = ["姓名", "证件类型", "证件号码", "职业编码", "职业名称", "工种/职业方向",
                  "职业技能等级", "发证日期", "照片"]  # fmt: skip
        table = [header, [name or "", id_type, id_number or "", occupation or "", occupation_name,
                          job, level or "", issued or today.isoformat(), photo or ""]]  # fmt: skip
        source = None
    rows, problems = roster_mod.parse(table)
    registry = load_registry(registry_dir)
    key = _load_key(key_path)
    if not problems:
        from credentials.issuing.issue import validate

        problems = validate(rows, registry, key, today=today)
    if problems:
        for p in problems:
            click.echo(f"{source or 'input'}: {p}", err=True)
        raise click.ClickException(f"{len(problems)} problem(s); nothing was issued")
    with _open_register(register_path) as register:
        if quiet:
            result = issue_rows(rows, registry=registry, key=key, register=register, out=out,
                                today=today, source=source, allow_duplicates=allow_duplicates)  # fmt: skip
        else:
            with click.progressbar(length=len(rows), label="issuing", file=sys.stderr) as bar:
                result = issue_rows(rows, registry=registry, key=key, register=register, out=out,
                                    today=today, source=source, allow_duplicates=allow_duplicates,
                                    progress=bar.update)  # fmt: skip
    click.echo(f"batch {result.batch_id}: {len(result.issued)} issued, "
               f"{len(result.already)} issued before (skipped), {result.regenerated} files "
               f"regenerated")  # fmt: skip
    for entry in result.issued[:20]:
        click.echo(f"  {entry.number}  {entry.holder}")
    if len(result.issued) > 20:
        click.echo(f"  … and {len(result.issued) - 20} more")
    click.echo(f"files in {out}/; batch PDF {result.batch_pdf} ({result.pages} pages); "
               f"register {register_path}")  # fmt: skip


@main.command("revoke")
@click.argument("number")
@click.option("--reason", required=True, help="Why (written into the registry).")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Default: today.")
@click.option("--version", "version", type=int, help="Default: the latest version.")
@_register_option
@_registry_option
@_errors
def revoke_cmd(
    number: str, reason: str, on: dt.datetime | None, version: int | None, register_path: Path,
    registry_dir: Path,
) -> None:  # fmt: skip
    """Revoke a certificate: in the register, and in the institution's registry file."""
    from credentials.registry import edit

    number = number.strip().upper()
    day = _day(on)
    with _open_register(register_path) as register:
        versions = register.versions(number)
        if not versions:
            raise click.ClickException(f"{number} is not in {register_path}")
        entry = (
            next((v for v in versions if v.version == version), None) if version else versions[-1]
        )
        if entry is None:
            raise click.ClickException(f"{number} has no version {version}")
        target = _institution_file(registry_dir, entry.filing)
        with register.transaction():
            register.set_status(number, entry.version, "revoked", on=day, reason=reason)
        edit.add_revocation(target, number=number, version=entry.version, day=day,
                                    reason=reason)  # fmt: skip
    click.echo(f"{number} v{entry.version} revoked on {day}; {target} updated: open a pull request")


@main.command("reissue")
@click.argument("number")
@_key_option
@_register_option
@_out_option
@_registry_option
@_at_option
@_errors
def reissue_cmd(
    number: str, key_path: Path, register_path: Path, out: Path, registry_dir: Path,
    at: dt.datetime | None,
) -> None:  # fmt: skip
    """补发: the same number with the next version; earlier versions are superseded."""
    from credentials.issuing import issue
    from credentials.registry import edit
    from credentials.registry.registry import load_registry

    number = number.strip().upper()
    today = _day(at)
    registry = load_registry(registry_dir)
    key = _load_key(key_path)
    with _open_register(register_path) as register:
        entry = issue.reissue(number, registry=registry, key=key, register=register, out=out,
                                today=today)  # fmt: skip
    target = _institution_file(registry_dir, entry.filing)
    edit.add_reissue(target, number=number, version=entry.version, day=today)
    click.echo(
        f"{number} v{entry.version} issued; earlier versions superseded from {today}; "
        f"{target} updated: open a pull request; new PDF {out}/{number}-v{entry.version}.pdf"
    )


def _emit(rows: list[list[object]], fmt: str, out: Path | None, sheet: str) -> None:
    from credentials.issuing import reports

    if fmt == "xlsx":
        if out is None:
            raise click.UsageError("--format xlsx needs --out FILE")
        from credentials.issuing.spreadsheet import write_rows

        write_rows(out, [(sheet, rows)])
        click.echo(f"written {out}")
        return
    text = reports.to_markdown(rows) if fmt == "md" else reports.to_csv(rows)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        click.echo(f"written {out}")


@main.command("report")
@click.option("--year", type=int, help="Only certificates issued in this year.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "md"]), default="md",
              show_default=True)  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@_register_option
@_errors
def report_cmd(year: int | None, fmt: str, out: Path | None, register_path: Path) -> None:
    """结果汇总表: certificates per occupation (job) and level, with subtotals and totals."""
    from credentials.issuing import reports

    with _open_register(register_path) as register:
        rows = reports.summary(register.entries(year=year))
    _emit(rows, fmt, out, f"结果汇总表 {year or ''}".strip())


@main.group("register")
def register_group() -> None:
    """The issuance register (发证名册)."""


@register_group.command("export")
@click.option("--batch", type=int, help="Only this batch.")
@click.option("--notice", is_flag=True, help="The public notice (公示) list: names and numbers.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "md"]), default="csv",
              show_default=True)  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@_register_option
@_errors
def register_export(
    batch: int | None,
    notice: bool,  # noqa: FBT001
    fmt: str,
    out: Path | None,
    register_path: Path,
) -> None:
    """Export the register, or the 公示 list of a batch."""
    from credentials.issuing import reports

    if notice and batch is None:
        raise click.UsageError("--notice lists one batch: give --batch ID")
    with _open_register(register_path) as register:
        entries = register.entries(batch=batch)
    rows = reports.notice_rows(entries) if notice else reports.register_rows(entries)
    _emit(rows, fmt, out, "公示名单" if notice else "发证名册")


# --- site ---------------------------------------------------------------------------------------


@main.group("site")
def site_group() -> None:
    """The published site: directory, registry snapshot, verification page."""


@site_group.command("build")
@_registry_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("build/site"),
              show_default=True, help="Where the site is written.")  # fmt: skip
@click.option("--snapshot-key", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The bureau's snapshot signing key: sign the registry snapshot.")  # fmt: skip
@_at_option
@_errors
def site_build(
    registry_dir: Path, out: Path, snapshot_key: Path | None, at: dt.datetime | None
) -> None:
    """Build the site with MkDocs (strict) from the registry; needs the Node packages (npm ci)."""
    from credentials.site import build as site_build

    _require_dir(registry_dir)
    site_build.build(registry_dir, out, day=_day(at), snapshot_key=snapshot_key)
    signed = "signed" if snapshot_key else "unsigned (no --snapshot-key)"
    click.echo(f"site built in {out}/; registry snapshot {signed}")


@site_group.command("serve")
@click.option("--dir", "site_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=Path("build/site"), show_default=True, help="A built site.")  # fmt: skip
@click.option("--port", type=int, default=8000, show_default=True)
def site_serve(site_dir: Path, port: int) -> None:
    """Serve a built site on http://127.0.0.1:PORT/ (Ctrl-C stops)."""
    _serve(site_dir, port)


def _serve(site_dir: Path, port: int) -> None:
    import functools
    import http.server

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        click.echo(f"serving {site_dir} on http://127.0.0.1:{port}/ (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


@main.command()
@_registry_option
@_at_option
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/demo"),
    show_default=True,
    help="Where the demo writes its registry copy, keys and credentials (replaced).",
)
@click.option("--no-serve", is_flag=True, help="Do not serve the site afterwards (scripts, CI).")
@click.option("--port", type=int, default=8000, show_default=True, help="Where to serve the site.")
@_errors
def demo(
    registry_dir: Path,
    at: dt.datetime | None,
    workdir: Path,
    no_serve: bool,  # noqa: FBT001
    port: int,
) -> None:
    """Check and summarise the sample registry, then issue, revoke, re-issue and verify on a copy."""
    from credentials.registry.describe import summary
    from credentials.registry.registry import Registry, check_registry
    from credentials.registry.validate.findings import count

    _require_dir(registry_dir)
    click.echo(f"== skillcert registry check --registry {registry_dir}")
    result = check_registry(registry_dir)
    errors, warnings = count(result.findings)
    click.echo(f"{result.files} files: {errors} error(s), {warnings} warning(s)\n")
    reg = Registry.from_check(result)
    click.echo(summary(reg, _day(at)))
    from credentials import demo as demo_run

    click.echo(f"\n== results day (in {workdir})")
    samples = Path(__file__).resolve().parent / "samples"
    for line in demo_run.run(registry_dir, samples, workdir, today=_day(at), port=port):
        click.echo(line)
    if not no_serve:
        _serve(workdir / "site", port)


if __name__ == "__main__":
    main()
