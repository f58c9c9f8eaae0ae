"""The validator's rule catalogue: every rule id, its severity and its wording (Chinese, English).

Rule ids are stable: bureaus grep for them, tests assert them, CI annotations show them. Messages say
what is wrong and what to do, for a bureau clerk. ``finding()`` is the only way findings are made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from credentials.registry.validate import batch_messages, institution_messages
from credentials.registry.validate.findings import Finding, Severity

# rule id -> (severity, Chinese template, English template)
_RULES: dict[str, tuple[Severity, str, str]] = {
    # --- files and YAML -------------------------------------------------------------------
    "file-encoding": (
        "error",
        "文件不是 UTF-8 编码，请以 UTF-8 保存",
        "file is not UTF-8; save it as UTF-8",
    ),
    "file-unexpected": (
        "error",
        "registry/ 中不应有此文件（{what}）；机构文件放在 institutions/，以 .yaml 结尾",
        "unexpected file in registry/ ({what}); institution files go in institutions/ as .yaml",
    ),
    "personal-data-file": (
        "error",
        "registry/ 中不能有这个文件（{what}）：发证名册、证书文件和名册含有持证人的个人信息，绝不能提交或公开",
        "{what} must not be in registry/: registers, certificate files and rosters hold holders' "
        "personal data and are never committed or published",
    ),
    "file-missing": (
        "error",
        "缺少必需的文件 {what}",
        "required file {what} is missing",
    ),
    "file-name-mismatch": (
        "error",
        "文件名应为备案号 {expected}.yaml，实际为 {actual}",
        "file must be named after its filing number, {expected}.yaml, not {actual}",
    ),
    "yaml-syntax": (
        "error",
        "YAML 语法错误：{problem_zh}",
        "YAML syntax error: {problem}",
    ),
    "yaml-full-width": (
        "error",
        "这里是{name_zh}“{char}”（{code}），YAML 的格式符号只认半角：改成{ascii_zh}"
        "（中文输入法下切换到半角或英文标点再输入）",
        "{name_en} '{char}' ({code}) where YAML needs {ascii_en}: type it with the input method "
        "in half-width (English) punctuation",
    ),
    "yaml-tab": (
        "error",
        "行首缩进使用了制表符（Tab），YAML 只允许空格缩进",
        "indentation uses a tab; YAML allows spaces only",
    ),
    "yaml-duplicate-key": (
        "error",
        "键 “{key}” 重复出现（首次在第 {first} 行）；删除或合并其中一个",
        "key '{key}' appears twice (first on line {first}); remove or merge one",
    ),
    "yaml-empty": (
        "error",
        "文件为空",
        "file is empty",
    ),
    "yaml-multiple-documents": (
        "error",
        "一个文件只能包含一个 YAML 文档（删除多余的 ---）",
        "a file holds exactly one YAML document (remove the extra ---)",
    ),
    "yaml-tag": (
        "error",
        "不支持的 YAML 标签 {tag}；只使用普通的文本、数字、日期、列表和映射",
        "unsupported YAML tag {tag}; use plain strings, numbers, dates, lists and mappings",
    ),
    "yaml-key-type": (
        "error",
        "映射的键必须是文本，实际为 {key}",
        "mapping keys must be strings, got {key}",
    ),
    # --- JSON Schema ----------------------------------------------------------------------
    "schema-required": (
        "error",
        "{where}缺少必填字段 “{field}”（{title}）",
        "{where_en}missing required field '{field}' ({title_en})",
    ),
    "schema-unknown-field": (
        "error",
        "未知字段 “{field}”；检查拼写，或删除它",
        "unknown field '{field}'; check its spelling or remove it",
    ),
    "schema-type": (
        "error",
        "字段 {path} 的类型应为 {expected_zh}，实际为 {actual}{hint_zh}",
        "field {path} must be {expected}, got {actual}{hint_en}",
    ),
    "schema-enum": (
        "error",
        "字段 {path} 的值 {value} 不在允许的取值中：{allowed}",
        "field {path} has value {value}, which is not one of: {allowed}",
    ),
    "schema-format": (
        "error",
        "字段 {path} 的值 {value} 格式不对：{hint_zh}",
        "field {path} has value {value} in the wrong format: {hint_en}",
    ),
    "schema-range": (
        "error",
        "字段 {path} 的值 {value} 超出范围（{bound}）",
        "field {path} has value {value}, out of range ({bound})",
    ),
    "schema-size": (
        "error",
        "字段 {path} 的长度或条目数不符合要求（{bound}）",
        "field {path} has the wrong length or number of items ({bound})",
    ),
    "schema-unique": (
        "error",
        "字段 {path} 中有重复的条目",
        "field {path} has duplicate items",
    ),
    "schema-invalid": (
        "error",
        "字段 {path} 不符合格式要求：{detail}",
        "field {path} does not match the format: {detail}",
    ),
    # --- pull requests (registry diff) ----------------------------------------------------
    "history-deleted": (
        "error",
        "删除了历史记录：{what}。历史即数据，请保留原记录，用 until / not_after 等日期结束它",
        "history was deleted: {what}. History is data: keep the record and end it with a date "
        "(until, not_after)",
    ),
    "history-rewritten": (
        "warning",
        "改写了已有记录：{what}。这会改变过去签发证书的判定；新增等级请新增一行并写明 since 日期",
        "an existing record was rewritten: {what}. This changes how past certificates are judged; "
        "add a new row with its own since date instead",
    ),
    # --- bureau and reference files -------------------------------------------------------
    "bureau-sequence-length": (
        "error",
        "省份 {province} 的备案号序列规则总长度为 {length}，应为 6 位（第 8–13 位）",
        "province {province}: sequence rule covers {length} digits, must be 6 (positions 8-13)",
    ),
    "bureau-province-code": (
        "error",
        "{province} 不是 GB/T 2260 的省级代码",
        "{province} is not a GB/T 2260 province code",
    ),
    "occupation-duplicate": (
        "error",
        "职业编码 {code} 在参考数据中重复（第 {other} 行）",
        "occupation code {code} is listed twice in the reference data (line {other})",
    ),
    # --- text that reaches pages ----------------------------------------------------------
    "text-markup": (
        "error",
        "字段 {path} 含有网页标记 “{what}”；名称、原因等文字只能是普通文字（删去尖括号、反引号、链接语法等）",
        "field {path} contains markup '{what}'; names, reasons and other text must be plain "
        "(remove angle brackets, backticks, link syntax)",
    ),
    "text-hidden": (
        "error",
        "字段 {path} 含有不可见字符 {what}（控制字符、方向控制符或零宽字符）；请删除后重新输入",
        "field {path} contains the invisible character {what} (a control, bidi or zero-width "
        "character); delete it and type the text again",
    ),
}


_RULES.update(institution_messages.RULES)
_RULES.update(batch_messages.RULES)


def rule_ids() -> tuple[str, ...]:
    """Every rule id, in catalogue order."""
    return tuple(_RULES)


def finding(
    rule: str, file: str, pos: tuple[int, int] | Callable[[], tuple[int, int]], **fields: Any
) -> Finding:
    """Make the finding for ``rule`` at ``pos`` (1-based line, column) in ``file``; ``pos`` may be
    a ``Document.at`` look-up, made only now that there is a finding."""
    if callable(pos):
        pos = pos()
    severity, zh, en = _RULES[rule]
    return Finding(
        rule=rule,
        severity=severity,
        file=file,
        line=pos[0],
        column=pos[1],
        zh=zh.format(**fields),
        en=en.format(**fields),
    )
