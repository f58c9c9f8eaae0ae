"""The command line speaks Chinese first, English second: our messages and click's own (usage,
help headings, its errors and prompts), whatever the locale."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import cli
from cli import main

pytestmark = pytest.mark.integration
_CJK = re.compile(r"[\u3400-\u9fff]")
# click's messages no user of skillcert can meet: mistakes in declaring a command, Windows
# consoles, shell completion, colours and streams named by the program
_DEVELOPERS_ONLY = {
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Name '{name}' defined twice",
    "Windows error: {error}",
    "Couldn't detect Bash version, shell completion is not supported.",
    "Shell completion is not supported for Bash versions older than 4.4.",
    "Unknown color {colour!r}",
    "Unknown standard stream '{name}'",
    "Choice({choices})",
    "Invalid start character for option ({option})",
    "d",
}


def _click_messages() -> set[str]:
    """Every string click passes to gettext (``_``) or ``ngettext``, read from its source."""
    found: set[str] = set()
    for source in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "ngettext")
            ):
                found |= {
                    a.value
                    for a in node.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                }
    return found


def test_every_message_click_can_show_a_user_is_in_chinese_first() -> None:
    messages = _click_messages()
    assert len(messages) > 50  # the scan found click's catalogue
    missing = sorted(messages - _DEVELOPERS_ONLY - set(cli._CLICK_ZH))
    assert not missing, f"click messages without Chinese: {missing}"
    for english, said in cli._CLICK_ZH.items():
        assert _CJK.search(said), english
        fields = set(re.findall(r"\{(\w+)", english)) | set(re.findall(r"%\((\w+)\)", english))
        assert fields <= set(re.findall(r"\{(\w+)", said)) | set(re.findall(r"%\((\w+)\)", said)), (
            english
        )


def _commands(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    out = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            out += _commands(sub, [*path, name])
    return out


def test_every_command_and_option_is_described_in_chinese() -> None:
    runner = CliRunner()
    for path, command in _commands(main, []):
        assert _CJK.search(command.help or ""), path
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert _CJK.search(param.help or ""), (path, param.opts)
        shown = runner.invoke(main, [*path, "--help"])
        assert shown.exit_code == 0, path
        assert shown.output.startswith("用法 Usage:"), path
        assert "选项 Options:" in shown.output, path
        assert "显示本帮助并退出。" in shown.output, path


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["issue"], "错误 error: 缺少选项 Missing option '--key'."),
        (["issue", "--bogus"], "错误 error: 没有选项 '--bogus'。"),
        (["nosuch"], "错误 error: 没有命令 'nosuch'。"),
        (["verify", "--number"], "错误 error: 选项 '--number' 后面要写一个值。"),
        (["site", "serve", "--port", "99999"], "不在范围 1<=x<=65535 内"),
        (["registry", "check", "--format", "xml"], "不是可选值"),
        (["registry", "check", "--registry", "/nonexistent/registry"], "错误 error:"),
        (["registry"], "用法 Usage: "),
    ],
)
def test_usage_errors_in_chinese_first(args: list[str], said: str) -> None:
    result = CliRunner().invoke(main, args)
    assert said in result.output
    english_only = [ln for ln in result.output.splitlines() if ln.strip() and not _CJK.search(ln)]
    assert not english_only, english_only


def test_the_passphrase_prompts_in_chinese_first(tmp_path: Path, registry_copy: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["keys", "new", "--institution", "Y000041019001", "--passphrase", "--out", str(tmp_path / "k.key"),
         "--registry", str(registry_copy)],
        input="one\ntwo\none\none\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "新密钥文件的口令 Passphrase for the new key file" in result.output
    assert "错误 error: 两次输入不一致。" in result.output
