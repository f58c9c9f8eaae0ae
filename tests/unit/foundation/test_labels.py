"""One label table for Python and the page: complete, bilingual, and the same placeholders in
Chinese and English (the JavaScript tests print every vector's sentences from the same file)."""

from __future__ import annotations

import re

from credentials import labels
from credentials.credential.verify import CHECK_IDS
from credentials.credential.wording import sentence
from credentials.levels import Level

_SLOT = re.compile(r"\{(\w+)\}")


def test_every_check_has_a_title_and_a_passed_sentence() -> None:
    assert list(labels.CHECK_TITLES) == list(CHECK_IDS)
    for check_id in CHECK_IDS:
        assert (check_id, "") in labels.CHECK_REASONS


def test_every_label_is_bilingual_with_the_same_placeholders() -> None:
    sections = [
        labels.CHECK_REASONS,
        labels.CHECK_TITLES,
        labels.MALFORMED,
        labels.PROVINCES,
        labels.LEVELS,
        labels.ID_TYPES,
        labels.STATUSES,
        labels.INSTITUTION_TYPES,
    ]
    for section in sections:
        for key, (zh, en) in section.items():  # type: ignore[attr-defined]
            assert zh.strip(), key
            assert en.strip(), key
            assert re.search(r"[\u4e00-\u9fff]", zh), f"{key}: Chinese first"
            assert sorted(_SLOT.findall(zh)) == sorted(_SLOT.findall(en)), key


def test_problem_codes_are_worded_in_each_language() -> None:
    zh, en = sentence("decode", "malformed", {"problem": "truncated"})
    assert zh == "证书数据损坏或不是本系统的证书：数据不完整（被截断）"
    assert en == "damaged, or not a skillcert credential: the data is cut off"


def test_levels_read_from_the_table() -> None:
    assert Level(3).zh == "三级/高级工"
    assert Level(3).en == labels.LEVELS[3][1]
