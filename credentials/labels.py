"""Every label people read, Chinese first and English second, from one table: ``labels.json``.

The same file is bundled into the verification page (``site/js/wording.js`` imports it), so the
command line and the page name levels, ID types, provinces, institution types, statuses and every
verification check and reason with identical strings. This module only loads the table and gives it
types; it knows nothing about what the labels describe. No third-party import, no clock, no I/O
besides reading the packaged file once.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

Pair = tuple[str, str]  # (Chinese, English)


def _load() -> dict[str, Any]:
    text = resources.files("credentials").joinpath("labels.json").read_text("utf-8")
    table: dict[str, Any] = json.loads(text)
    return table


_TABLE = _load()


def _pairs(section: str) -> dict[str, Pair]:
    return {key: (zh, en) for key, (zh, en) in _TABLE[section].items()}


LEVELS: dict[int, Pair] = {int(k): v for k, v in _pairs("levels").items()}
ID_TYPES: dict[int, Pair] = {int(k): v for k, v in _pairs("id_types").items()}
PROVINCES: dict[str, Pair] = _pairs("provinces")  # GB/T 2260 province-level codes
INSTITUTION_TYPES: dict[str, Pair] = _pairs("institution_types")
CATEGORIES: dict[str, Pair] = _pairs("categories")
STATUSES: dict[str, Pair] = _pairs("statuses")
ASSESSED: dict[str, Pair] = _pairs("assessed")
BASIS: dict[str, Pair] = _pairs("basis")
BATCH_STAGES: dict[str, Pair] = _pairs("batch_stages")
CHECK_TITLES: dict[str, Pair] = {
    cid: (c["title"][0], c["title"][1]) for cid, c in _TABLE["checks"].items()
}
CHECK_REASONS: dict[tuple[str, str], Pair] = {
    (cid, reason): (zh, en)
    for cid, c in _TABLE["checks"].items()
    for reason, (zh, en) in c["reasons"].items()
}
MALFORMED: dict[str, Pair] = _pairs("malformed")  # why a credential does not decode
VERDICTS: dict[str, tuple[Pair, Pair]] = {
    kind: ((v["title"][0], v["title"][1]), (v["advice"][0], v["advice"][1]))
    for kind, v in _TABLE["verdicts"].items()
}  # kind -> (title, what to do)
VERDICT_OF: dict[str, str] = dict(_TABLE["verdict_of"])  # "check" or "check|reason" -> kind
LOOKUP: dict[str, tuple[Pair, Pair]] = {
    status: ((v[0][0], v[0][1]), (v[1][0], v[1][1])) for status, v in _TABLE["lookup"].items()
}  # lookup status -> (title, what to do)
UNVERIFIED: Pair = (_TABLE["unverified"][0], _TABLE["unverified"][1])
SKIPPED: Pair = (_TABLE["skipped"][0], _TABLE["skipped"][1])


def zh(section: dict[str, Pair], key: str) -> str:
    """The Chinese label of ``key`` in a section (the key itself when the table has none)."""
    pair = section.get(key)
    return pair[0] if pair else key


def both(section: dict[str, Pair], key: str) -> str:
    """``中文 English`` for ``key`` (the key itself when the table has none)."""
    pair = section.get(key)
    return f"{pair[0]} {pair[1]}" if pair else key
