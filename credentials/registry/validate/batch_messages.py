"""The rule catalogue of batches, notice lists and issuance records (part of ``messages``)."""

from __future__ import annotations

from credentials.registry.validate.findings import Severity

RULES: dict[str, tuple[Severity, str, str]] = {
    # --- batches --------------------------------------------------------------------------
    "batch-file-name": (
        "error",
        "批次文件应为 batches/{filing}/{batch}.yaml（文件夹为机构备案号，文件名为批次编号），实际为 {actual}",
        "a batch file must be batches/{filing}/{batch}.yaml (the folder is the filing number, the "
        "name the batch id), not {actual}",
    ),
    "batch-institution-unknown": (
        "error",
        "批次所属机构 {filing} 不在目录中（institutions/{filing}.yaml 不存在或有错误）",
        "the batch's institution {filing} is not in the registry (institutions/{filing}.yaml is "
        "missing or has errors)",
    ),
    "batch-year": (
        "error",
        "批次年份 {year} 应为结果确认日期 {filed} 的年份（证书编号的年份取确认日期）",
        "the batch year {year} must be the year of its confirmation date {filed} (certificate "
        "numbers take that year)",
    ),
    "batch-dates": (
        "error",
        "日期顺序不对：应为 认定开始 ≤ 认定结束 ≤ 结果确认 ≤ 公示开始（{what}）",
        "dates out of order: assessed from ≤ until ≤ confirmed ≤ notice from ({what})",
    ),
    "batch-notice-period": (
        "error",
        "公示期：从 {start} 起 {days} 个工作日应截止于 {expected}（按国务院节假日安排），文件写的是 {actual}",
        "notice: {days} working days from {start} end on {expected} (official holiday calendar), "
        "not {actual}",
    ),
    "batch-notice-short": (
        "error",
        "{province}规定公示期不少于 {minimum} 个工作日，本批次只有 {days} 个",
        "{province} requires a notice of at least {minimum} working days; this batch has {days}",
    ),
    "batch-notice-calendar": (
        "warning",
        "已安装的节假日日历没有 {year} 年的安排，公示期按周一至周五计算；请升级 chinesecalendar 后复核",
        "the installed holiday calendar has no {year} schedule; the notice was counted Monday to "
        "Friday: upgrade chinesecalendar and check it again",
    ),
    "batch-inactive": (
        "error",
        "结果确认日 {date} 机构状态为 {status}，不能提出认定批次",
        "on {date} (results confirmed) the institution is {status}; it cannot file a batch",
    ),
    "batch-scope": (
        "error",
        "{occupation} {job} {level} 级不在机构 {date} 的备案范围内",
        "{occupation} {job} level {level} is not in the institution's scope on {date}",
    ),
    "batch-count-duplicate": (
        "error",
        "{occupation} {job} {level} 级重复列出（第 {other} 行）；请合并人数",
        "{occupation} {job} level {level} is listed twice (line {other}); add the counts together",
    ),
    "batch-decision-early": (
        "error",
        "决定日期 {date} 不能早于公示截止日 {until} 的次日：公示期内不能审批",
        "the decision date {date} must be after the notice's last day {until}: a batch is not "
        "decided during its notice",
    ),
    "batch-reason": (
        "error",
        "驳回必须写明理由（reason）",
        "a rejection needs its reason",
    ),
    "batch-serials": (
        "error",
        "{problem_zh}",
        "{problem_en}",
    ),
    "batch-serial-overlap": (
        "error",
        "{level} 级流水号 {first}–{last} 与批次 {other} 已分配的 {other_first}–{other_last} 重叠",
        "level {level} serials {first}-{last} overlap {other_first}-{other_last} of batch {other}",
    ),
    "batch-duplicate": (
        "error",
        "批次编号 {batch} 与 {other} 重复",
        "batch id {batch} is also used by {other}",
    ),
    # --- notice lists ---------------------------------------------------------------------
    "notice-orphan": (
        "error",
        "公示名单没有对应的批次文件 {batch}.yaml",
        "the notice list has no batch file {batch}.yaml",
    ),
    "notice-after-decision": (
        "error",
        "批次已于 {date} 作出决定，公示名单含个人信息，必须删除（skillcert batch approve/reject 会删除它）",
        "the batch was decided on {date}: its notice list holds personal data and must be deleted "
        "(skillcert batch approve/reject deletes it)",
    ),
    "notice-count": (
        "error",
        "公示名单有 {rows} 人，批次人数为 {total}",
        "the notice list has {rows} people; the batch has {total}",
    ),
    "notice-id-number": (
        "error",
        "公示名单中出现了完整的证件号码（{what}）；只能公示遮蔽后的号码",
        "the notice list shows a whole ID number ({what}); only masked numbers may be noticed",
    ),
    # --- issuance records -----------------------------------------------------------------
    "record-syntax": (
        "error",
        "发证记录不是有效的 JSON：{problem}；请用 skillcert batch publish 重新生成，不要手改",
        "the issuance record is not valid JSON: {problem}; write it again with skillcert batch "
        "publish, do not edit it by hand",
    ),
    "record-fields": (
        "error",
        "发证记录的字段不对（{fields}）；请用 skillcert batch publish 重新生成",
        "the issuance record's fields are wrong ({fields}); write it again with skillcert batch "
        "publish",
    ),
    "record-format": (
        "error",
        "发证记录的格式 {format}（{lookup}）本程序不支持",
        "issuance record format {format} ({lookup}) is not supported",
    ),
    "record-entry": (
        "error",
        "发证记录中 {entry} 的数据格式不对",
        "entry {entry} of the issuance record is malformed",
    ),
    "record-name": (
        "error",
        "发证记录的 record 字段应为 {expected}，实际为 {actual}",
        "the record field must be {expected}, not {actual}",
    ),
    "record-count": (
        "error",
        "发证记录写明 {count} 本，实际列出 {entries} 本",
        "the record says {count} certificates but lists {entries}",
    ),
    "record-digest": (
        "error",
        "发证记录的摘要与内容不符：记录在生成后被改动过",
        "the record's digest does not match its entries: it was changed after it was written",
    ),
    "record-file-name": (
        "error",
        "发证记录应为 batches/{filing}/<批次编号>.record.json 或 reissue-/legacy-<日期>.record.json，实际为 {actual}",
        "a record must be batches/{filing}/<batch>.record.json or reissue-/legacy-<date>.record.json, "
        "not {actual}",
    ),
    "record-batch": (
        "error",
        "发证记录对应的批次 {batch} {why_zh}",
        "the record's batch {batch} {why_en}",
    ),
    "record-number": (
        "error",
        "{number} 第 {version} 版：{why_zh}",
        "{number} v{version}: {why_en}",
    ),
    "record-over-count": (
        "error",
        "{occupation} {job} {level} 级发证 {issued} 本，超过批次批准的 {allowed} 本",
        "{issued} certificates of {occupation} {job} level {level}: the batch allows {allowed}",
    ),
    "record-duplicate": (
        "error",
        "{number} 第 {version} 版已在 {other} 中公布{different_zh}",
        "{number} v{version} is already published in {other}{different_en}",
    ),
    "record-date": (
        "error",
        "{why_zh}",
        "{why_en}",
    ),
}
