"""The validator's rule catalogue: every rule id, its severity and its wording (Chinese, English).

Rule ids are stable: bureaus grep for them, tests assert them, CI annotations show them. Messages say
what is wrong and what to do, for a bureau clerk. ``finding()`` is the only way findings are made.
"""

from __future__ import annotations

from typing import Any

from credentials.registry.validate import batch_messages
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
        "YAML 语法错误：{problem}",
        "YAML syntax error: {problem}",
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
    # --- filing number --------------------------------------------------------------------
    "filing-number-category": (
        "error",
        "备案号第 1 位 {letter} 与机构类别 category: {category} 不一致",
        "filing number letter {letter} does not match category: {category}",
    ),
    "filing-number-route": (
        "error",
        "备案号第 2–5 位 {route} 与备案途径 filed_with: {filed_with} 不一致"
        "（向省备案为 0000，向人社部备案为 0001–9999）",
        "filing number route {route} does not match filed_with: {filed_with} "
        "(0000 when filed with the province, 0001-9999 when filed with the ministry)",
    ),
    "filing-number-province": (
        "error",
        "备案号第 6–7 位 {code} 与所在省份 province: {province} 不一致",
        "filing number province digits {code} do not match province: {province}",
    ),
    "filing-number-city": (
        "error",
        "备案号中的市级代码 {code} 与所在城市 city: {city} 不一致",
        "filing number city digits {code} do not match city: {city}",
    ),
    "filing-number-sequence": (
        "error",
        "备案号第 8–13 位 {sequence} 不符合本省赋码规则：{reason_zh}",
        "filing number positions 8-13 ({sequence}) break the province's rule: {reason_en}",
    ),
    "filing-number-duplicate": (
        "error",
        "备案号 {number} 已被 {other} 使用；备案号必须唯一",
        "filing number {number} is already used by {other}; filing numbers are unique",
    ),
    "category-type": (
        "error",
        "机构类别 {category} 与机构类型 {type} 不一致（S 仅用于社会培训评价组织）",
        "category {category} does not fit type {type} "
        "(S is only for social training-and-evaluation organisations)",
    ),
    "province-unknown": (
        "error",
        "省份代码 {province} 没有在 bureau.yaml 的 provinces 中定义规则",
        "province {province} has no rules under provinces in bureau.yaml",
    ),
    "city-unknown": (
        "error",
        "城市代码 {city} 不在 {province_name} 的市级代码表中",
        "city code {city} is not in the city table of {province_name}",
    ),
    # --- dates ----------------------------------------------------------------------------
    "validity-order": (
        "error",
        "有效期的截止日期 {until} 早于开始日期 {start}",
        "validity ends ({until}) before it starts ({start})",
    ),
    "validity-length": (
        "error",
        "有效期 {start} 至 {until} 超过本省规定的 {years} 年",
        "validity {start} to {until} is longer than the province's {years} years",
    ),
    "validity-overlap": (
        "error",
        "有效期 {start} 至 {until} 与前一个有效期重叠或顺序颠倒；续期应按时间先后新增一段",
        "validity {start} to {until} overlaps or precedes the previous period; "
        "add renewals as new periods in date order",
    ),
    "filing-date": (
        "error",
        "备案日期 {date} 晚于第一个有效期的开始日期 {start}",
        "filing date {date} is after the start of the first validity period {start}",
    ),
    "scope-date-order": (
        "error",
        "认定范围的截止日期 {until} 早于开始日期 {since}",
        "scope row ends ({until}) before it starts ({since})",
    ),
    "scope-outside-validity": (
        "error",
        "认定范围的开始日期 {since} 不在任何有效期内",
        "scope row starts on {since}, outside every validity period",
    ),
    "status-order": (
        "error",
        "状态变更 {date} 早于上一条 {previous}；按时间先后排列",
        "status event {date} is before the previous one ({previous}); keep them in date order",
    ),
    "status-first": (
        "error",
        "第一条状态应为 active（备案通过），实际为 {status}",
        "the first status event must be active (filed), got {status}",
    ),
    "status-before-filing": (
        "error",
        "状态变更日期 {date} 早于备案日期 {filing}",
        "status event {date} is before the filing date {filing}",
    ),
    "status-repeat": (
        "warning",
        "状态 {status} 与上一条相同，没有变化",
        "status {status} repeats the previous event; nothing changes",
    ),
    "status-after-withdrawn": (
        "error",
        "机构已于 {withdrawn} 撤销备案，之后不能再有状态变更；重新备案需新的备案号",
        "the institution was withdrawn on {withdrawn}; no event may follow "
        "(a new filing gets a new filing number)",
    ),
    # --- scope ----------------------------------------------------------------------------
    "occupation-unknown": (
        "warning",
        "职业编码 {code} 不在职业参考数据中；请核对《职业分类大典》",
        "occupation code {code} is not in the reference data; check it against the classification",
    ),
    "occupation-name-mismatch": (
        "error",
        "职业编码 {code} 的名称应为 “{expected}”，实际为 “{actual}”（名称须与大典一致）",
        "occupation {code} is named '{expected}', not '{actual}' (names must match exactly)",
    ),
    "job-unknown": (
        "warning",
        "工种/职业方向 “{job}” 不在职业 {code} {name} 的参考工种中（{known}）",
        "job '{job}' is not among the known jobs of {code} {name} ({known})",
    ),
    "scope-level-tier": (
        "error",
        "{type_zh}只能备案 {allowed} 级，本行含 {levels}",
        "a {type} may only certify levels {allowed}; this row has {levels}",
    ),
    "scope-overlap": (
        "error",
        "与第 {other} 行的认定范围重复：同一职业、工种在重叠的时间段内包含相同等级 {levels}",
        "duplicates the scope row on line {other}: same occupation and job, "
        "overlapping dates, shared levels {levels}",
    ),
    "pilot-limit": (
        "warning",
        "{city_name}同一职业（工种）同一等级的试点企业超过 {limit} 家：{code} {job} {level} 级"
        "（{others}）",
        "more than {limit} pilot enterprises in {city_name} for {code} {job} level {level} "
        "({others})",
    ),
    # --- keys -----------------------------------------------------------------------------
    "key-id-mismatch": (
        "error",
        "密钥标识 kid {kid} 与公钥不符，应为 {expected}（公钥 SHA-256 的前 8 字节）",
        "key id {kid} does not match the public key; it must be {expected} "
        "(first 8 bytes of SHA-256 of the key)",
    ),
    "key-invalid": (
        "error",
        "公钥不是有效的 Ed25519 公钥（{reason}）",
        "public key is not a valid Ed25519 public key ({reason})",
    ),
    "key-window-order": (
        "error",
        "密钥的 {later_field} {later} 早于 not_before {start}",
        "key {later_field} {later} is before not_before {start}",
    ),
    "key-outside-validity": (
        "warning",
        "密钥生效日期 {start} 不在任何有效期内；在有效期外签发的证书不会通过验证",
        "key starts on {start}, outside every validity period; "
        "certificates signed outside validity will not verify",
    ),
    "key-id-duplicate": (
        "error",
        "密钥标识 {kid} 已在 {other} 中使用；每把密钥只能登记一次",
        "key id {kid} is already registered in {other}; a key is registered once",
    ),
    "private-key-material": (
        "error",
        "这里疑似私钥（{what}）；私钥绝不能提交到 registry/，请删除并立即更换该密钥",
        "this looks like private key material ({what}); never commit it to registry/: "
        "remove it and replace the key at once",
    ),
    # --- revocations ----------------------------------------------------------------------
    "revoked-number-syntax": (
        "error",
        "注销的证书编号 {number} 格式不对：{reason_zh}",
        "revoked certificate number {number} is malformed: {reason_en}",
    ),
    "revoked-foreign": (
        "error",
        "证书编号 {number} 不属于本机构（前 13 位应为 {filing}）",
        "certificate number {number} does not belong to this institution "
        "(its first 13 characters must be {filing})",
    ),
    "revoked-date": (
        "error",
        "注销日期 {date} 早于证书编号中的发证年份 20{year}",
        "revocation date {date} is before the issue year 20{year} in the number",
    ),
    "reissued-number-syntax": (
        "error",
        "补发的证书编号 {number} 格式不对：{reason}",
        "re-issued certificate number {number} is malformed: {reason}",
    ),
    "reissued-foreign": (
        "error",
        "补发的证书编号 {number} 不属于本机构（前 13 位应为 {filing}）",
        "re-issued certificate number {number} does not belong to this institution "
        "(its first 13 characters must be {filing})",
    ),
    "revoked-duplicate": (
        "error",
        "证书 {number} 第 {version} 版已在第 {other} 行注销",
        "certificate {number} version {version} is already revoked on line {other}",
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


_RULES.update(batch_messages.RULES)


def rule_ids() -> tuple[str, ...]:
    """Every rule id, in catalogue order."""
    return tuple(_RULES)


def finding(rule: str, file: str, pos: tuple[int, int], **fields: Any) -> Finding:
    """Make the finding for ``rule`` at ``pos`` (1-based line, column) in ``file``."""
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
