"""skillcert's command line, installed as ``skillcert``.

Thin by design: it parses arguments, calls one library function, prints, and picks the exit code.
Every ``CredentialsError`` becomes a one-line message and exit 1 (``_errors``); usage errors keep
click's exit 2. Only this module reads the clock (``--at`` defaults to today).
"""

from __future__ import annotations

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
            from credentials.findings import format_text

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
    from credentials.findings import count, format_github, format_json, format_text
    from credentials.registry import check_registry

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
    from credentials.describe import institution_text
    from credentials.registry import load_registry

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
    from credentials.diff import summarize
    from credentials.gitsource import changed_registry

    change = changed_registry(registry_dir, base, head)
    text, ok = summarize(change)
    click.echo(text)
    sys.exit(0 if ok else 1)


@main.command()
@_registry_option
@_at_option
@_errors
def demo(registry_dir: Path, at: dt.datetime | None) -> None:
    """Validate the sample registry and summarise it."""
    from credentials.describe import summary
    from credentials.findings import count
    from credentials.registry import Registry, check_registry

    _require_dir(registry_dir)
    click.echo(f"== skillcert registry check --registry {registry_dir}")
    result = check_registry(registry_dir)
    errors, warnings = count(result.findings)
    click.echo(f"{result.files} files: {errors} error(s), {warnings} warning(s)\n")
    reg = Registry.from_check(result)
    click.echo(summary(reg, _day(at)))


if __name__ == "__main__":
    main()
