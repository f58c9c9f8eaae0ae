"""HTML built from data, escaped by construction. The only module that imports ``markupsafe``.

Every page that shows registry text is made with ``el()``: a child that is a plain ``str`` is
always escaped (and its hidden characters, bidi overrides and zero-width ones, are written out as
``<U+202E>``), and only what ``el()`` itself returned (a ``Markup``) is inserted as markup. There
is no way to paste a string into a page unescaped, so an institution name such as
``![x](x){: onerror=…}`` or ``<script>`` reaches the reader as those characters. Registry text never
goes through Markdown: the generated Markdown pages hold one raw HTML block, which Python-Markdown
leaves alone (no ``attr_list``, no links).

Also here: the Content-Security-Policy every page carries (no inline script, no other origin).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape

from credentials import visible

Node = str | Markup | None
__all__ = ["CSP", "Markup", "Node", "csp_meta", "document", "el", "join", "markdown_page", "table"]


def _text(node: Node) -> Markup:
    """A child: markup we made stays; text is escaped, its hidden characters written out."""
    if isinstance(node, Markup):
        return node
    return escape(visible.show(str(node), keep_lines=True))


# No script but the site's own files, nothing from another host. 'wasm-unsafe-eval' lets the
# verification page compile Argon2id's WebAssembly; styles may be inline (the theme sets some).
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'"
)
_VOID = frozenset({"meta", "link", "br", "img", "input"})


def el(tag: str, attrs: Mapping[str, str | None] | None = None, *children: Node) -> Markup:
    """``<tag attrs>children</tag>``: attribute values and ``str`` children are escaped."""
    parts = [f"<{tag}"]
    for name, value in (attrs or {}).items():
        if value is not None:
            parts.append(Markup(' {}="{}"').format(Markup(name), _text(value)))
    parts.append(">")
    if tag in _VOID:
        return Markup("".join(parts))
    body = Markup("").join(_text(c) for c in children if c is not None)
    return Markup("".join(parts)) + body + Markup(f"</{tag}>")


def join(items: Iterable[Node], separator: str = "") -> Markup:
    """Nodes one after the other (``str`` items escaped)."""
    return _text(separator).join(_text(i) for i in items if i is not None)


def table(head: Iterable[str], rows: Iterable[Iterable[Node]]) -> Markup:
    """A table in the theme's look. With three columns or more it becomes one card per row on a
    phone (``sc-cards``: each cell labelled with its column's heading), so that no column is
    cut off at 390 px."""
    heads = list(head)
    thead = el("thead", None, el("tr", None, *(el("th", None, h) for h in heads)))
    body = el("tbody", None, *(
        el("tr", None, *(el("td", {"data-label": h}, c) for h, c in zip(heads, row, strict=True)))
        for row in rows
    ))  # fmt: skip
    kind = "md-typeset__table sc-cards" if len(heads) >= 3 else "md-typeset__table"
    return el("div", {"class": kind}, el("table", None, thead, body))


def csp_meta() -> Markup:
    """The Content-Security-Policy as a ``<meta>`` tag (static hosts send no headers of ours)."""
    return el("meta", {"http-equiv": "Content-Security-Policy", "content": CSP})


def document(
    title: str, up: tuple[str, str], body: Markup, stylesheets: Iterable[str], *, depth: int = 2
) -> str:
    """A complete page ``depth`` levels below the site root (``i/<n>/``, ``o/<code>/``) in the
    site's look: the theme's stylesheets, a bar back to the home page and to ``up``."""
    root = "../" * depth
    head = join(
        [
            el("meta", {"charset": "utf-8"}),
            csp_meta(),
            el("meta", {"name": "viewport", "content": "width=device-width,initial-scale=1"}),
            el("title", None, title),
            *(el("link", {"rel": "stylesheet", "href": root + css}) for css in stylesheets),
        ]
    )
    bar = el(
        "header", {"class": "sc-bar"},
        el("a", {"href": root}, "职业技能等级证书核验"), " · ", el("a", {"href": root + up[0]}, up[1]),
    )  # fmt: skip
    page = el(
        "html", {"lang": "zh"}, el("head", None, head),
        el("body", None, bar, el("main", {"class": "md-typeset sc-page"}, body)),
    )  # fmt: skip
    return "<!doctype html>\n" + str(page) + "\n"


def markdown_page(body: Markup, *, title: str, search: bool) -> str:
    """A Markdown page for MkDocs whose content is one raw HTML block (Markdown never sees the
    registry text inside it). ``title`` must be our own text, never registry text."""
    front = f"---\ntitle: {title}\n" + ("" if search else "search:\n  exclude: true\n") + "---\n\n"
    return front + str(el("div", {"class": "sc-generated"}, body)) + "\n"
