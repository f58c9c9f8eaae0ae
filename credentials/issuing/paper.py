"""The log of paper certificates (证书管理): counted, registered, stored, handed over, destroyed.

Henan's guide (证书管理一): "职业技能等级证书打印、申领、发放要有专人管理，要对证书数量进行清点确认、
登记、入库、发放、销毁等做好记录，做到各环节可追溯" — and 二: "按合格者人员花名册核发…并做好发放记录".
Every event is a row of the register's ``paper_log`` table with its day and who did it; a revoked
or superseded certificate is never handed over, and nothing happens to a certificate after it was
destroyed. ``rows`` is the log as a table for export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from credentials.errors import IssuanceRefused, RegisterError
from credentials.issuing.register import Register

EVENTS = (
    "清点",
    "登记",
    "入库",
    "发放",
    "销毁",
)  # counted, registered, stored, handed over, destroyed
_ENGLISH = {"清点": "counted", "登记": "registered", "入库": "stored", "发放": "handed over",
            "销毁": "destroyed"}  # fmt: skip


def record(
    register: Register, numbers: Sequence[str], event: str, *, day: dt.date, by: str,
    note: str | None = None,
) -> int:  # fmt: skip
    """Log ``event`` for the current version of each number, all or none; returns how many."""
    if event not in EVENTS:
        raise IssuanceRefused(f"event {event!r} is not one of {', '.join(EVENTS)}",
                              zh=f"“{event}”不是 {'、'.join(EVENTS)} 之一")  # fmt: skip
    if not by.strip():
        raise IssuanceRefused("say who did it (--by)", zh="请写明经办人（--by）")
    with register.transaction():
        todo = []
        for number in numbers:
            versions = register.versions(number)
            if not versions:
                raise RegisterError(
                    f"{number} is not in this register", zh=f"本发证名册中没有 {number}"
                )
            current = versions[-1]
            past = [e for n, v, e, *_ in register.paper_log(number) if v == current.version]
            if "销毁" in past:
                raise IssuanceRefused(f"{number} v{current.version} was destroyed already",
                                      zh=f"{number} 第 {current.version} 版已销毁")  # fmt: skip
            if event == "发放" and current.status != "issued":
                raise IssuanceRefused(
                    f"{number} v{current.version} is {current.status}: it is not handed over",
                    zh=f"{number} 第 {current.version} 版已{'注销' if current.status == 'revoked' else '被补发取代'}，不能发放",
                )
            todo.append(current)
        for e in todo:
            register.log_paper(e.number, e.version, event, day=day, by=by.strip(), note=note)
    return len(todo)


def rows(register: Register) -> list[list[object]]:
    """The log as a table (header first), oldest first."""
    out: list[list[object]] = [["证书编号", "版本", "事项", "Event", "日期", "经办人", "备注"]]
    for number, version, event, day, by, note in register.paper_log():
        out.append([number, version, event, _ENGLISH[event], day, by, note])
    return out
