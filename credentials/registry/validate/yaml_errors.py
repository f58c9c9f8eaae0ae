"""What a YAML syntax error means, said in Chinese, and the full-width characters behind most of them.

Chinese input methods type full-width punctuation: a ``：`` after a key, an ideographic space
(U+3000) in the indentation or after the colon, a ``－`` for a list item. libyaml then reports, in
English, a problem one line below the real one. This module finds those characters where YAML's
structure expects ASCII (never inside a value, where they are ordinary text) and words libyaml's
common problems for a clerk. Plain text in, plain data out: PyYAML stays in ``yamldoc``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAMES = {
    "\uff1a": ("全角冒号", "full-width colon", "半角冒号“:”", "':'"),
    "\u3000": ("全角空格", "ideographic (full-width) space", "普通的半角空格", "a plain space"),
    "\uff0d": ("全角减号", "full-width hyphen-minus", "半角减号“-”", "'-'"),
    "\uff03": ("全角井号", "full-width number sign", "半角井号“#”", "'#'"),
    "\u00a0": ("不换行空格", "no-break space", "普通的半角空格", "a plain space"),
}
_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
_LINE_PATTERNS = (
    # key：value  /  - key：value
    re.compile(rf"^[ ]*(?:-[ ]+)?{_KEY}[ ]*(?P<c>[\uff1a])"),
    # indentation (before a key, a list dash or a comment)
    re.compile(r"^[ ]*(?P<c>[\u3000\u00a0])"),
    # key:　value (the space after the colon)
    re.compile(rf"^[ ]*(?:-[ ]+)?{_KEY}:(?P<c>[\u3000\u00a0])"),
    # －　item  /  － item
    re.compile(r"^[ ]*(?P<c>[\uff0d])[ \u3000]"),
    # ＃ comment at the start of a line
    re.compile(r"^[ ]*(?P<c>[\uff03])"),
)


@dataclass(frozen=True, slots=True)
class Misplaced:
    """A full-width character where YAML needs its ASCII twin (1-based line and column)."""

    line: int
    column: int
    char: str

    @property
    def fields(self) -> dict[str, str]:
        zh, en, ascii_zh, ascii_en = _NAMES[self.char]
        return {"char": self.char, "code": f"U+{ord(self.char):04X}", "name_zh": zh,
                "name_en": en, "ascii_zh": ascii_zh, "ascii_en": ascii_en}  # fmt: skip


def misplaced_full_width(text: str) -> list[Misplaced]:
    """Every full-width character standing where YAML's structure needs ASCII, first per line.

    Lines inside block scalars (``|`` and ``>``) are text and are skipped."""
    found: list[Misplaced] = []
    block_indent: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        for pattern in _LINE_PATTERNS:
            m = pattern.match(line)
            if m:
                found.append(Misplaced(number, m.start("c") + 1, m.group("c")))
                break
        if re.search(r":[ ]+[|>][-+0-9]*[ ]*(?:#.*)?$", line):
            block_indent = indent
    return found


# libyaml's problems, the ones a hand-edited registry file meets, said for a clerk
_PROBLEMS: tuple[tuple[str, str], ...] = (
    (
        "could not find expected ':'",
        "这一行缺少半角冒号“:”，或上一行的引号没有闭合：写成“键: 值”（冒号后加一个空格）",
    ),
    (
        "mapping values are not allowed",
        "这里不能出现“: ”：检查缩进是否与上一行对齐；值里含“: ”时，给整个值加上引号",
    ),
    (
        "did not find expected key",
        "缩进没有对齐：同一层的键要用相同数量的空格开头（或前面某行的引号没有闭合）",
    ),
    (
        "did not find expected '-' indicator",
        "列表缩进没有对齐：同一列表的每一项“- ”要用相同数量的空格开头",
    ),
    (
        "expected <block end>",
        "缩进没有对齐：这一行比同一层的其他行多了或少了空格（或前面某行的引号没有闭合）",
    ),
    ("found unexpected end of stream", "文件意外结束：某个引号（\" 或 '）没有闭合"),
    (
        "found unknown escape character",
        "双引号中的反斜杠“\\”构成了无法识别的转义：改用单引号，或写成“\\\\”",
    ),
    ("cannot start any token", "这里有一个不能开始任何内容的字符（如 @ 或 `）：给整个值加上引号"),
    ("found undefined alias", "“*”开头的值被当作了别名：给整个值加上引号"),
    ("found undefined tag handle", "“!”开头的值被当作了标签：给整个值加上引号"),
    ("found unexpected ':'", "这里的冒号位置不对：值里含“:”时，给整个值加上引号"),
    (
        "special characters are not allowed",
        "文件中有不可见的控制字符：删除它，或另存为纯文本 UTF-8",
    ),
    ("expected ',' or ']'", "方括号列表 [ ] 没有正确闭合，或项之间缺少半角逗号“,”"),
    ("expected ',' or '}'", "花括号映射 { } 没有正确闭合，或项之间缺少半角逗号“,”"),
)


def problem_zh(problem: str) -> str:
    """libyaml's problem in Chinese (its English kept when it is one this module does not know)."""
    for needle, zh in _PROBLEMS:
        if needle in problem:
            return zh
    return f"无法解析（{problem}）"


def reports_next_line(problem: str) -> bool:
    """libyaml reports a missing ':' where it gave up, the line after the key it was scanning."""
    return "could not find expected ':'" in problem
