"""Full-width characters where YAML's structure needs ASCII, and libyaml's problems in Chinese."""

from __future__ import annotations

from credentials.registry.validate.yaml_errors import misplaced_full_width, problem_zh
from credentials.registry.validate.yamldoc import parse


def test_structural_full_width_characters_are_found_text_is_left_alone() -> None:
    text = (
        "name：青禾\n"            # 1 colon after a key
        "notes: |\n"              # 2 a block scalar: its lines are text
        "  说明：全角冒号\n"
        "  　缩进的全角空格也是文本\n"
        "contact:\n"              # 5
        "　person: 李\n"          # 6 ideographic space as indentation
        "  phone:　0371\n"        # 7 ideographic space after the colon
        "reason: 备案通过：首次\n"  # 8 inside a value: text
        "scope:\n"                # 9
        "  －　code: 1\n"          # 10 full-width hyphen as a list dash
        "＃ 注释\n"                # 11
    )  # fmt: skip
    found = [(m.line, m.column, m.char) for m in misplaced_full_width(text)]
    assert found == [(1, 5, "："), (6, 1, "\u3000"), (7, 9, "\u3000"), (10, 3, "－"), (11, 1, "＃")]


def test_a_parse_error_from_a_full_width_colon_names_the_character_on_its_line() -> None:
    doc, findings = parse("a: 1\nshort_name：青禾\nname: x\n".encode(), "f.yaml")
    assert doc is None
    (f,) = findings
    assert (f.rule, f.line, f.column) == ("yaml-full-width", 2, 11)
    assert "全角冒号“：”（U+FF1A）" in f.zh
    assert "半角冒号“:”" in f.zh


def test_a_file_that_parses_is_not_blamed_for_full_width_text() -> None:
    doc, findings = parse("reason: 备案通过：首次\nnote: 中文　空格\n".encode(), "f.yaml")
    assert doc is not None
    assert findings == []


def test_libyaml_problems_in_chinese_and_a_missing_colon_on_its_own_line() -> None:
    assert "引号" in problem_zh("found unexpected end of stream")
    assert "加上引号" in problem_zh("found character '@' that cannot start any token")
    assert problem_zh("something new") == "无法解析（something new）"
    _, findings = parse(b"a: 1\nb 2\nc: 3\n", "f.yaml")
    (f,) = findings
    assert (f.rule, f.line) == ("yaml-syntax", 2)
    assert f.zh.startswith("YAML 语法错误：这一行缺少半角冒号")
