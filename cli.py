"""skillcert's command line (``skillcert``): 职业技能等级证书 — registry, issuing, verification.

Thin by design: each command parses its arguments, calls one library function, prints what it
returned and picks the exit code; no registry, credential or issuing logic lives here. Errors are
mapped in one place (``_Main.invoke``): every ``CredentialsError`` becomes one line, Chinese first
and English second, and its exit code (1; 2 for input that cannot be read; click's usage errors
are 2 too). Text that came from outside (a credential, a registry file) is printed with every
control and bidi-override character made visible. Only this module reads the clock: ``--at`` and
``--date`` default to today in China.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from credentials import visible
from credentials.errors import CredentialsError, RegistryError, RosterError, RosterProblem

if TYPE_CHECKING:
    from credentials.issuing.issuer import Issuer
    from credentials.issuing.register import Register
    from credentials.keys import SigningKey
    from credentials.registry.validate.findings import Finding

F = TypeVar("F", bound=Callable[..., Any])

# Dates in the registry are Beijing dates; "today" is today in China (UTC+8, no daylight saving).
_CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
_PASSPHRASE_ENV = "SKILLCERT_PASSPHRASE"


# click's own words (usage, help headings, its errors and prompts), Chinese first as ours are. click
# marks them for gettext; this catalogue answers for them whatever the locale, so that an office in
# Chinese never meets a line in English only. tests/integration/test_cli_language.py checks that
# every message click can show a user is here.
_CLICK_ZH: dict[str, str] = {
    "Usage:": "用法 Usage:",
    "Options": "选项 Options",
    "Commands": "命令 Commands",
    "Positional arguments": "位置参数 Positional arguments",
    "Show this message and exit.": "显示本帮助并退出。Show this message and exit.",
    "Show the version and exit.": "显示版本并退出。Show the version and exit.",
    "%(prog)s, version %(version)s": "%(prog)s 版本 version %(version)s",
    "Error: {message}": "错误 error: {message}",
    "Try '{command} {option}' for help.": "用 “{command} {option}” 查看帮助。Try '{command} {option}' for help.",
    "Missing argument": "缺少参数 Missing argument",
    "Missing option": "缺少选项 Missing option",
    "Missing parameter": "缺少参数 Missing parameter",
    "Missing parameter: {param_name}": "缺少参数 Missing parameter: {param_name}",
    "Missing {param_type}": "缺少 missing {param_type}",
    "Missing command.": "缺少命令：在命令名后写出要做什么。Missing command.",
    "No such option {name!r}.": "没有选项 {name!r}。No such option {name!r}.",
    "No such command {name!r}.": "没有命令 {name!r}。No such command {name!r}.",
    "Did you mean {possibility}?": "是否要用 {possibility}？Did you mean {possibility}?",
    "(Did you mean one of: {possibilities}?)": "（是否要用其中之一 Did you mean one of: {possibilities}?）",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效 invalid value: {message}",
    "Invalid value: {message}": "值无效 invalid value: {message}",
    "Got unexpected extra argument ({args})": "多余的参数 unexpected extra argument ({args})",
    "Got unexpected extra arguments ({args})": "多余的参数 unexpected extra arguments ({args})",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面要写一个值。Option {name!r} requires an argument.",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面要写 {nargs} 个值。Option {name!r} requires {nargs} arguments.",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。Option {name!r} does not take a value.",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 要有 {nargs} 个值。Argument {name!r} takes {nargs} values.",
    "Takes {nargs} values but 1 was given.": "要有 {nargs} 个值，只给了 1 个。Takes {nargs} values but 1 was given.",
    "Takes {nargs} values but {len} were given.": "要有 {nargs} 个值，给了 {len} 个。Takes {nargs} values but {len} were given.",
    "Aborted!": "已中止，未做任何更改。Aborted!",
    "Repeat for confirmation": "再输入一次确认 Repeat for confirmation",
    "Error: The two entered values do not match.": "错误 error: 两次输入不一致。The two entered values do not match.",
    "Error: invalid input": "错误 error: 输入无效 invalid input",
    "Do you want to continue?": "是否继续？Do you want to continue?",
    "Confirm the action without prompting.": "不再询问，直接确认。Confirm the action without prompting.",
    "Press any key to continue...": "按任意键继续… Press any key to continue...",
    "file": "文件 file",
    "directory": "文件夹 directory",
    "path": "路径 path",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在 does not exist.",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，这里要文件夹 is a file.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹，这里要文件 is a directory.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无权读取 is not readable.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无权写入 is not writable.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行 is not executable.",
    "Could not open file {filename!r}: {message}": "无法打开文件 could not open {filename!r}: {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字 is not a valid {number_type}.",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内 is not in the range {range}.",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice} is not {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选值 {choices} 之一 is not one of {choices}.",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format} does not match the format {format}.",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合格式 {formats} 中任何一种 does not match the formats {formats}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是是/否值 is not a valid boolean: {states}",
    "{len_type} values are required, but {len_value} was given.": "要有 {len_type} 个值，只给了 {len_value} 个 {len_type} values are required, but {len_value} was given.",
    "{len_type} values are required, but {len_value} were given.": "要有 {len_type} 个值，给了 {len_value} 个 {len_type} values are required, but {len_value} were given.",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID is not a valid UUID.",
    "Choose from:\n\t{choices}": "可选 Choose from:\n\t{choices}",
    "Value must be an iterable.": "值必须是列表 Value must be an iterable.",
    "default: {default}": "默认 default: {default}",
    "env var: {var}": "环境变量 env var: {var}",
    "(dynamic)": "（动态 dynamic）",
    "deprecated": "已弃用 deprecated",
    "unknown error": "未知错误 unknown error",
    "{editor}: Editing failed": "{editor}：编辑失败 editing failed",
    "{editor}: Editing failed: {e}": "{editor}：编辑失败 editing failed: {e}",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "已弃用 deprecated: 命令 command {name!r}.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "已弃用 deprecated: {param_type} {name!r}.{extra_message}",
}  # fmt: skip


def _speak_chinese_to_click() -> None:
    """Answer click's gettext calls from ``_CLICK_ZH``. click binds ``gettext``/``ngettext`` per
    module; a module that binds them otherwise (a future click) is left alone, and the test of
    this catalogue then fails instead of the user meeting English."""
    import gettext
    import importlib

    def zh(message: str) -> str:
        return _CLICK_ZH.get(message, message)

    def nzh(singular: str, plural: str, n: int) -> str:
        return zh(singular if n == 1 else plural)

    for name in ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types",
                 "utils", "_termui_impl", "shell_completion"):  # fmt: skip
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) is gettext.gettext:
            module._ = zh  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = nzh  # type: ignore[attr-defined]


_speak_chinese_to_click()


def _echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print, with every control or bidi character that came from outside made visible."""
    click.echo(visible.show(text, keep_lines=True), err=err, nl=nl)


def _today(value: dt.datetime | None) -> dt.date:
    return value.date() if value is not None else dt.datetime.now(tz=_CHINA).date()


class _Main(click.Group):
    """The one place where library errors become messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RegistryError as err:
            from credentials.registry.validate.findings import Finding

            _print_findings([i for i in err.issues if isinstance(i, Finding)])
            _echo(f"错误 error: {err.bilingual()}", err=True)
            ctx.exit(err.exit_code)
        except RosterError as err:
            for problem in err.problems:
                _echo(f"{err.source or '名册 roster'}: {problem}", err=True)
            _echo(f"错误 error: {err.bilingual()}", err=True)
            ctx.exit(err.exit_code)
        except CredentialsError as err:
            _echo(f"错误 error: {err.bilingual()}", err=True)
            # verify: 0 genuine, 1 not genuine, 2 no verdict (the input or registry unusable)
            ctx.exit(2 if ctx.invoked_subcommand == "verify" else err.exit_code)
        except OSError as err:  # a file or folder this command reads or writes itself
            where = f" {err.filename}" if err.filename else ""
            _echo(f"错误 error: 无法读写{where} / cannot use{where}: {err.strerror}", err=True)
            ctx.exit(1)


def _registry_option(func: F) -> F:
    return click.option(
        "--registry",
        "registry_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("registry"),
        show_default=True,
        help="评价机构目录 The registry directory.",
    )(func)


def _cache_option(func: F) -> F:
    return click.option(
        "--cache",
        "cache_dir",
        metavar="DIR|off",
        envvar="SKILLCERT_CACHE",
        default=None,
        help="解析缓存目录（按 git blob 哈希，未改动的文件不再解析）；off 不用缓存。默认 "
        "~/.cache/skillcert。Parse cache (by git blob id); off: none.",
    )(func)


def _parse_cache(cache_dir: str | None) -> Any:
    """The parse cache the options name (None for ``off``); a cache that cannot be used is said
    in one line and the command goes on without it."""
    if cache_dir is not None and cache_dir.strip().lower() == "off":
        return None
    from credentials.registry.validate.parse_cache import ParseCache, default_folder

    folder = Path(cache_dir) if cache_dir else default_folder(os.environ)
    cache = ParseCache(folder)
    if cache.problem is not None:
        _echo(f"注意 note: {cache.problem[0]} / {cache.problem[1]}", err=True)
    return cache


def _at_option(func: F) -> F:
    return click.option(
        "--at",
        "at",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="按哪一天判断（默认今天）The date to judge on (YYYY-MM-DD); default: today.",
    )(func)


def _passphrase_option(func: F) -> F:
    return click.option(
        "--passphrase",
        is_flag=True,
        help=f"用口令加密密钥文件（或设置 ${_PASSPHRASE_ENV}）Encrypt the key file.",
    )(func)


def _keys_dir_option(func: F) -> F:
    return click.option(
        "--keys-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("keys"),
        show_default=True,
        help="私钥文件所在目录 Where private key files are kept.",
    )(func)


def _key_option(func: F) -> F:
    return click.option(
        "--key",
        "key_path",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help="机构的签名私钥文件 The institution's signing key file.",
    )(func)


def _out_option(func: F) -> F:
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("certificates"),
        show_default=True,
        help="证书文件输出目录 Where certificate files are written.",
    )(func)


_ROOT = Path(__file__).resolve().parent  # this repository: its site/ and build/ are published


def _published() -> tuple[Path, ...]:
    """Folders whose content gets published: a private key never goes there (the repository's
    site sources and built sites, and a site/ or build/ folder where the command runs)."""
    here = Path.cwd()
    return (_ROOT / "site", _ROOT / "build", here / "site", here / "build")


def _new_passphrase(*, wanted: bool) -> str | None:
    """A passphrase for a new key file: from the environment, or asked twice."""
    if not wanted:
        return None
    env = os.environ.get(_PASSPHRASE_ENV)
    if env:
        return env
    value: str = click.prompt(
        "新密钥文件的口令 Passphrase for the new key file",
        hide_input=True,
        confirmation_prompt="再输入一次 Repeat it",
    )
    return value


def _unlock(path: Path) -> tuple[SigningKey, str | None]:
    """A signing key from a file, and the passphrase that opened it (from the environment, or
    asked when the file is encrypted)."""
    from credentials.errors import KeyFileError
    from credentials.keys import load_signing_key

    passphrase = os.environ.get(_PASSPHRASE_ENV)
    try:
        return load_signing_key(path, passphrase=passphrase), passphrase
    except KeyFileError as err:
        if passphrase or "passphrase is needed" not in str(err):
            raise
    typed: str = click.prompt(f"密钥文件 {path} 的口令 Passphrase", hide_input=True)
    return load_signing_key(path, passphrase=typed), typed


def _secret_line(prompt: str) -> str:
    """One line that must not appear in the process list: from a hidden prompt on a terminal,
    else from standard input."""
    if sys.stdin.isatty():
        value: str = click.prompt(prompt, hide_input=True)
        return value
    return sys.stdin.readline().rstrip("\r\n")


def _load_key(path: Path) -> SigningKey:
    return _unlock(path)[0]


def _open_register(path: Path, *, create: bool = True) -> Register:
    from credentials.issuing.register import Register

    return Register(path, now=lambda: dt.datetime.now(tz=_CHINA), create=create)


def _read_register(path: Path) -> Register:
    """A register opened to read only: never created for a mistyped path, works on read-only media."""
    from credentials.issuing.register import Register

    return Register(path, now=lambda: dt.datetime.now(tz=_CHINA), create=False, readonly=True)


def _print_findings(findings: list[Finding]) -> None:
    if findings:
        from credentials.registry.validate.findings import format_text

        _echo(format_text(findings), err=True)


@click.group(cls=_Main)
@click.version_option(package_name="skillcert")
def main() -> None:
    """skillcert：职业技能等级证书的备案目录、签发与离线核验。
    Verifiable vocational skill-level certificates: registry, issuing, offline verification."""


# --- registry -------------------------------------------------------------------------------------


@main.group()
def registry() -> None:
    """评价机构目录：校验、查看、变更摘要。The bureau's registry: check, show, diff."""


@registry.command("check")
@_registry_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text 给人看，json 给脚本，github 为 Actions 注释。",
)
@_cache_option
def registry_check(registry_dir: Path, fmt: str, cache_dir: str | None) -> None:
    """校验目录中的每个文件；有错误时退出码为 1（警告不影响）。
    Validate every file of the registry; exit 1 on any error (warnings allowed)."""
    from credentials.registry.registry import check_registry
    from credentials.registry.validate.findings import (
        count,
        format_github,
        format_json,
        format_text,
    )

    cache = _parse_cache(cache_dir)
    result = check_registry(registry_dir, keep_institutions=False, cache=cache)
    errors, warnings = count(result.findings)
    if fmt == "json":
        _echo(format_json(result.findings, files=result.files))
    elif fmt == "github":
        if result.findings:
            _echo(format_github(result.findings))
        _echo(f"{result.files} files: {errors} error(s), {warnings} warning(s)")
    else:
        if result.findings:
            _echo(format_text(result.findings))
        verdict = "通过 passed" if errors == 0 else "未通过 failed"
        _echo(
            f"{verdict}：{result.files} 个文件 files, {result.valid_institutions} 家机构 "
            f"institutions, {errors} 个错误 error(s), {warnings} 个警告 warning(s)"
        )
    sys.exit(1 if errors else 0)


@registry.command("show")
@click.argument("filing")
@_registry_option
@_at_option
def registry_show(filing: str, registry_dir: Path, at: dt.datetime | None) -> None:
    """显示某机构在某日的备案情况。Show the institution FILING as it stood on a date."""
    from credentials.registry.describe import institution_text
    from credentials.registry.registry import load_registry

    reg = load_registry(registry_dir)
    _echo(institution_text(reg.find(filing), reg, _today(at)))


@registry.command("diff")
@click.argument("base")
@click.argument("head", required=False)
@_registry_option
@_cache_option
def registry_diff(base: str, head: str | None, registry_dir: Path, cache_dir: str | None) -> None:
    """概述从 BASE 到 HEAD（默认工作区）的目录变更（Markdown）；变更文件有错误时退出码为 1。
    Summarise what changes in the registry from BASE to HEAD (default: the working tree)."""
    from credentials.registry.diff import summarize
    from credentials.registry.git import changed_registry

    change = changed_registry(registry_dir, base, head)
    text, ok = summarize(change, _parse_cache(cache_dir))
    _echo(text)
    sys.exit(0 if ok else 1)


# --- keys -----------------------------------------------------------------------------------------


@main.group()
def keys() -> None:
    """签名密钥：新建、列出、轮换、标记泄露。Signing keys: create, list, rotate, mark compromised."""


@keys.command("new")
@click.option("--institution", "filing", help="机构备案号 The institution's filing number.")
@click.option("--bureau", is_flag=True, help="主管部门的快照签名密钥 The bureau's snapshot key.")
@_passphrase_option
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="私钥文件路径 Key file."
)
@click.option("--print-only", is_flag=True, help="只打印要加入目录的内容 Print, do not edit.")
@click.option("--not-before", type=click.DateTime(formats=["%Y-%m-%d"]), help="启用日期，默认今天.")
@_keys_dir_option
@_registry_option
def keys_new(
    filing: str | None,
    bureau: bool,
    passphrase: bool,
    out: Path | None,
    print_only: bool,
    not_before: dt.datetime | None,
    keys_dir: Path,
    registry_dir: Path,
) -> None:
    """新建密钥对，并把公钥登记到机构（或主管部门）的目录文件。
    Create a key pair for an institution (or the bureau) and register its public key."""
    if bureau == bool(filing):
        raise click.UsageError(
            "请给出 --institution FILING 或 --bureau 之一 / give --institution or --bureau"
        )
    secret = _new_passphrase(wanted=passphrase)
    if bureau:
        from credentials.site.build import new_snapshot_key

        key, path = new_snapshot_key(
            registry_dir,
            path=out,
            keys_dir=keys_dir,
            passphrase=secret,
            public=_published(),
            write=not print_only,
        )
        if print_only:
            _echo(f'snapshot_key:\n  kid: "{key.kid}"\n  public_key: "{key.public_key.raw.hex()}"')
        else:
            _echo(
                f"快照签名公钥 {key.kid} 已写入 {registry_dir / 'bureau.yaml'} / snapshot key set"
            )
        _echo(
            f"私钥 private key: {path}（权限 600；作为 SKILLCERT_SNAPSHOT_KEY 保管 keep it secret）"
        )
        return
    from credentials.issuing.keyring import KeyPlace, new_key

    place = KeyPlace(keys_dir, registry_dir, _published(), secret)
    made = new_key(
        str(filing).strip().upper(),
        place,
        not_before=_today(not_before),
        out=out,
        register=not print_only,
    )
    _echo(f"私钥 private key: {made.path}（权限 600，切勿提交 never commit it）")
    if made.registry_file is None:
        _echo("把以下内容加到机构目录文件的 keys: 下 / add under keys: in the registry file:")
        _echo(made.snippet)
        return
    _echo(f"公钥 {made.key.kid} 已加入 {made.registry_file}：请提交合并请求 open a pull request")
    _print_findings(made.findings)


@keys.command("list")
@_keys_dir_option
@_registry_option
@_at_option
def keys_list(keys_dir: Path, registry_dir: Path, at: dt.datetime | None) -> None:
    """列出本机的密钥文件及目录中的登记情况。List local key files and their registry state."""
    from credentials.issuing.keyring import local_keys

    found = local_keys(keys_dir, registry_dir, _today(at))
    if not found:
        _echo(f"{keys_dir} 中没有密钥文件 / no key files in {keys_dir}")
    for k in found:
        enc = "加密 encrypted" if k.encrypted else "未加密 plain"
        _echo(f"{k.kid or '?':16s}  {k.institution}  {enc}  {k.path}  — {k.state}")


@keys.command("rotate")
@click.option("--institution", "filing", required=True, help="机构备案号 Filing number.")
@click.option(
    "--date", "date_", type=click.DateTime(formats=["%Y-%m-%d"]), help="默认今天 Default: today."
)
@_passphrase_option
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="私钥文件路径 Key file."
)
@_keys_dir_option
@_registry_option
def keys_rotate(
    filing: str,
    date_: dt.datetime | None,
    passphrase: bool,
    out: Path | None,
    keys_dir: Path,
    registry_dir: Path,
) -> None:
    """自 DATE 起启用新密钥，现有密钥于前一日停用。New key from DATE; current keys end the day before."""
    from credentials.issuing.keyring import KeyPlace, rotate

    place = KeyPlace(keys_dir, registry_dir, _published(), _new_passphrase(wanted=passphrase))
    made = rotate(filing.strip().upper(), place, start=_today(date_), out=out)
    for kid, end in made.ended:
        _echo(f"密钥 key {kid}: not_after {end}")
    _echo(f"新密钥 new key {made.key.kid}，私钥 private key: {made.path}")
    _print_findings(made.findings)


@keys.command("compromised")
@click.argument("kid")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="此日及以后签发的证书不再通过核验 Certificates signed on or after it stop verifying.",
)
@_registry_option
def keys_compromised(kid: str, since: dt.datetime, registry_dir: Path) -> None:
    """标记密钥 KID 自某日起泄露。Mark key KID compromised from a date."""
    from credentials.issuing.keyring import mark_compromised

    path, findings = mark_compromised(kid.strip().lower(), registry_dir, since=since.date())
    _echo(f"{path}：密钥 {kid} compromised_at {since.date()}；请提交合并请求 open a pull request")
    _print_findings(findings)


# --- verify ---------------------------------------------------------------------------------------


@main.command("verify")
@click.argument("source", required=False)
@click.option("--number", help="按证书编号查询（不用二维码，需同时给出证件号码）Look up by the printed "
              "certificate number, with the holder's ID number (no QR code).")  # fmt: skip
@_registry_option
@_at_option
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出报告 Print the report as JSON.")
@click.option(
    "--id-number",
    help="核对持证人证件号码（会出现在进程列表中，建议改用 --id-number-stdin）"
    "Confirm the holder's ID number (visible to other users in ps: prefer --id-number-stdin).",
)
@click.option(
    "--id-number-stdin",
    is_flag=True,
    help="从标准输入读取证件号码（一行）Read the ID number "
    "from standard input (one line), or from a hidden prompt when it is a terminal.",
)
@click.option(
    "--snapshot",
    help="用已发布的目录快照核验（目录或网址）Verify against a published "
    "registry snapshot (a directory or the URL of snapshot/); its signature is checked first.",
)
@click.option(
    "--snapshot-key-hex",
    help="主管部门快照公钥（默认取 bureau.yaml）The bureau's "
    "snapshot public key (default: from the registry's bureau.yaml).",
)
def verify_cmd(
    source: str | None,
    number: str | None,
    registry_dir: Path,
    at: dt.datetime | None,
    as_json: bool,
    id_number: str | None,
    id_number_stdin: bool,
    snapshot: str | None,
    snapshot_key_hex: str | None,
) -> None:
    """核验证书：.cose 文件、二维码内容（网址）或含二维码的图片；- 表示标准输入；
    或用 --number 与证件号码查询已公布的发证记录。
    Verify a credential: a .cose file, the QR text (URL), or an image with the QR code; or look
    a certificate up in the published records by --number and the holder's ID number.

    退出码 Exit: 0 真实有效 genuine; 1 未通过 not genuine; 2 无法读取 the input cannot be read.
    """
    import json

    from credentials.credential.inputs import Source, lookup_source, read_given, verify_source
    from credentials.credential.wording import credential_text, lookup_text, lookup_verdict, verdict

    if (source is None) == (number is None):
        raise click.UsageError(
            "给出要核验的证书，或用 --number 查询（二选一）/ give SOURCE or --number"
        )

    if id_number is not None:
        _echo("警告：--id-number 会出现在进程列表中，其他用户可见；请改用 --id-number-stdin。"
              "Warning: --id-number shows in the process list; prefer --id-number-stdin.", err=True)  # fmt: skip
    if id_number_stdin:
        if source == "-" and number is None:
            raise click.UsageError(
                "- 与 --id-number-stdin 不能同时使用 / give the credential as a file"
            )
        id_number = _secret_line("持证人证件号码 The holder's ID number")
    key = None
    if snapshot_key_hex is not None:
        if not re.fullmatch(r"[0-9a-fA-F]{64}", snapshot_key_hex):
            raise click.BadParameter(
                "需要 64 位十六进制 64 hex digits", param_hint="--snapshot-key-hex"
            )
        key = bytes.fromhex(snapshot_key_hex)
    if number is not None:
        if id_number is None:
            raise click.UsageError(
                "按编号查询需要证件号码：--id-number-stdin / a lookup needs the ID number"
            )
        looked = lookup_source(
            number, id_number, Source(registry_dir, snapshot, key), at=_today(at)
        )
        if as_json:
            v = lookup_verdict(looked.found)
            e = looked.found.entry
            _echo(json.dumps({"status": looked.found.status, "reason": looked.found.reason,
                              "number": looked.found.number, "verdict": {"title": v.title, "advice": v.advice},
                              "record": None if e is None else {"version": e.version, "occupation": e.occupation,
                              "job": e.job, "level": e.level, "issued": e.issued.isoformat(),
                              "record": e.record, "published": e.published.isoformat()},
                              "stale": looked.stale_as_of is not None}, ensure_ascii=False, indent=2))  # fmt: skip
        else:
            _echo(lookup_text(looked.found, stale_as_of=looked.stale_as_of))
        if looked.stale_as_of is not None:
            sys.exit(2)
        sys.exit(0 if looked.found.status == "genuine" else 1)
    assert source is not None
    given = read_given(source, stdin=sys.stdin.buffer)
    data = given.data
    outcome = verify_source(
        data, Source(registry_dir, snapshot, key), at=_today(at), id_number=id_number
    )
    found = verdict(outcome.report, id_match=outcome.id_match, stale_as_of=outcome.stale_as_of)
    manifest = outcome.manifest
    bureau = outcome.registry.bureau
    foreign = given.foreign_site(bureau.site_url) if bureau else None
    if foreign:
        _echo(f"⚠️ 该二维码指向的网站（{foreign}）不是主管部门的核验网站（{bureau.site_url if bureau else ''}）："
              f"请只信任主管部门网站的结果。This QR code points to {foreign}, not the bureau's site.", err=True)  # fmt: skip
    if given.other_codes:
        _echo(f"注意：图片中还有 {given.other_codes} 个其他二维码，只核验了第一个。"
              f"The picture holds {given.other_codes} more QR code(s); only the first was verified.", err=True)  # fmt: skip
    manifest = outcome.manifest
    if as_json:
        doc = outcome.report.to_dict()
        doc["id_number_matches"] = outcome.id_match
        doc["verdict"] = {"kind": found.kind, "title": found.title, "advice": found.advice}
        if manifest is not None:
            doc["snapshot"] = {"date": manifest.get("date"), "valid_until": manifest.get("valid_until"),
                               "stale": outcome.stale_as_of is not None}  # fmt: skip
        _echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        if manifest is not None:
            _echo(f"目录快照 Registry snapshot: {manifest.get('date')}（有效至 valid until "
                  f"{manifest.get('valid_until')}）")  # fmt: skip
        text = credential_text(outcome.report, outcome.registry, id_match=outcome.id_match,
                               stale_as_of=outcome.stale_as_of)  # fmt: skip
        _echo(text)
    if found.kind == "stale":
        sys.exit(2)  # genuine as far as the data goes, but the data is out of date: no verdict
    sys.exit(0 if found.kind == "genuine" else 1)


# --- issuing --------------------------------------------------------------------------------------


def _home() -> Path:
    """Where skillcert keeps what it knows across runs (the register index)."""
    env = os.environ.get("SKILLCERT_HOME")
    return Path(env) if env else Path.home() / ".config" / "skillcert"


def _find_register(register_path: Path | None, filing: str | None) -> Path:
    from credentials.issuing.location import find

    return register_path if register_path is not None else find(filing, _home())


def _private(path: Path, *, what: str, what_zh: str, registry_dir: Path) -> None:
    from credentials.issuing.location import refuse_published

    refuse_published(path, (registry_dir, *_published()), what=what, what_zh=what_zh)


_new_register_option = click.option(
    "--new-register", is_flag=True,
    help="确认启用新的发证名册（原名册已丢失且已核对公开记录）Start a new register for an institution "
    "whose known register is gone (after checking the published record).",
)  # fmt: skip


def _person_options(func: F) -> F:
    """A roster, or one person given as options (as ``issue`` and ``batch new`` take them)."""
    options = [
        click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
                     help="合格人员名册（CSV 或 XLSX）A roster of passed candidates."),
        click.option("--name", help="姓名（单人，不用 --roster）One person, without --roster."),
        click.option("--id-type", default="居民身份证", show_default=True, help="证件类型 ID type."),
        click.option("--id-number", help="证件号码 ID number."),
        click.option("--occupation", help="职业编码，如 6-18-01-01 Occupation code."),
        click.option("--occupation-name", default="", help="职业名称（与目录核对）Occupation name."),
        click.option("--job", default="", help="工种/职业方向（无则留空或 --）Job."),
        click.option("--level", help="职业技能等级：3、三级、高级工 或 三级/高级工 Level."),
        click.option("--date", "issued", help="发证日期 YYYY-MM-DD（默认今天）Issue date."),
        click.option("--photo", help="照片文件 Photo file."),
        click.option("--category", default="", help="认定对象：本单位职工、本校学生 或 社会人员 Who the "
                     "candidate is (needed where the filing covers more than one)."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _input_table(
    today: dt.date, roster: Path | None, name: str | None, id_type: str, id_number: str | None,
    occupation: str | None, occupation_name: str, job: str, level: str | None,
    issued: str | None, photo: str | None, category: str = "",
) -> tuple[list[list[str]], str | None, Path]:  # fmt: skip
    """(cells, source, photo folder) of a roster file, or of one person given as options."""
    from credentials.issuing.roster import HEADER, read_table

    if roster is not None:
        return read_table(roster), str(roster), roster.resolve().parent
    missing = [o for o, v in (("--name", name), ("--id-number", id_number),
                              ("--occupation", occupation), ("--level", level)) if not v]  # fmt: skip
    if missing:
        raise click.UsageError(f"不用 --roster 时需要 without --roster, give: {', '.join(missing)}")
    cells = [name, id_type, id_number, occupation, occupation_name, job, level,
             issued or today.isoformat(), photo, category]  # fmt: skip
    return [list(HEADER), [c or "" for c in cells]], None, Path.cwd()


def _warn_others(warnings: list[Finding]) -> None:
    for finding in warnings[:5]:
        _echo(f"警告 warning: 其他机构的备案文件有错误（不影响本机构）another institution's file "
              f"has an error: {finding.location()} [{finding.rule}]", err=True)  # fmt: skip


_published_options = [
    click.option("--published", "published", envvar="SKILLCERT_PUBLISHED", metavar="URL|DIR|off",
                 help="主管部门已公布的目录快照（默认：bureau.yaml 的 site_url/snapshot/；off 不检查）：签名密钥"
                 "须已在其中，否则用人单位核验时显示“密钥未登记” The bureau's published snapshot (default: "
                 "site_url/snapshot/; off: no check): the key must be in it."),
    click.option("--strict", is_flag=True, help="签名密钥不在已公布的目录中（或无法确认）时拒绝签发 "
                 "Refuse when the key is not in the published registry, or that cannot be confirmed."),
]  # fmt: skip


def _with_published(func: F) -> F:
    for option in reversed(_published_options):
        func = option(func)
    return func


def _check_published(issuer: Issuer, published: str | None, *, strict: bool) -> None:
    """Warn (``--strict``: refuse, before anything changes) when the signing key is only in the
    local copy of the registry, not yet in the one the bureau published."""
    from credentials.errors import IssuanceRefused
    from credentials.issuing.published_key import OFF, default_location, key_publication

    if published is not None and published.strip().lower() == OFF:
        return
    location = published or default_location(issuer.registry)
    kid, filing = issuer.key.kid, issuer.institution.filing_number
    if location is None:
        found_zh, found_en, status = (
            "bureau.yaml 没有 site_url",
            "bureau.yaml has no site_url",
            "unknown",
        )
    else:
        found = key_publication(kid, filing, issuer.registry, location)
        if found.status == "published":
            return
        found_zh, found_en, status = found.zh, found.en, found.status
    if status == "missing":
        zh = (
            f"{found_zh}：用人单位核验这把密钥签发的证书时会看到“密钥未登记”。请等主管部门合并"
            "密钥变更并发布网站后再签发"
        )
        en = (
            f"{found_en}: employers verifying what it signs would see 'key not registered'; issue "
            "after the bureau merged the key and published its site"
        )
    else:
        zh = f"无法确认签名密钥 {kid} 已公布（{found_zh}）"
        en = f"cannot confirm that key {kid} is published ({found_en})"
    if strict:
        raise IssuanceRefused(
            en + "; nothing was issued (--strict)", zh=zh + "；未签发任何证书（--strict）"
        )
    _echo(f"警告 warning: {zh} / {en}", err=True)


@main.command("issue")
@_key_option
@click.option("--institution", help="机构备案号（须与密钥一致）The institution's filing number: "
              "the key must be its. Or a 机构备案号 column in the roster.")  # fmt: skip
@click.option("--batch", "batch_key", help="认定批次，如 2026-1（默认：以该名册提出的批次）The approved "
              "batch (default: the batch that noticed this roster).")  # fmt: skip
@_person_options
@click.option("--quiet", is_flag=True, help="不显示进度条 No progress bar.")
@click.option("--timings", is_flag=True, help="最后打印各阶段用时 Print the time each phase took.")
@click.option("--register", "register_path", type=click.Path(dir_okay=False, path_type=Path),
              help="发证名册（默认在密钥旁：<密钥目录>/<备案号>-register.sqlite）The issuance register "
              "(default: beside the key).")  # fmt: skip
@_new_register_option
@_with_published
@_out_option
@_registry_option
@_at_option
def issue_cmd(
    key_path: Path, institution: str | None, batch_key: str | None, roster: Path | None,
    name: str | None, id_type: str, id_number: str | None, occupation: str | None,
    occupation_name: str, job: str, level: str | None, issued: str | None, photo: str | None,
    category: str, quiet: bool, timings: bool, register_path: Path | None, new_register: bool,
    published: str | None, strict: bool, out: Path, registry_dir: Path, at: dt.datetime | None,
) -> None:  # fmt: skip
    """签发证书：只在已批准的认定批次内，一个人或整份名册（全部成功或全部不签）。
    Issue certificates inside an approved batch: one person, or a whole roster (all or nothing)."""
    from credentials.issuing import location
    from credentials.issuing.issue import issue_rows, roster_rows
    from credentials.issuing.issuer import Issuer, Options
    from credentials.issuing.preflight import photo_advice

    today = _today(at)
    table, source, photos = _input_table(today, roster, name, id_type, id_number, occupation,
                                         occupation_name, job, level, issued, photo, category)  # fmt: skip
    issuer, warnings = Issuer.load(_load_key(key_path), registry_dir)
    filing = issuer.institution.filing_number
    _warn_others(warnings)
    _check_published(issuer, published, strict=strict)
    register_path = register_path or location.default_path(key_path, filing)
    _private(register_path, what="register", what_zh="发证名册", registry_dir=registry_dir)
    _private(out, what="certificate files", what_zh="证书文件", registry_dir=registry_dir)
    location.claim(filing, register_path, home=_home(), new_register=new_register)
    options = Options(out=out, today=today, source=source, institution=institution, batch_key=batch_key, need_batch=True)  # fmt: skip
    checked = None
    if not register_path.exists():  # a refused roster leaves no new register behind
        checked = roster_rows(table, issuer, None, options, photos=photos)
    with _open_register(register_path) as register:
        # rows checked before the register was made are checked against it by issue_rows
        rows = (
            checked
            if checked is not None
            else roster_rows(table, issuer, register, options, photos=photos)
        )
        for advice in photo_advice(rows):
            _echo(f"提示 note: {advice}", err=True)
        if quiet:
            result = issue_rows(rows, issuer, register, options)
        else:
            with click.progressbar(
                length=len(rows), label="签发中 issuing", file=sys.stderr
            ) as bar:
                options.progress = bar.update
                result = issue_rows(rows, issuer, register, options)
    n, before, again = len(result.issued), len(result.already), result.regenerated
    batch = options.batch.key if options.batch else result.batch_id
    _echo(f"批次 {batch}：新签发 {n} 本，此前已签发 {before} 本（跳过），补写文件 {again} 份"
          f" / batch {batch}: {n} issued, {before} issued before (skipped), "
          f"{again} files regenerated")  # fmt: skip
    for entry in result.issued[:20]:
        _echo(f"  {entry.number}  {entry.holder}")
    if len(result.issued) > 20:
        _echo(f"  …… 另有 {len(result.issued) - 20} 本 and more")
    _echo(f"文件 files: {out}/；批量 PDF batch PDF: {result.batch_pdf}（{result.pages} 页 pages）；"
          f"发证名册 register: {register_path}")  # fmt: skip
    if timings:
        _echo("用时 timings: " + ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items()))
    _echo(
        "下一步 next: skillcert batch publish —— 公布发证记录后，证书才会显示为“真实有效” / publish "
        'the issuance record: until the bureau merges it, verifiers say "cannot yet confirm"'
    )


_find_register_option = click.option(
    "--register", "register_path", type=click.Path(dir_okay=False, path_type=Path),
    help="发证名册（默认：本机已知的该机构名册）The issuance register (default: the one known "
    "for the institution).",
)  # fmt: skip


@main.command("revoke")
@click.argument("number")
@click.option(
    "--reason", required=True, help="注销原因（写入目录）Why (written into the registry)."
)
@click.option(
    "--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="默认今天 Default: today."
)
@click.option(
    "--version",
    "version",
    type=click.IntRange(1, 999),
    help="只注销该版本（默认注销该编号的所有版本）Only this version (default: every version).",
)
@_find_register_option
@_registry_option
def revoke_cmd(
    number: str, reason: str, on: dt.datetime | None, version: int | None,
    register_path: Path | None, registry_dir: Path,
) -> None:  # fmt: skip
    """注销证书：写入发证名册和机构的目录文件（可重复执行）。
    Revoke a certificate: in the register and the institution's registry file (repeatable)."""
    from credentials.issuing.revoke import revoke

    number = "".join(number.split()).upper()
    with _open_register(_find_register(register_path, number[:13])) as register:
        done = revoke(number, register=register, registry_dir=registry_dir, day=_today(on),
                      reason=reason, version=version)  # fmt: skip
    which = f"第 {done.version} 版" if done.version else "（所有版本 every version）"
    if done.already:
        _echo(f"{done.number} {which}已于 {done.day} 注销，无需再次操作 / already revoked")
    else:
        _echo(f"{done.number} {which}已注销 revoked ({done.day})；{done.file} 已更新："
              "请提交合并请求 open a pull request")  # fmt: skip


@main.command("reissue")
@click.argument("number")
@_key_option
@click.option(
    "--reason", required=True, help="补发原因（遗失、损毁、信息更正）Why the holder applied."
)
@click.option("--applied", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="持证人申请日期（默认今天）When the holder applied (default: today).")  # fmt: skip
@click.option("--applicant-id-number-stdin", "applicant_stdin", is_flag=True, required=True,
              help="申请人（须为持证人本人）的证件号码，从标准输入读取 The applicant's ID number (the "
              "holder's), read from standard input; checked against the register.")  # fmt: skip
@_find_register_option
@_with_published
@_out_option
@_registry_option
@_at_option
def reissue_cmd(
    number: str, key_path: Path, reason: str, applied: dt.datetime | None, applicant_stdin: bool,
    register_path: Path | None, published: str | None, strict: bool, out: Path, registry_dir: Path,
    at: dt.datetime | None,
) -> None:  # fmt: skip
    """补发：持证人本人申请，核实后签发同一编号的下一版本，此前版本作废（由当前有效的密钥签名）。
    Re-issue (补发) on the holder's own application: the next version, signed with the key valid
    today; earlier ones superseded."""
    from credentials.issuing.issuer import Issuer
    from credentials.issuing.reissue import Request, reissue

    number = "".join(number.split()).upper()
    today = _today(at)
    applicant = _secret_line("申请人证件号码 The applicant's ID number")
    request = Request(reason, applied.date() if applied else today, applicant)
    issuer, _ = Issuer.load(_load_key(key_path), registry_dir)
    _check_published(issuer, published, strict=strict)
    _private(out, what="certificate files", what_zh="证书文件", registry_dir=registry_dir)
    with _open_register(_find_register(register_path, number[:13])) as register:
        entry = reissue(number, issuer=issuer, register=register, registry_dir=registry_dir,
                        out=out, today=today, request=request)  # fmt: skip
    _echo(f"{entry.number} 第 {entry.version} 版已签发 issued；此前版本自 {today} 起作废 superseded；"
          f"目录文件已更新，请提交合并请求；新 PDF: {out}/{entry.number}-v{entry.version}.pdf")  # fmt: skip


def _format_option(default: str) -> Callable[[F], F]:
    return click.option(
        "--format", "fmt", type=click.Choice(["csv", "xlsx", "md"]), default=default,
        show_default=True, help="csv（带 BOM，Excel 可直接打开）、xlsx 或 md",
    )  # fmt: skip


def _emit(
    rows: list[list[object]], fmt: str, out: Path | None, sheet: str, registry_dir: Path
) -> None:
    from credentials.issuing import reports

    if out is not None:
        _private(out, what="export", what_zh="导出文件", registry_dir=registry_dir)
    text = reports.emit(rows, fmt, out, sheet=sheet)
    _echo(text, nl=False) if text is not None else _echo(f"已写入 written {out}")


@main.command("report")
@click.option("--year", type=int, help="只统计该年签发的证书 Only this issue year.")
@click.option(
    "--month", help="只统计该月（YYYY-MM，月末报送）Only this month (YYYY-MM): the monthly report."
)
@_format_option("md")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="写入文件 Write to a file."
)
@click.option(
    "--institution", help="机构备案号（选择发证名册）The institution (picks its register)."
)
@_find_register_option
@_registry_option
def report_cmd(
    year: int | None, month: str | None, fmt: str, out: Path | None, institution: str | None,
    register_path: Path | None, registry_dir: Path,
) -> None:  # fmt: skip
    """结果汇总表：按职业（工种）和等级统计，含填报单位与“单位：人”。
    Results summary per occupation (job) and level, as reported (monthly with --month)."""
    from credentials.issuing import reports

    if month is not None and not re.fullmatch(r"20[0-9]{2}-(0[1-9]|1[0-2])", month):
        raise click.BadParameter("写作 YYYY-MM / write YYYY-MM", param_hint="--month")
    with _read_register(_find_register(register_path, institution)) as register:
        entries = register.entries(year=year)
    if month is not None:
        entries = reports.month_of(entries, month)
    period = f"{month[:4]}年{month[5:]}月" if month else f"{year}年" if year else "全部 all"
    filings = sorted({e.filing for e in entries}) or ([institution] if institution else [])
    names = _institution_names(registry_dir)
    unit = "、".join(names.get(f, f) for f in filings)
    rows = reports.summary_sheet(reports.summary(entries), institution=unit, period=period)
    _emit(rows, fmt, out, f"结果汇总表 {month or year or ''}".strip(), registry_dir)


def _institution_names(registry_dir: Path) -> dict[str, str]:
    """Filing number -> name, from whatever the registry holds (errors elsewhere do not matter)."""
    if not registry_dir.is_dir():
        return {}
    from credentials.registry.registry import check_registry

    return {f: i.name for f, i in check_registry(registry_dir).institutions.items()}


# --- batches (认定批次) ------------------------------------------------------------------------


@main.group("batch")
def batch_group() -> None:
    """认定批次：提出、公示、审批、公布发证记录。Assessment batches: propose, notice, decide, publish."""


def _dates(text: str) -> tuple[dt.date, dt.date]:
    try:
        first, _, last = text.partition("..")
        a = dt.date.fromisoformat(first.strip())
        return a, dt.date.fromisoformat(last.strip()) if last else a
    except ValueError as err:
        raise click.BadParameter(
            "写作 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD / a date or a range", param_hint="--assessed"
        ) from err


@batch_group.command("new")
@_key_option
@click.option("--institution", help="机构备案号（须与密钥一致）The institution's filing number.")
@_person_options
@click.option("--assessed", required=True, help="认定（考核）日期 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD "
              "The assessment date(s).")  # fmt: skip
@click.option("--filed", "filed_on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="结果确认日期（默认今天；其年份即证书编号的年份）Results confirmed (default: today).")  # fmt: skip
@click.option("--notice-from", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="公示开始日期（默认确认日的下一个工作日）Notice starts (default: the next working day).")  # fmt: skip
@click.option("--plan", help="认定计划号 The assessment plan reference.")
@click.option("--contact-person", help="异议受理联系人（默认机构联系人）Objections to (default: the "
              "institution's contact).")  # fmt: skip
@click.option("--contact-phone", help="异议受理电话 Phone for objections.")
@click.option("--contact-email", help="异议受理邮箱 Email for objections.")
@_registry_option
def batch_new(
    key_path: Path, institution: str | None, roster: Path | None, name: str | None, id_type: str,
    id_number: str | None, occupation: str | None, occupation_name: str, job: str,
    level: str | None, issued: str | None, photo: str | None, category: str, assessed: str,
    filed_on: dt.datetime | None, notice_from: dt.datetime | None, plan: str | None,
    contact_person: str | None, contact_phone: str | None, contact_email: str | None,
    registry_dir: Path,
) -> None:  # fmt: skip
    """提出认定批次：核对名册，写入批次文件和公示名单（不签发任何证书）。
    Propose a batch: check the roster, write the batch file and its notice list (nothing is signed)."""
    from credentials.issuing.batch import Contact, propose
    from credentials.issuing.issuer import Issuer
    from credentials.issuing.preflight import validate
    from credentials.issuing.roster import parse
    from credentials.registry import workdays

    filed = filed_on.date() if filed_on else _today(None)
    table, source, photos = _input_table(filed, roster, name, id_type, id_number, occupation,
                                         occupation_name, job, level, issued, photo, category)  # fmt: skip
    issuer, warnings = Issuer.load(_load_key(key_path), registry_dir)
    _warn_others(warnings)
    rows, problems = parse(table, photos=photos)
    problems += validate(rows, issuer, today=dt.date.max, institution=institution)
    start = notice_from.date() if notice_from else workdays.after(filed, 1)
    for r in rows:
        if r.issued.year != filed.year or r.issued <= start:
            problems.append(RosterProblem(r.row, "发证日期", f"the planned issue date {r.issued} must be "
                            f"after the notice starts ({start}) and in {filed.year}, the year of the numbers",
                            f"计划发证日期 {r.issued} 应晚于公示开始日 {start}，且在 {filed.year} 年内（证书编号的年份）"))  # fmt: skip
    if problems:
        raise RosterError(sorted(problems, key=lambda p: p.row), source=source)
    contact = issuer.institution.contact
    done = propose(
        rows, issuer, registry_dir, filed=filed, assessed=_dates(assessed), notice_from=start,
        contact=Contact(contact_person or contact.person, contact_phone or contact.phone,
                        contact_email or (contact.email if not contact_person else None)),
        plan=plan,
    )  # fmt: skip
    _echo(f"认定批次 {done.key}：{done.count} 人；公示 {start} 至 {done.notice_until}"
          f"（{'按国务院节假日安排' if done.calendar_exact else '日历无该年安排，按周一至周五'}）"
          f" / batch {done.key}: {done.count} people, notice {start} to {done.notice_until}")  # fmt: skip
    _echo(f"已写入 written: {done.batch_file}, {done.notice_file}")
    _echo(
        "下一步 next: 提交合并请求；公示期满后由主管部门 skillcert batch approve / reject "
        "/ open a pull request; the bureau decides after the notice"
    )


@batch_group.command("approve")
@click.argument("batch_key", metavar="BATCH")
@click.option("--by", help="审核单位（默认 bureau.yaml 的名称）Who decides (default: the bureau).")
@click.option(
    "--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="默认今天 Default: today."
)
@_registry_option
def batch_approve(
    batch_key: str, by: str | None, on: dt.datetime | None, registry_dir: Path
) -> None:
    """批准认定批次（主管部门）：由主管部门编号的省份同时分配证书流水号。
    Approve a batch (bureau); where the bureau numbers, allocate its serials."""
    from credentials.registry.decide import approve

    done = approve(registry_dir, batch_key, day=_today(on), by=by)
    _echo(f"批次 {done.batch.key} 已批准 approved（{done.batch.total} 人）")
    for r in done.serials:
        first = f"{done.batch.institution}{done.batch.year % 100:02d}{r.level}{r.first:06d}"
        last = f"{done.batch.institution}{done.batch.year % 100:02d}{r.level}{r.last:06d}"
        _echo(f"  {r.level} 级 level {r.level}: {first} – {last}（{r.size} 本）")
    if done.notice_removed:
        _echo("公示名单已删除（个人信息只在公示期内公开）/ the notice list was deleted")
    _echo(f"已写入 written: {done.file}；请提交并合并 commit and merge")


@batch_group.command("reject")
@click.argument("batch_key", metavar="BATCH")
@click.option("--reason", required=True, help="驳回理由 Why.")
@click.option("--by", help="审核单位（默认 bureau.yaml 的名称）Who decides.")
@click.option(
    "--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="默认今天 Default: today."
)
@_registry_option
def batch_reject(
    batch_key: str, reason: str, by: str | None, on: dt.datetime | None, registry_dir: Path
) -> None:
    """驳回认定批次（主管部门）：该批次无效，不生成任何证书号。
    Reject a batch (bureau): it is void, no number is ever generated."""
    from credentials.registry.decide import reject

    done = reject(registry_dir, batch_key, day=_today(on), reason=reason, by=by)
    _echo(f"批次 {done.batch.key} 已驳回 rejected：{reason}")
    _echo(f"已写入 written: {done.file}；请提交并合并 commit and merge")


@batch_group.command("publish")
@click.argument("batch_key", metavar="[BATCH]", required=False)
@_key_option
@click.option("--reissues", is_flag=True, help="公布尚未公布的补发版本 Publish re-issued versions.")
@click.option("--legacy", is_flag=True, help="公布发证记录制度实行前签发的证书 Publish certificates "
              "signed before records began.")  # fmt: skip
@_find_register_option
@click.option(
    "--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="默认今天 Default: today."
)
@_registry_option
def batch_publish(
    batch_key: str | None, key_path: Path, reissues: bool, legacy: bool,
    register_path: Path | None, on: dt.datetime | None, registry_dir: Path,
) -> None:  # fmt: skip
    """公布发证记录：每本证书的编号、版本和摘要（不含个人信息），由主管部门合并。
    Publish the issuance record (numbers, versions, hashes; no personal data) for the bureau to merge."""
    from credentials.issuing.batch import publish, publish_extra
    from credentials.issuing.issuer import Issuer
    from credentials.registry.batches import parse_key

    if sum((batch_key is not None, reissues, legacy)) != 1:
        raise click.UsageError(
            "给出批次，或 --reissues，或 --legacy（三选一）/ give BATCH, --reissues or --legacy"
        )
    issuer, warnings = Issuer.load(_load_key(key_path), registry_dir)
    _warn_others(warnings)
    filing = issuer.institution.filing_number
    day = _today(on)
    with _open_register(_find_register(register_path, filing), create=False) as register:
        if batch_key is not None:
            key = "/".join(parse_key(batch_key, institution=filing))
            batch = issuer.registry.batches.get(key)
            if batch is None:
                raise click.UsageError(f"目录中没有批次 no batch {key} in {registry_dir}")
            done = publish(batch, issuer, register, registry_dir, day=day)
        else:
            done = publish_extra(
                "reissue" if reissues else "legacy", issuer, register, registry_dir, day=day
            )
    if done.file is None:
        _echo("没有需要公布的证书 / nothing to publish")
    elif done.already:
        _echo(f"发证记录 {done.record_id} 已公布，内容相同 / already published: {done.file}")
    else:
        _echo(f"发证记录 {done.record_id}：{done.count} 本 / record {done.record_id}: {done.count} "
              f"certificates; written: {done.file}")  # fmt: skip
        _echo(
            "下一步 next: 提交合并请求；主管部门合并之日即公布之日 / open a pull request: the day the "
            "bureau merges it is the record's date"
        )


@batch_group.command("confirm")
@click.argument("batch_key", metavar="BATCH")
@_key_option
@click.option("--roster", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="该批次的名册 The batch's roster.")  # fmt: skip
@_format_option("xlsx")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="写入文件 Write to a file."
)
@_registry_option
def batch_confirm(
    batch_key: str, key_path: Path, roster: Path, fmt: str, out: Path | None, registry_dir: Path
) -> None:
    """公示结果确认单（浙江附件11）：公示无异议后，按职业和等级列出人员。
    The 公示结果确认单 of a batch (Zhejiang 附件11), from its roster."""
    from credentials.issuing import reports
    from credentials.issuing.issuer import Issuer
    from credentials.issuing.roster import parse, read_table, roster_digest
    from credentials.registry.batches import parse_key

    issuer, _ = Issuer.load(_load_key(key_path), registry_dir)
    key = "/".join(parse_key(batch_key, institution=issuer.institution.filing_number))
    batch = issuer.registry.batches.get(key)
    if batch is None:
        raise click.UsageError(f"目录中没有批次 no batch {key} in {registry_dir}")
    rows, problems = parse(read_table(roster))
    if problems:
        raise RosterError(problems, source=str(roster))
    if roster_digest(rows) != batch.roster:
        raise click.UsageError(
            f"该名册不是批次 {key} 公示的名册 / not the roster batch {key} noticed"
        )
    people = [(r.holder, r.occupation_name or r.occupation, r.job, int(r.level)) for r in rows]
    sheet = reports.confirmation_rows(people, institution=issuer.institution.name, plan=batch.plan)
    _emit(sheet, fmt, out, "公示结果确认单", registry_dir)


@batch_group.command("list")
@click.option("--institution", help="只列该机构 Only this institution.")
@_registry_option
@_at_option
def batch_list(institution: str | None, registry_dir: Path, at: dt.datetime | None) -> None:
    """列出认定批次及其状态。List batches and where each stands."""
    from credentials.registry import describe
    from credentials.registry.registry import load_registry

    registry = load_registry(registry_dir, git_dates=True)
    _echo(describe.batches(registry, _today(at), institution=institution))


@main.group("register")
def register_group() -> None:
    """发证名册：导出、检查、备份、补写文件。The issuance register: export, check, back up, regenerate."""


@register_group.command("export")
@click.option("--batch", type=int, help="只导出该批次 Only this batch.")
@click.option("--notice", is_flag=True, help="公示名单（姓名与编号）The public notice list.")
@_format_option("csv")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="写入文件 Write to a file."
)
@click.option(
    "--institution", help="机构备案号（选择发证名册）The institution (picks its register)."
)
@_find_register_option
@_registry_option
def register_export(
    batch: int | None, notice: bool, fmt: str, out: Path | None, institution: str | None,
    register_path: Path | None, registry_dir: Path,
) -> None:  # fmt: skip
    """导出发证名册，或某批次的公示名单。Export the register, or the 公示 list of a batch."""
    from credentials.issuing import reports

    if notice and batch is None:
        raise click.UsageError(
            "--notice 需要 --batch ID / --notice lists one batch: give --batch ID"
        )
    with _read_register(_find_register(register_path, institution)) as register:
        entries = register.entries(batch=batch)
    if notice:
        rows = reports.notice_rows(entries)
    else:
        rows = reports.register_rows(entries, _institution_names(registry_dir))
    _emit(rows, fmt, out, "公示名单" if notice else "发证名册", registry_dir)


@register_group.command("paper")
@click.argument("event", type=click.Choice(["清点", "登记", "入库", "发放", "销毁"]))
@click.argument("numbers", nargs=-1, required=True)
@click.option("--by", required=True, help="经办人 Who did it.")
@click.option("--note", help="备注 A note.")
@click.option(
    "--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="默认今天 Default: today."
)
@click.option(
    "--institution", help="机构备案号（选择发证名册）The institution (picks its register)."
)
@_find_register_option
def register_paper(
    event: str, numbers: tuple[str, ...], by: str, note: str | None, on: dt.datetime | None,
    institution: str | None, register_path: Path | None,
) -> None:  # fmt: skip
    """纸质证书的清点、登记、入库、发放、销毁记录（各环节可追溯）。
    Log paper certificates: counted, registered, stored, handed over, destroyed."""
    from credentials.issuing import paper

    wanted = ["".join(n.split()).upper() for n in numbers]
    filing = institution or (wanted[0][:13] if wanted else None)
    with _open_register(_find_register(register_path, filing), create=False) as register:
        n = paper.record(register, wanted, event, day=_today(on), by=by, note=note)
    _echo(f"已记录 {event} {n} 本 / logged {n} certificate(s)")


@register_group.command("paper-log")
@_format_option("csv")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="写入文件 Write to a file."
)
@click.option(
    "--institution", help="机构备案号（选择发证名册）The institution (picks its register)."
)
@_find_register_option
@_registry_option
def register_paper_log(
    fmt: str, out: Path | None, institution: str | None, register_path: Path | None,
    registry_dir: Path,
) -> None:  # fmt: skip
    """导出纸质证书记录。Export the paper certificates' log."""
    from credentials.issuing import paper

    with _read_register(_find_register(register_path, institution)) as register:
        rows = paper.rows(register)
    _emit(rows, fmt, out, "证书管理记录", registry_dir)


@register_group.command("check")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="同时检查该目录中的证书文件 Also check the certificate files in this folder.")  # fmt: skip
@click.option(
    "--institution", help="机构备案号（选择发证名册）The institution (picks its register)."
)
@_find_register_option
@_registry_option
def register_check(
    out: Path | None, institution: str | None, register_path: Path | None, registry_dir: Path
) -> None:
    """检查发证名册：数据库完整、每份证书数据可验证、每个文件与之相符；有问题时退出码为 1。
    Check the register: database integrity, every stored credential verifies, every file matches."""
    from credentials.issuing import integrity
    from credentials.registry.registry import Registry, check_registry

    result = check_registry(registry_dir)
    registry = Registry(result.institutions, result.bureau, result.occupations)
    with _read_register(_find_register(register_path, institution)) as register:
        found = integrity.check(register, registry, out=out)
    for en, zh in found.problems:
        _echo(f"  ✘ {zh} / {en}")
    files = f"，{found.files_checked} 份证书的文件" if out else ""
    verdict = (
        "通过 passed" if found.ok else f"未通过 failed（{len(found.problems)} 处问题 problems）"
    )
    _echo(
        f"{verdict}：{found.certificates} 份证书数据{files} / {found.certificates} credentials checked"
    )
    sys.exit(0 if found.ok else 1)


@register_group.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--institution", help="机构备案号（选择发证名册）The institution (picks its register)."
)
@_find_register_option
@_registry_option
def register_backup(
    dest: Path, institution: str | None, register_path: Path | None, registry_dir: Path
) -> None:
    """备份发证名册（SQLite 在线备份，包含尚在 WAL 中的数据）到 DEST。
    Back up the register to DEST (SQLite's backup API: what is still in the WAL too)."""
    _private(dest, what="backup", what_zh="备份", registry_dir=registry_dir)
    with _read_register(_find_register(register_path, institution)) as register:
        size = register.backup(dest)
    _echo(f"已备份到 backed up to {dest}（{size:,} 字节 bytes，权限 600）")


@register_group.command("regenerate")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("certificates"),
              show_default=True, help="证书文件目录 Where the certificate files are.")  # fmt: skip
@click.option(
    "--institution", help="机构备案号（选择发证名册）The institution (picks its register)."
)
@_find_register_option
@_registry_option
def register_regenerate(
    out: Path, institution: str | None, register_path: Path | None, registry_dir: Path
) -> None:
    """补写缺失、为空或被截断的证书文件。Write again missing, empty or truncated certificate files."""
    from credentials.issuing import files, integrity
    from credentials.registry.registry import Registry, check_registry

    _private(out, what="certificate files", what_zh="证书文件", registry_dir=registry_dir)
    result = check_registry(registry_dir)
    registry = Registry(result.institutions, result.bureau, result.occupations)
    with _open_register(_find_register(register_path, institution), create=False) as register:
        filings = {e.filing for e in register.entries()}
        written = 0
        for filing in sorted(filings):
            inst = registry.institution(filing)
            if inst is None:
                continue
            seal = registry_dir / inst.seal if inst.seal else None
            ctx = files.Context.of(registry, inst, seal=seal)
            written += integrity.regenerate(register, registry, out, ctx)
    _echo(
        f"补写了 {written} 份证书的文件 / regenerated the files of {written} certificates in {out}/"
    )


# --- site -----------------------------------------------------------------------------------------


@main.group("site")
def site_group() -> None:
    """对外发布的网站：机构目录、目录快照、核验页面。The published site."""


@site_group.command("build")
@_registry_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/site"),
    show_default=True,
    help="网站输出目录 Where the site is written.",
)
@click.option(
    "--snapshot-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="主管部门快照签名私钥：为目录快照签名 The bureau's snapshot signing key.",
)
@_at_option
def site_build(
    registry_dir: Path, out: Path, snapshot_key: Path | None, at: dt.datetime | None
) -> None:
    """用 MkDocs（严格模式）从目录构建网站；需要 Node 依赖包（npm ci）。
    Build the site with MkDocs (strict) from the registry; needs the Node packages (npm ci)."""
    from credentials.site import build

    passphrase = _unlock(snapshot_key)[1] if snapshot_key is not None else None
    build.build(registry_dir, out, day=_today(at), snapshot_key=snapshot_key, passphrase=passphrase)
    signed = "已签名 signed" if snapshot_key else "未签名 unsigned (no --snapshot-key)"
    _echo(f"网站已构建于 site built in {out}/；目录快照 registry snapshot {signed}")


@site_group.command("sign")
@click.argument("site_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--snapshot-key", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="主管部门快照签名私钥 The bureau's snapshot signing key.")  # fmt: skip
def site_sign(site_dir: Path, snapshot_key: Path) -> None:
    """为在别处（如不持有密钥的 CI）构建的网站签名目录快照，然后上传到任何静态托管。
    Sign the snapshot of a site built elsewhere (CI without the key), then upload it anywhere."""
    from credentials.site import build

    key, _ = _unlock(snapshot_key)
    day = build.sign_built(site_dir, key)
    _echo(f"目录快照（{day}）已签名 signed: {site_dir}/snapshot/manifest.sig.json；"
          "现在可将整个目录上传到静态托管 upload the folder to any static host")  # fmt: skip


@site_group.command("serve")
@click.option(
    "--dir",
    "site_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("build/site"),
    show_default=True,
    help="已构建的网站 A built site.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="本机端口 Port on localhost.")  # fmt: skip
def site_serve(site_dir: Path, port: int) -> None:
    """在 http://127.0.0.1:PORT/ 提供网站（Ctrl-C 停止）。Serve a built site on localhost."""
    _serve(site_dir, port)


def _serve(site_dir: Path, port: int) -> None:
    import contextlib
    import functools
    import http.server

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        _echo(f"网站地址 serving {site_dir} on http://127.0.0.1:{port}/（Ctrl-C 停止 stops）")
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
    help="演示的工作目录（会被替换）Where the demo works (replaced).",
)
@click.option("--no-serve", is_flag=True, help="结束后不启动网站（脚本、CI）Do not serve the site.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="本机端口 Port on localhost.")  # fmt: skip
def demo(
    registry_dir: Path,
    at: dt.datetime | None,
    workdir: Path,
    no_serve: bool,
    port: int,
) -> None:
    """演示：校验并概述示例目录，然后在副本上签发、注销、补发、核验并构建网站。
    Check the sample registry, then issue, revoke, re-issue, verify and build the site on a copy."""
    from credentials import demo as demo_run

    samples = _ROOT / "samples"
    for line in demo_run.run(registry_dir, samples, workdir, today=_today(at), port=port):
        _echo(line)
    if not no_serve:
        _serve(workdir / "site", port)


if __name__ == "__main__":
    main()
