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
import hashlib
import html
import json
from collections import defaultdict
from collections.abc import Iterable

from credentials import labels
from credentials.levels import Level
from credentials.registry import snapshot
from credentials.registry.describe import levels_long
from credentials.registry.model import Institution
from credentials.registry.registry import Registry

Page = tuple[str, str | bytes]


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


def _html_page(title: str, up: tuple[str, str], body: str, stylesheets: Iterable[str]) -> str:
    """A complete page two levels below the site root (``i/<n>/``, ``o/<code>/``), in the
    site's look: the theme's stylesheets, a bar back to the home page and to ``up``."""
    e = html.escape
    links = "".join(f'<link rel="stylesheet" href="../../{e(css)}">' for css in stylesheets)
    return (
        '<!doctype html>\n<html lang="zh"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{e(title)}</title>{links}</head>"
        '<body><header class="sc-bar"><a href="../../">职业技能等级证书核验</a> · '
        f'<a href="../../{up[0]}">{e(up[1])}</a></header>'
        f'<main class="md-typeset sc-page">{body}</main></body></html>\n'
    )


def institution_page(
    inst: Institution, registry: Registry, day: dt.date, *, stylesheets: Iterable[str] = ()
) -> str:
    """The detail page of one institution, as a complete HTML document.

    Written directly (not through Markdown and the theme): at 20,000 institutions the themed
    build costs minutes, this costs seconds. ``stylesheets`` are site-relative CSS paths (the
    theme's, so that the page looks like the rest of the site).
    """
    e = html.escape
    status = inst.status_on(day)
    first = min((r.since for r in inst.scope), default=None)
    details = [
        ("备案号 Filing number", f"<code>{inst.filing_number}</code>"),
        (
            f"状态 Status ({day.isoformat()})",
            f"<strong>{e(labels.both(labels.STATUSES, status))}</strong>",
        ),
        (
            "机构类别 Category",
            f"{inst.category}（{'用人单位' if inst.category == 'Y' else '社会培训评价组织'}）",
        ),
        ("机构类型 Type", e(labels.zh(labels.INSTITUTION_TYPES, inst.type))),
        ("机构简称 Short name", e(inst.short_name or "--")),
        ("所在地 Location", f"{e(_province(registry, inst.province))} {e(_city(registry, inst))}"),
        ("地址 Address", e(inst.address or "--")),
        ("联系人 Contact", f"{e(inst.contact.person)} {e(inst.contact.phone)}"),
        ("邮箱 Email", e(inst.contact.email or "--")),
        ("网址 Website", e(inst.contact.website or "--")),
        ("备案部门 Filing bureau", e(inst.filing_bureau or "--")),
        ("备案回执 Receipt", f"{e(inst.filing_receipt)}（{inst.filing_date.isoformat()}）"),
        ("有效期 Validity", "；".join(f"{p.start} 至 {p.until}" for p in inst.validity)),
        (
            "认定对象 Who may be assessed",
            "、".join(labels.zh(labels.ASSESSED, a) for a in inst.assessed) or "--",
        ),
        ("注销证书 Revoked certificates", str(len(inst.revoked))),
    ]
    scope_rows = []
    for r in sorted(inst.scope, key=lambda r: (r.occupation, r.job or "", r.since)):
        basis = labels.zh(labels.BASIS, r.basis) + (
            f"《{r.specification}》" if r.specification else ""
        )
        mark = "（增量备案 increment）" if first and r.since > first else ""
        ended = "（已结束 ended）" if r.until and r.until < day else ""
        scope_rows.append(
            [
                r.occupation,
                r.name,
                r.job or "--",
                levels_long(r.levels),
                basis,
                f"{r.since}{mark}",
                f"{r.until or ''}{ended}",
            ]
        )
    keys = [
        [
            f"<code>{k.kid}</code>",
            f"<code>{hashlib.sha256(k.public_key).hexdigest()[:32]}…</code>",
            str(k.not_before),
            str(k.not_after or ""),
            str(k.compromised_at or ""),
        ]
        for k in inst.keys
    ]

    def table(head: list[str], rows: list[list[str]], *, raw: bool = False) -> str:
        cells = "".join(f"<th>{e(h)}</th>" for h in head)
        body = "".join(
            "<tr>" + "".join(f"<td>{c if raw else e(c)}</td>" for c in row) + "</tr>"
            for row in rows
        )
        return f'<div class="md-typeset__table"><table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></div>'

    parts = [
        f"<h1>{e(inst.name)}</h1>",
        f"<p><em>{e(inst.name_en)}</em></p>" if inst.name_en else "",
        table(["项目 Item", "内容 Details"], [[k, v] for k, v in details], raw=True),
        "<h2>认定范围 Scope</h2>",
        table(
            [
                "职业编码 Code",
                "职业名称 Occupation",
                "工种/职业方向 Job",
                "等级 Levels",
                "评价依据 Basis",
                "起 Since",
                "至 Until",
            ],
            scope_rows,
        ),
        "<h2>状态记录 Status history</h2>",
        table(
            ["日期 Date", "状态 Status", "原因 Reason"],
            [
                [str(ev.date), labels.both(labels.STATUSES, ev.status), ev.reason]
                for ev in inst.status
            ],
        ),
        "<h2>签名公钥 Signing keys</h2>",
        table(
            [
                "密钥标识 Key id",
                "公钥指纹 Fingerprint (SHA-256)",
                "启用 From",
                "停用 Until",
                "泄露 Compromised",
            ],
            keys,
            raw=True,
        ),
    ]
    return _html_page(
        f"{inst.name} · {inst.filing_number}",
        ("directory/", "评价机构目录 Directory"),
        "".join(parts),
        stylesheets,
    )


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
            f"| [`{inst.filing_number}`](../../i/{inst.filing_number}/) | {_esc(inst.name)} | "
            f"{_city(registry, inst)} | {labels.zh(labels.INSTITUTION_TYPES, inst.type)} | {labels.both(labels.STATUSES, inst.status_on(day))} |"
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
            [
                index[r.occupation],
                job_index[r.job] if r.job else -1,
                "".join(str(int(x)) for x in sorted(r.levels)),
            ]
            for r in inst.scope_on(day)
        ]
        rows.append(
            [
                inst.filing_number,
                inst.name,
                inst.province,
                inst.city,
                inst.category,
                inst.type,
                inst.status_on(day),
                scope,
            ]
        )
    provinces = {}
    if registry.bureau:
        for code, rules in registry.bureau.provinces.items():
            provinces[code] = {"name": rules.name, "cities": rules.cities}
    occupations = [
        [c, registry.occupations[c].name if c in registry.occupations else c] for c in codes
    ]
    doc = {
        "date": day.isoformat(),
        "occ": occupations,
        "jobs": jobs,
        "provinces": provinces,
        "types": {k: v[0] for k, v in labels.INSTITUTION_TYPES.items()},
        "rows": rows,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _occupations(
    registry: Registry, day: dt.date
) -> dict[tuple[str, str | None], dict[str, list[tuple[Institution, tuple[Level, ...]]]]]:
    table: dict[tuple[str, str | None], dict[str, list[tuple[Institution, tuple[Level, ...]]]]]
    table = defaultdict(lambda: defaultdict(list))
    for inst in registry.institutions.values():
        if inst.status_on(day) != "active":
            continue
        for r in inst.scope_on(day):
            table[(r.occupation, r.job)][inst.province].append((inst, r.levels))
    return table


def _occupations_page(registry: Registry, day: dt.date) -> str:
    """The occupation index: one row per occupation and job, linking to its page."""
    rows = [
        "---\nsearch:\n  exclude: true\n---\n",
        "# 职业索引 Occupation index",
        "",
        f"{day.isoformat()} 有效的评价机构可认定的职业（工种），点击查看各省的机构及等级。"
        "*Which occupations and jobs active institutions may certify; follow a row for the "
        "institutions and levels by province.*",
        "",
        "| 职业编码 Code | 职业名称 Occupation | 工种/职业方向 Job | 机构数 Institutions | 省份 Provinces |",
        "|---|---|---|---|---|",
    ]
    table = _occupations(registry, day)
    for (code, job), provinces in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        name = registry.occupations[code].name if code in registry.occupations else code
        count = sum(len(items) for items in provinces.values())
        where = "、".join(_province(registry, p) for p in sorted(provinces))
        rows.append(
            f"| [{code}](../o/{code}/#{_anchor(job)}) | {_esc(name)} | {_esc(job)} | {count} "
            f"| {where} |"
        )
    return "\n".join(rows) + "\n"


def _anchor(job: str | None) -> str:
    return "job-" + hashlib.sha256((job or "").encode()).hexdigest()[:8]


def occupation_pages(registry: Registry, day: dt.date, stylesheets: Iterable[str]) -> list[Page]:
    """One plain-HTML page per occupation: for each job, the institutions and levels by province."""
    e = html.escape
    by_code: dict[
        str, list[tuple[str | None, dict[str, list[tuple[Institution, tuple[Level, ...]]]]]]
    ]
    by_code = defaultdict(list)
    for (code, job), provinces in _occupations(registry, day).items():
        by_code[code].append((job, provinces))
    out: list[Page] = []
    for code, jobs in sorted(by_code.items()):
        name = registry.occupations[code].name if code in registry.occupations else code
        parts = [f"<h1>{e(code)} {e(name)}</h1>"]
        for job, provinces in sorted(jobs, key=lambda j: j[0] or ""):
            parts.append(f'<h2 id="{_anchor(job)}">工种/职业方向 Job: {e(job or "--")}</h2>')
            body = "".join(
                f'<tr><td>{e(_province(registry, p))}</td><td><a href="../../i/{i.filing_number}/">'
                f"{e(i.name)}</a></td><td>{e(levels_long(levels))}</td></tr>"
                for p in sorted(provinces)
                for i, levels in sorted(provinces[p], key=lambda x: x[0].filing_number)
            )
            parts.append(
                '<div class="md-typeset__table"><table><thead><tr><th>省份 Province</th>'
                f"<th>机构 Institution</th><th>等级 Levels</th></tr></thead><tbody>{body}"
                "</tbody></table></div>"
            )
        out.append(
            (
                f"o/{code}/index.html",
                _html_page(
                    f"{code} {name}",
                    ("occupations/", "职业索引 Occupations"),
                    "".join(parts),
                    stylesheets,
                ),
            )
        )
    return out


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
        rows.append(
            f"| `{r.number}` | {r.version} | {r.date} | {_esc(r.reason)} | "
            f"[{_esc(inst.name)}](../i/{inst.filing_number}/) |"
        )
    if not items:
        rows.append("| （无 none） | | | | |")
    return "\n".join(rows) + "\n"


def verify_page(registry: Registry) -> str:
    """The verification page's shell; ``assets/verify.js`` (bundled from site/js/) does the work."""
    key = registry.bureau.snapshot_public_key.hex() if registry.bureau else ""
    return f"""---
search:
  exclude: true
hide:
  - toc
---

# 证书核验 Verify a certificate

<div id="sc-verify" data-bureau-key="{key}" data-snapshot="../snapshot/" markdown="0">
  <div id="sc-result" class="sc-result" aria-live="polite"></div>
  <div id="sc-id" class="sc-id" hidden>
    <label for="sc-id-number">核对持证人证件号码（只在本机计算）Check the holder's ID number (computed here only)</label>
    <input id="sc-id-number" autocomplete="off" inputmode="text">
    <button id="sc-id-check" type="button">核对 Check</button>
    <p id="sc-id-result"></p>
  </div>
  <div class="sc-inputs">
    <button id="sc-camera" type="button">📷 用相机扫描 Scan with the camera</button>
    <label class="sc-upload-label">🖼️ 选择照片或截图 Choose a photo or screenshot
      <input id="sc-upload" type="file" accept="image/*"></label>
  </div>
  <video id="sc-video" playsinline muted hidden></video>
  <details class="sc-paste-box">
    <summary>粘贴二维码内容 Paste the QR code's text</summary>
    <textarea id="sc-paste" rows="3"></textarea>
    <button id="sc-paste-go" type="button">核验 Verify</button>
  </details>
</div>

<script type="module" src="../assets/verify.js"></script>

证书信息只在您的设备上处理，不会发送到任何服务器。
*The certificate is checked on this device only; nothing is sent to any server.*
"""


def pages(
    registry: Registry, *, day: dt.date, commit: str | None, stylesheets: Iterable[str] = ()
) -> list[Page]:
    """Every generated page and data file of the site."""
    out: list[Page] = []
    by_province: dict[str, list[Institution]] = defaultdict(list)
    for inst in registry.institutions.values():
        by_province[inst.province].append(inst)
        out.append(
            (
                f"i/{inst.filing_number}/index.html",
                institution_page(inst, registry, day, stylesheets=stylesheets),
            )
        )
    for code, insts in sorted(by_province.items()):
        out.append((f"directory/{code}.md", _province_page(code, insts, registry, day)))
    out.append(("occupations.md", _occupations_page(registry, day)))
    out += occupation_pages(registry, day, stylesheets)
    out.append(("revoked.md", _revoked_page(registry)))
    out.append(("v.md", verify_page(registry)))
    out.append(("directory/index.json", directory_index(registry, day)))
    for name, data in snapshot.build(registry, day=day, commit=commit).items():
        out.append((f"snapshot/{name}", data))
    return out


def province_links(registry: Registry) -> str:
    """Markdown links to the province pages (of the directory page), one per province with
    institutions: a bureau's registry decides which provinces there are."""
    codes = sorted({i.province for i in registry.institutions.values()})
    return " · ".join(f"[{_province(registry, code)}]({code}.md)" for code in codes)
