"""The rule catalogue of an institution's file: filing number, dates, scope, keys, revocations
(part of ``messages``)."""

from __future__ import annotations

from credentials.registry.validate.findings import Severity

RULES: dict[str, tuple[Severity, str, str]] = {
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
        "机构类别 {category} 与机构类型 {type} 不一致（{province}：{rule_zh}）",
        "category {category} does not fit type {type} ({province}: {rule_en})",
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
        "有效期 {start} 至 {until} 超过本省规定的 {years} 年（自审核通过之日起 {years} 周年，最晚至 {last}）",
        "validity {start} to {until} is longer than the province's {years} years (it ends at "
        "the latest on {last}, the day before the anniversary)",
    ),
    "validity-year-end": (
        "error",
        "{type_zh}的有效期按回执截止于某年 12 月 31 日，且不晚于 {last}；实际为 {until}",
        "a {type}'s validity ends on a 31 December set by its receipt, at the latest {last}; not {until}",
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
    "occupation-not-skill": (
        "error",
        "{code} {name} 不是技能类职业（大典第三至第六大类），不能开展职业技能等级认定",
        "{code} {name} is not a skill occupation (major groups 3-6 of the classification): it "
        "cannot be certified",
    ),
    "occupation-access": (
        "error",
        "{code} {name} 是准入类职业，不纳入职业技能等级认定范围",
        "{code} {name} is an access-controlled (准入类) occupation: it is not certified by skill "
        "level assessment",
    ),
    "scope-level-standard": (
        "error",
        "{code} {name} 的国家职业技能标准只设 {allowed} 级（{source}），本行含 {levels}",
        "the national standard of {code} {name} has levels {allowed} only ({source}); this row "
        "has {levels}",
    ),
    "occupation-levels-unknown": (
        "warning",
        "参考数据中没有 {code} {name} 的国家职业技能标准等级，无法核对本行的等级；请在 occupations.yaml 补充 levels 及其依据",
        "the reference data does not know the national standard's levels of {code} {name}, so "
        "this row's levels are not checked: add levels and levels_source to occupations.yaml",
    ),
    "job-placeholder": (
        "error",
        "工种 “{job}” 是“无工种”的写法；无工种时写 job: null",
        "job '{job}' is how receipts write 'no job': write job: null",
    ),
    "job-missing": (
        "warning",
        "职业 {code} {name} 下设工种（{known}），应按工种备案（浙江附件13注2：职业下设工种的，原则上需填报工种）",
        "occupation {code} {name} has jobs ({known}): scope is filed per job",
    ),
    "assessed-not-allowed": (
        "error",
        "{province}的{type_zh}只能认定 {allowed}，备案文件写了 {actual}",
        "in {province} a {type} may assess {allowed} only; the filing lists {actual}",
    ),
    "county-mismatch": (
        "error",
        "县级代码 {county} 不在 {province}{city} 内（前 4 位应为 {prefix}）",
        "county {county} is not in province {province} city {city} (it starts with {prefix})",
    ),
    "institution-name-suffix": (
        "warning",
        "{province}{type_zh}的机构名称应为“×××{suffix}”",
        "in {province} a {type}'s name ends with {suffix}",
    ),
    "seal-file": (
        "error",
        "印章图片 {what}：{why_zh}",
        "seal image {what}: {why_en}",
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
}
