"""Every text value of a registry file reaches some page or summary: no markup, nothing hidden.

Applied to every YAML file of the registry (institutions, the bureau's file, reference data,
batches and notice lists). Pages escape text anyway (``site.html``); these rules keep the files
themselves honest, so that what a clerk reviews is what readers see.
"""

from __future__ import annotations

from collections.abc import Iterator

from credentials import visible
from credentials.registry.validate.findings import Finding
from credentials.registry.validate.messages import finding
from credentials.registry.validate.yamldoc import Document


def _strings(
    value: object, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, (*path, i))


def _shown(path: tuple[str | int, ...]) -> str:
    return "".join(
        f"[{p + 1}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path)
    )


def check(doc: Document) -> list[Finding]:
    """Every text value of a file reaches some page or summary: no markup, nothing hidden."""
    if doc.text and not visible.could_carry(doc.text):
        return []  # no value can hold what the file's text does not (escapes need a backslash)
    out = []
    for path, text in _strings(doc.data, ()):
        what = visible.hidden(text, allow_lines=True)
        if what is not None:
            out.append(
                finding("text-hidden", doc.file, doc.pos(path), path=_shown(path), what=what)
            )
        what = visible.markup(text)
        if what is not None:
            out.append(
                finding("text-markup", doc.file, doc.pos(path), path=_shown(path), what=what)
            )
    return out
