"""Text people read: nothing hidden in it, no markup in it, and a way to show what was hidden.

One definition for every place text from outside reaches a person: claims in a credential (a name
or job with a hidden character does not decode), registry files (``registry check`` refuses hidden
characters and markup in text fields), the terminal (the CLI never writes a control character it
received) and pull-request summaries. The verification page (``site/js/verifier.js``) refuses the
same code points in claims.

Hidden: C0 and C1 controls, U+00AD, U+061C, U+180E, zero-width and directional marks
(U+200B-200F), line and paragraph separators and bidi embeddings and overrides (U+2028-202E),
invisible operators and bidi isolates (U+2060-206F), U+FEFF, interlinear annotation (U+FFF9-FFFB)
and tag characters (U+E0000-E007F). Newline and tab are hidden too, except where ``show`` is asked
to keep them (multi-line terminal output).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

HIDDEN_CLASS = (
    "\\x00-\\x1f\\x7f-\\x9f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f"
    "\\ufeff\\ufff9-\\ufffb\\U000e0000-\\U000e007f"
)
_HIDDEN = re.compile(f"[{HIDDEN_CLASS}]")
_HIDDEN_BUT_LINES = re.compile(f"(?![\\n\\t])[{HIDDEN_CLASS}]")
# HTML and Markdown syntax that could turn text into markup where it is shown: tags, entities,
# code spans, links and images, attribute lists, and script URLs.
_MARKUP = re.compile(r"[<>`]|\]\(|!\[|\{[:#.]|&#|&[A-Za-z][A-Za-z0-9]{1,31};|(?i:javascript\s*:)")

# A backslash, every hidden character, markup's single characters, and how the rest begins (flow
# lists and maps of YAML use [ ] { } alone, which is not markup).
_CARRIERS = re.compile(
    "[\\\\<>`&" + HIDDEN_CLASS.replace("\\x00-\\x1f", "\\x00-\\x08\\x0b-\\x1f") + "]"
)

_MARKUP_PAIRS = ("](", "![", "{:", "{#", "{.")
_SCRIPT = re.compile(r"(?i:javascript)")  # its first letter matches j and J only


def hidden(text: str, *, allow_lines: bool = False) -> str | None:
    """The first hidden character of ``text`` as ``U+XXXX`` (None when there is none);
    ``allow_lines`` lets newlines and tabs pass (multi-line notes in a registry file)."""
    m = (_HIDDEN_BUT_LINES if allow_lines else _HIDDEN).search(text)
    return f"U+{ord(m.group()):04X}" if m else None


def markup(text: str) -> str | None:
    """The first piece of markup syntax in ``text`` (None when there is none)."""
    m = _MARKUP.search(text)
    return m.group() if m else None


def could_carry(source: str) -> bool:
    """Whether values read from the YAML ``source`` may hold a hidden character or markup: only
    when the source itself has one, or a backslash (a double-quoted escape such as ``\\u202e``
    makes any character). Folding joins lines with a space or a newline, which no markup pattern
    spans except ``javascript :``, and that is found in the source too. Line breaks and tabs of the
    source are allowed, as in multi-line notes.

    Quick on a clean file (it runs on every registry file): a pair is looked for only where its
    first character is in the source, and ``javascript`` only where a j is."""
    return (
        _CARRIERS.search(source) is not None
        or any(pair[0] in source and pair in source for pair in _MARKUP_PAIRS)
        or any(_SCRIPT.match(source, at) for at in _each(source, "j", "J"))
    )


def _each(text: str, *chars: str) -> Iterator[int]:
    """Every index of ``text`` holding one of ``chars``."""
    for char in chars:
        at = text.find(char)
        while at != -1:
            yield at
            at = text.find(char, at + 1)


def show(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with every hidden character written visibly as ``<U+XXXX>``."""
    pattern = _HIDDEN_BUT_LINES if keep_lines else _HIDDEN
    return pattern.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)
