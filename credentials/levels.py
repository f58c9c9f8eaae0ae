"""Skill levels (职业技能等级): the code 1–5 and how each is written on a certificate."""

from __future__ import annotations

from enum import IntEnum

from credentials.labels import LEVELS


class Level(IntEnum):
    """A skill level; the value is the code at position 16 of a certificate number."""

    SENIOR_TECHNICIAN = 1  # 一级/高级技师
    TECHNICIAN = 2  # 二级/技师
    SENIOR_WORKER = 3  # 三级/高级工
    INTERMEDIATE_WORKER = 4  # 四级/中级工
    JUNIOR_WORKER = 5  # 五级/初级工

    @property
    def zh(self) -> str:
        """As printed on a certificate, e.g. ``三级/高级工``."""
        return LEVELS[self.value][0]

    @property
    def en(self) -> str:
        """English, e.g. ``Level 3 / Senior Worker``."""
        return LEVELS[self.value][1]
