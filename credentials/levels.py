"""Skill levels (职业技能等级): the code 1–5 and how each is written on a certificate."""

from __future__ import annotations

from enum import IntEnum


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
        return _ZH[self]

    @property
    def en(self) -> str:
        """English, e.g. ``Level 3 / Senior Worker``."""
        return _EN[self]


_ZH = {
    Level.SENIOR_TECHNICIAN: "一级/高级技师",
    Level.TECHNICIAN: "二级/技师",
    Level.SENIOR_WORKER: "三级/高级工",
    Level.INTERMEDIATE_WORKER: "四级/中级工",
    Level.JUNIOR_WORKER: "五级/初级工",
}
_EN = {
    Level.SENIOR_TECHNICIAN: "Level 1 / Senior Technician",
    Level.TECHNICIAN: "Level 2 / Technician",
    Level.SENIOR_WORKER: "Level 3 / Senior Worker",
    Level.INTERMEDIATE_WORKER: "Level 4 / Intermediate Worker",
    Level.JUNIOR_WORKER: "Level 5 / Junior Worker",
}
