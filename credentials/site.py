"""The published site's generated pages and data, from the registry: pure functions, no MkDocs.

``pages(registry, day=…, commit=…)`` returns ``[(path, content)]``: the directory (a search page
and one index page per province), a page per institution in the shape of the national directory's
detail page, the occupation index, the revoked certificates, and the data files (the compact
directory index the search page loads, and the registry snapshot for the offline verifier). The
MkDocs hook (``site/hooks.py``) only wraps them as files. Institution pages are kept out of the
navigation and of Material's search index: at 20,000 institutions both grow too large.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable

from credentials import snapshot
from credentials.describe import ASSESSED_ZH, BASIS_ZH, STATUS_ZH, levels_long
from credentials.levels import Level
from credentials.model import Institution
from credentials.registry import Registry
from credentials.semantics import TYPE_ZH

Page = tuple[str, str | bytes]
_HIDDEN = "---\nsearch:\n  exclude: true\nhide:\n  - navigation\n---\n\n"


def _esc(text: str | None) -> str:
    """Text safe inside a Markdown table cell."""
    if not text:
        return "--"
    return text.replace("|", "\\|").replace("<", "&lt;").replace("*", "\\*").replace("_", "\\_")


def _province(registry: Registry, code: str) -> str:
    rules = registry.bureau.provinces.get(code) if registry.bureau else None
    return rules.name if rules else code


def _city(registry: Registry, inst: Institution) -> str:
    rules = registry.bureau.provinces.get(inst.province) if registry.bureau else None
    return rules.cities.get(inst.city, inst.city) if rules else inst.city


def status_line(day: dt.date, commit: str | None) -> str:
    """ "Registry data as of …" for the home page."""
    c = f"，版本 `{commit[:12]}`" if commit else ""
    ce = f", commit `{commit[:12]}`" if commit else ""
    return f"目录数据截至 {day.isoformat()}{c}。*Registry data as of {day.isoformat()}{ce}.*"


def institution_page(inst: Institution, registry: Registry, day: dt.date) -> str:
    """The detail page of one institution."""
    status = inst.status_on(day)
    rows = [
        f"# {_esc(inst.name)}",
        "",
        f"*{_esc(inst.name_en)}*" if inst.name_en else "",
        "",
        "| 项目 Item | 内容 Details |",
        "|---|---|",
        f"| 备案号 Filing number | `{inst.filing_number}` |",
        f"| 状态 Status ({day.isoformat()}) | **{STATUS_ZH[status]}** |",
        f"| 机构类别 Category | {inst.category}（{'用人单位' if inst.category == 'Y' else '社会培训评价组织'}） |",
        f"| 机构类型 Type | {TYPE_ZH[inst.type]} |",
        f"| 机构简称 Short name | {_esc(inst.short_name)} |",
        f"| 所在地 Location | {_province(registry, inst.province)} {_city(registry, inst)} |",
        f"| 地址 Address | {_esc(inst.address)} |",
        f"| 联系人 Contact | {_esc(inst.contact.person)} {_esc(inst.contact.phone)} |",
        f"| 邮箱 Email | {_esc(inst.contact.email)} |",
        f"| 网址 Website | {_esc(inst.contact.website)} |",
        f"| 备案部门 Filing bureau | {_esc(inst.filing_bureau)} |",
        f"| 备案回执 Receipt | {_esc(inst.filing_receipt)}（{inst.filing_date.isoformat()}） |",
        "| 有效期 Validity | " + "；".join(f"{p.start} 至 {p.until}" for p in inst.validity) + " |",
        "| 认定对象 Who may be assessed | "
        + "、".join(ASSESSED_ZH[a] for a in inst.assessed)
        + " |",
        f"| 注销证书 Revoked certificates | {len(inst.revoked)} |",
        "",
        "## 认定范围 Scope",
        "",
        "| 职业编码 Code | 职业名称 Occupation | 工种/职业方向 Job | 等级 Levels | 评价依据 Basis | 起 Since | 至 Until |",
        "|---|---|---|---|---|---|---|",
    ]
    first = min((r.since for r in inst.scope), default=None)
    for r in sorted(inst.scope, key=lambda r: (r.occupation, r.job or "", r.since)):
        basis = BASIS_ZH.get(r.basis, r.basis) + (
            f"《{_esc(r.specification)}》" if r.specification else ""
        )
        mark = "（增量备案 increment）" if first and r.since > first else ""
        ended = "" if r.applies_on(day) else "（已结束 ended）" if r.until and r.until < day else ""
        rows.append(
            f"| {r.occupation} | {_esc(r.name)} | {_esc(r.job)} | {levels_long(r.levels)} | {basis} "
            f"| {r.since}{mark} | {r.until or ''}{ended} |"
        )
    rows += [
        "",
        "## 状态记录 Status history",
        "",
        "| 日期 Date | 状态 Status | 原因 Reason |",
        "|---|---|---|",
    ]
    rows += [f"| {e.date} | {STATUS_ZH[e.status]} | {_esc(e.reason)} |" for e in inst.status]
    rows += ["", "## 签名公钥 Signing keys", "",
             "| 密钥标识 Key id | 公钥指纹 Fingerprint (SHA-256 of the key) | 启用 From | 停用 Until | 泄露 Compromised |",
             "|---|---|---|---|---|"]  # fmt: skip
    import hashlib

    for k in inst.keys:
        fp = hashlib.sha256(k.public_key).hexdigest()
        rows.append(
            f"| `{k.kid}` | `{fp[:32]}…` | {k.not_before} | {k.not_after or ''} | "
            f"{k.compromised_at or ''} |"
        )
    return _HIDDEN + "\n".join(rows) + "\n"


def _province_page(code: str, insts: list[Institution], registry: Registry, day: dt.date) -> str:
    rows = [
        f"# {_province(registry, code)} 评价机构 Institutions in {_province(registry, code)}",
        "",
        f"共 {len(insts)} 家。*{len(insts)} institutions.* [按条件检索 Search all](index.md)",
        "",
        "| 备案号 Filing number | 机构名称 Name | 城市 City | 类型 Type | 状态 Status |",
        "|---|---|---|---|---|",
    ]
    for inst in sorted(insts, key=lambda i: i.filing_number):
        rows.append(
            f"| [`{inst.filing_number}`](../i/{inst.filing_number}.md) | {_esc(inst.name)} | "
            f"{_city(registry, inst)} | {TYPE_ZH[inst.type]} | {STATUS_ZH[inst.status_on(day)]} |"
        )
    return "---\nsearch:\n  exclude: true\n---\n\n" + "\n".join(rows) + "\n"


def directory_index(registry: Registry, day: dt.date) -> bytes:
    """The compact index the directory page searches in the browser.

    ``occ``: [code, name] pairs; ``rows``: [filing number, name, province, city, category, type,
    status on ``day``, [[occupation index, job index or -1, levels as digits], …]].
    """
    codes = sorted({r.occupation for i in registry.institutions.values() for r in i.scope})
    index = {c: n for n, c in enumerate(codes)}
    jobs = sorted({r.job for i in registry.institutions.values() for r in i.scope if r.job})
    job_index = {j: n for n, j in enumerate(jobs)}
    rows = []
    for inst in sorted(registry.institutions.values(), key=lambda i: i.filing_number):
        scope = [
            [index[r.occupation], job_index[r.job] if r.job else -1,
             "".join(str(int(x)) for x in sorted(r.levels))]
            for r in inst.scope_on(day)
        ]  # fmt: skip
        rows.append([inst.filing_number, inst.name, inst.province, inst.city, inst.category,
                     inst.type, inst.status_on(day), scope])  # fmt: skip
    provinces = {}
    if registry.bureau:
        for code, rules in registry.bureau.provinces.items():
            provinces[code] = {"name": rules.name, "cities": rules.cities}
    occupations = [
        [c, registry.occupations[c].name if c in registry.occupations else c] for c in codes
    ]
    doc = {"date": day.isoformat(), "occ": occupations, "jobs": jobs, "provinces": provinces,
           "types": TYPE_ZH, "rows": rows}  # fmt: skip
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _occupations_page(registry: Registry, day: dt.date) -> str:
    table: dict[tuple[str, str | None], dict[str, list[tuple[Institution, tuple[Level, ...]]]]]
    table = defaultdict(lambda: defaultdict(list))
    for inst in registry.institutions.values():
        if inst.status_on(day) != "active":
            continue
        for r in inst.scope_on(day):
            table[(r.occupation, r.job)][inst.province].append((inst, r.levels))
    rows = [
        "---\nsearch:\n  exclude: true\n---\n",
        "# 职业索引 Occupation index",
        "",
        f"{day.isoformat()} 有效的评价机构可认定的职业（工种）及等级，按省份列出。"
        f"*Which active institutions may certify which occupation, job and level, by province.*",
        "",
    ]
    for (code, job), provinces in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        name = registry.occupations[code].name if code in registry.occupations else code
        rows += [f"## {code} {_esc(name)} / {_esc(job)}", "",
                 "| 省份 Province | 机构 Institution | 等级 Levels |", "|---|---|---|"]  # fmt: skip
        for province, items in sorted(provinces.items()):
            for inst, levels in sorted(items, key=lambda x: x[0].filing_number):
                rows.append(f"| {_province(registry, province)} | [{_esc(inst.name)}](i/{inst.filing_number}.md) "
                            f"| {levels_long(levels)} |")  # fmt: skip
        rows.append("")
    return "\n".join(rows) + "\n"


def _revoked_page(registry: Registry) -> str:
    rows = [
        "# 注销的证书 Revoked certificates",
        "",
        "下列证书已被发证机构注销，核验时显示为无效。*These certificates were revoked by their issuers.*",
        "",
        "| 证书编号 Certificate No. | 版本 Version | 注销日期 Date | 原因 Reason | 发证机构 Institution |",
        "|---|---|---|---|---|",
    ]
    items = [(r, inst) for inst in registry.institutions.values() for r in inst.revoked]
    for r, inst in sorted(items, key=lambda x: (x[0].date, x[0].number), reverse=True):
        rows.append(f"| `{r.number}` | {r.version} | {r.date} | {_esc(r.reason)} | "
                    f"[{_esc(inst.name)}](i/{inst.filing_number}.md) |")  # fmt: skip
    if not items:
        rows.append("| （无 none） | | | | |")
    return "\n".join(rows) + "\n"


def pages(registry: Registry, *, day: dt.date, commit: str | None) -> list[Page]:
    """Every generated page and data file of the site."""
    out: list[Page] = []
    by_province: dict[str, list[Institution]] = defaultdict(list)
    for inst in registry.institutions.values():
        by_province[inst.province].append(inst)
        out.append((f"i/{inst.filing_number}.md", institution_page(inst, registry, day)))
    for code, insts in sorted(by_province.items()):
        out.append((f"directory/{code}.md", _province_page(code, insts, registry, day)))
    out.append(("occupations.md", _occupations_page(registry, day)))
    out.append(("revoked.md", _revoked_page(registry)))
    out.append(("directory/index.json", directory_index(registry, day)))
    for name, data in snapshot.build(registry, day=day, commit=commit).items():
        out.append((f"snapshot/{name}", data))
    return out


def province_links(registry: Registry) -> Iterable[tuple[str, str]]:
    """(province code, name) of every province with institutions."""
    for code in sorted({i.province for i in registry.institutions.values()}):
        yield code, _province(registry, code)
