"""The published site's generated pages and data, from the registry: pure functions, no MkDocs.

``pages(registry, day=…, commit=…)`` returns ``[(path, content)]``: the directory (a search page
and one index page per province), a page per institution in the shape of the national directory's
detail page, the occupation index with a page per occupation, the revoked certificates, the
verification page's shell, and the data files (the compact directory index the search page loads,
and the registry snapshot for the offline verifier). The MkDocs hook (``site/hooks.py``) only wraps
them as files. Every page showing registry text is built with ``site.html`` (escaped by
construction); institution and occupation pages are plain HTML documents, out of the navigation and
the search index (at 20,000 institutions both grow too large).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable

from credentials import labels
from credentials.levels import Level
from credentials.registry import snapshot
from credentials.registry.describe import levels_long
from credentials.registry.model import Institution
from credentials.registry.registry import Registry
from credentials.site import batch_pages
from credentials.site.html import Markup, document, el, join, markdown_page, table

Page = tuple[str, str | bytes]


def _province(code: str) -> str:
    """A province's name from our own table (never from registry text): safe in titles."""
    return labels.zh(labels.PROVINCES, code)


def _city(registry: Registry, inst: Institution) -> str:
    rules = registry.bureau.provinces.get(inst.province) if registry.bureau else None
    return rules.cities.get(inst.city, inst.city) if rules else inst.city


def status_line(day: dt.date, commit: str | None) -> str:
    """ "Registry data as of …" for the home page (HTML: our text, a date and a hex commit)."""
    c = f"，版本 {commit[:12]}" if commit else ""
    ce = f", commit {commit[:12]}" if commit else ""
    text = f"目录数据截至 {day.isoformat()}{c}。Registry data as of {day.isoformat()}{ce}."
    return str(el("p", {"class": "sc-status"}, text))


def institution_page(
    inst: Institution, registry: Registry, day: dt.date, *, stylesheets: Iterable[str] = ()
) -> str:
    """The detail page of one institution, as a complete HTML document.

    Written directly (not through Markdown and the theme): at 20,000 institutions the themed
    build costs minutes, this costs seconds. ``stylesheets`` are site-relative CSS paths (the
    theme's, so that the page looks like the rest of the site).
    """
    status = inst.status_on(day)
    first = min((r.since for r in inst.scope), default=None)
    category = labels.zh(labels.CATEGORIES, inst.category)
    details: list[tuple[str, Markup | str]] = [
        ("备案号 Filing number", el("code", None, inst.filing_number)),
        (f"状态 Status ({day.isoformat()})", el("strong", None, labels.both(labels.STATUSES, status))),
        ("机构类别 Category", f"{inst.category}（{category}）"),
        ("机构类型 Type", labels.zh(labels.INSTITUTION_TYPES, inst.type)),
        ("机构简称 Short name", inst.short_name or "--"),
        ("所在地 Location", f"{_province(inst.province)} {_city(registry, inst)}"),
        ("地址 Address", inst.address or "--"),
        ("联系人 Contact", f"{inst.contact.person} {inst.contact.phone}"),
        ("邮箱 Email", inst.contact.email or "--"),
        ("网址 Website", inst.contact.website or "--"),
        ("备案部门 Filing bureau", inst.filing_bureau or "--"),
        ("备案回执 Receipt", f"{inst.filing_receipt}（{inst.filing_date.isoformat()}）"),
        ("有效期 Validity", "；".join(f"{p.start} 至 {p.until}" for p in inst.validity)),
        ("认定对象 Who may be assessed",
         "、".join(labels.zh(labels.ASSESSED, a) for a in inst.assessed) or "--"),
        ("注销证书 Revoked certificates", str(len(inst.revoked))),
    ]  # fmt: skip
    scope_rows = []
    for r in sorted(inst.scope, key=lambda r: (r.occupation, r.job or "", r.since)):
        basis = labels.zh(labels.BASIS, r.basis) + (
            f"《{r.specification}》" if r.specification else ""
        )
        mark = "（增量备案 increment）" if first and r.since > first else ""
        ended = "（已结束 ended）" if r.until and r.until < day else ""
        scope_rows.append([r.occupation, r.name, r.job or "--", levels_long(r.levels), basis,
                           f"{r.since}{mark}", f"{r.until or ''}{ended}"])  # fmt: skip
    keys = [
        [el("code", None, k.kid), el("code", None, hashlib.sha256(k.public_key).hexdigest()[:32] + "…"),
         str(k.not_before), str(k.not_after or ""), str(k.compromised_at or "")]
        for k in inst.keys
    ]  # fmt: skip
    status_rows = [
        [str(ev.date), labels.both(labels.STATUSES, ev.status), ev.reason] for ev in inst.status
    ]
    body = join([
        el("h1", None, inst.name),
        el("p", None, el("em", None, inst.name_en)) if inst.name_en else None,
        table(["项目 Item", "内容 Details"], [[k, v] for k, v in details]),
        el("h2", None, "认定范围 Scope"),
        table(["职业编码 Code", "职业名称 Occupation", "工种/职业方向 Job", "等级 Levels",
               "评价依据 Basis", "起 Since", "至 Until"], scope_rows),
        el("h2", None, "状态记录 Status history"),
        table(["日期 Date", "状态 Status", "原因 Reason"], status_rows),
        el("h2", None, "签名公钥 Signing keys"),
        table(["密钥标识 Key id", "公钥指纹 Fingerprint (SHA-256)", "启用 From", "停用 Until",
               "泄露 Compromised"], keys),
        el("h2", None, "认定批次 Batches"),
        batch_pages.institution_batches(inst, registry, day),
    ])  # fmt: skip
    up = ("directory/", "评价机构目录 Directory")
    return document(f"{inst.name} · {inst.filing_number}", up, body, stylesheets)


def _institution_link(inst: Institution, root: str) -> Markup:
    return el("a", {"href": f"{root}i/{inst.filing_number}/"}, inst.name)


def _province_page(code: str, insts: list[Institution], registry: Registry, day: dt.date) -> str:
    name = _province(code)
    rows = [
        [el("a", {"href": f"../../i/{i.filing_number}/"}, el("code", None, i.filing_number)),
         i.name, _city(registry, i), labels.zh(labels.INSTITUTION_TYPES, i.type),
         labels.both(labels.STATUSES, i.status_on(day))]
        for i in sorted(insts, key=lambda i: i.filing_number)
    ]  # fmt: skip
    body = join([
        el("h1", None, f"{name} 评价机构 Institutions in {labels.PROVINCES.get(code, (code, code))[1]}"),
        el("p", None, f"共 {len(insts)} 家。{len(insts)} institutions. ",
           el("a", {"href": "../"}, "按条件检索 Search all")),
        table(["备案号 Filing number", "机构名称 Name", "城市 City", "类型 Type", "状态 Status"], rows),
    ])  # fmt: skip
    return markdown_page(
        body, title=json.dumps(f"{name} 评价机构", ensure_ascii=False), search=False
    )


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
    rows = []
    table_ = _occupations(registry, day)
    for (code, job), provinces in sorted(table_.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        name = registry.occupations[code].name if code in registry.occupations else code
        count = sum(len(items) for items in provinces.values())
        where = "、".join(_province(p) for p in sorted(provinces))
        link = el("a", {"href": f"../o/{code}/#{_anchor(job)}"}, code)
        rows.append([link, name, job or "--", str(count), where])
    body = join([
        el("h1", None, "职业索引 Occupation index"),
        el("p", None, f"{day.isoformat()} 有效的评价机构可认定的职业（工种），点击查看各省的机构及等级。"
           "Which occupations and jobs active institutions may certify; follow a row for the "
           "institutions and levels by province."),
        table(["职业编码 Code", "职业名称 Occupation", "工种/职业方向 Job", "机构数 Institutions",
               "省份 Provinces"], rows),
    ])  # fmt: skip
    return markdown_page(body, title='"职业索引 Occupation index"', search=True)


def _anchor(job: str | None) -> str:
    return "job-" + hashlib.sha256((job or "").encode()).hexdigest()[:8]


def occupation_pages(registry: Registry, day: dt.date, stylesheets: Iterable[str]) -> list[Page]:
    """One plain-HTML page per occupation: for each job, the institutions and levels by province."""
    by_code: dict[
        str, list[tuple[str | None, dict[str, list[tuple[Institution, tuple[Level, ...]]]]]]
    ]
    by_code = defaultdict(list)
    for (code, job), provinces in _occupations(registry, day).items():
        by_code[code].append((job, provinces))
    out: list[Page] = []
    for code, jobs in sorted(by_code.items()):
        name = registry.occupations[code].name if code in registry.occupations else code
        parts: list[Markup] = [el("h1", None, f"{code} {name}")]
        for job, provinces in sorted(jobs, key=lambda j: j[0] or ""):
            parts.append(el("h2", {"id": _anchor(job)}, f"工种/职业方向 Job: {job or '--'}"))
            rows = [
                [_province(p), _institution_link(i, "../../"), levels_long(levels)]
                for p in sorted(provinces)
                for i, levels in sorted(provinces[p], key=lambda x: x[0].filing_number)
            ]
            parts.append(table(["省份 Province", "机构 Institution", "等级 Levels"], rows))
        up = ("occupations/", "职业索引 Occupations")
        out.append(
            (f"o/{code}/index.html", document(f"{code} {name}", up, join(parts), stylesheets))
        )
    return out


def _revoked_page(registry: Registry) -> str:
    items = [(r, inst) for inst in registry.institutions.values() for r in inst.revoked]
    rows: list[list[Markup | str]] = [
        [el("code", None, r.number), str(r.version or "全部 all"), str(r.date), r.reason,
         _institution_link(inst, "../")]
        for r, inst in sorted(items, key=lambda x: (x[0].date, x[0].number), reverse=True)
    ]  # fmt: skip
    if not rows:
        rows.append(["（无 none）", "", "", "", ""])
    body = join([
        el("h1", None, "注销的证书 Revoked certificates"),
        el("p", None, "下列证书已被发证机构注销，核验时显示为无效。These certificates were revoked by their issuers."),
        table(["证书编号 Certificate No.", "版本 Version", "注销日期 Date", "原因 Reason",
               "发证机构 Institution"], rows),
    ])  # fmt: skip
    return markdown_page(body, title='"注销的证书 Revoked certificates"', search=False)


def verify_page(registry: Registry) -> str:
    """The verification page's shell; ``assets/verify.js`` (bundled from site/js/) does the work."""
    key = registry.bureau.snapshot_public_key.hex() if registry.bureau else ""
    root = el(
        "div", {"id": "sc-verify", "data-bureau-key": key, "data-snapshot": "../snapshot/"},
        el("div", {"id": "sc-result", "class": "sc-result", "aria-live": "polite"}),
        el("div", {"id": "sc-id", "class": "sc-id", "hidden": ""},
           el("label", {"for": "sc-id-number"},
              "核对持证人证件号码（只在本机计算）Check the holder's ID number (computed here only)"),
           el("input", {"id": "sc-id-number", "autocomplete": "off", "inputmode": "text"}),
           el("button", {"id": "sc-id-check", "type": "button"}, "核对 Check"),
           el("p", {"id": "sc-id-result"})),
        el("div", {"class": "sc-inputs"},
           el("button", {"id": "sc-camera", "type": "button"}, "📷 用相机扫描 Scan with the camera"),
           el("label", {"class": "sc-upload-label"}, "🖼️ 选择照片或截图 Choose a photo or screenshot",
              el("input", {"id": "sc-upload", "type": "file", "accept": "image/*"}))),
        el("video", {"id": "sc-video", "playsinline": "", "muted": "", "hidden": ""}),
        el("details", {"class": "sc-paste-box"},
           el("summary", None, "粘贴二维码内容 Paste the QR code's text"),
           el("textarea", {"id": "sc-paste", "rows": "3"}),
           el("button", {"id": "sc-paste-go", "type": "button"}, "核验 Verify")),
        el("details", {"class": "sc-lookup-box", "id": "sc-lookup-box"},
           el("summary", None, "没有二维码？按证书编号查询 No QR code? Look up by certificate number"),
           el("label", {"for": "sc-lookup-number"}, "证书编号 Certificate No."),
           el("input", {"id": "sc-lookup-number", "autocomplete": "off", "maxlength": "40",
                        "placeholder": "Y000041019001263000001"}),
           el("label", {"for": "sc-lookup-id"}, "持证人证件号码 The holder's ID number"),
           el("input", {"id": "sc-lookup-id", "autocomplete": "off"}),
           el("button", {"id": "sc-lookup-go", "type": "button"}, "查询 Look up"),
           el("p", {"class": "sc-note"}, "只在本机对照主管部门公布的发证记录，号码不会发送到任何地方；每次查询需约一秒。"
              "Checked on this device against the bureau's published records; nothing is sent anywhere.")),
    )  # fmt: skip
    body = join([
        el("h1", None, "证书核验 Verify a certificate"),
        root,
        el("script", {"type": "module", "src": "../assets/verify.js"}),
        el("p", None, "证书信息只在您的设备上处理，不会发送到任何服务器。"
           "The certificate is checked on this device only; nothing is sent to any server."),
    ])  # fmt: skip
    front = '---\ntitle: "证书核验 Verify"\nsearch:\n  exclude: true\nhide:\n  - toc\n---\n\n'
    return front + str(body) + "\n"


def pages(
    registry: Registry, *, day: dt.date, commit: str | None, stylesheets: Iterable[str] = ()
) -> list[Page]:
    """Every generated page and data file of the site."""
    out: list[Page] = []
    by_province: dict[str, list[Institution]] = defaultdict(list)
    for inst in registry.institutions.values():
        by_province[inst.province].append(inst)
        page = institution_page(inst, registry, day, stylesheets=stylesheets)
        out.append((f"i/{inst.filing_number}/index.html", page))
    for code, insts in sorted(by_province.items()):
        out.append((f"directory/{code}.md", _province_page(code, insts, registry, day)))
    out.append(("occupations.md", _occupations_page(registry, day)))
    out += occupation_pages(registry, day, stylesheets)
    out.append(("revoked.md", _revoked_page(registry)))
    out.append(("notices.md", batch_pages.notices_page(registry, day)))
    for batch in registry.batches.values():
        page = batch_pages.batch_page(batch, registry, day, stylesheets=stylesheets)
        out.append((f"{batch_pages.batch_path(batch)}index.html", page))
    out.append(("v.md", verify_page(registry)))
    out.append(("directory/index.json", directory_index(registry, day)))
    for name, data in snapshot.build(registry, day=day, commit=commit).items():
        out.append((f"snapshot/{name}", data))
    return out


def province_links(registry: Registry) -> str:
    """Links to the province pages (of the directory page), one per province with institutions:
    a bureau's registry decides which provinces there are."""
    codes = sorted({i.province for i in registry.institutions.values()})
    links = [el("a", {"href": f"{code}/"}, _province(code)) for code in codes]
    return str(
        el("p", {"class": "sc-provinces"}, "按省份浏览 Browse by province: ", join(links, " · "))
    )
