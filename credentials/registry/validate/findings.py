"""Findings: what the registry validator reports, and how findings are printed.

A ``Finding`` is one problem in one file: a stable rule id, a severity, a position and a message in
Chinese followed by English. The wording lives in ``credentials.rules``; this module only carries and
formats findings (text, JSON, GitHub Actions annotations). It reads no files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in the registry."""

    rule: str
    severity: Severity
    file: str
    line: int
    column: int
    zh: str
    en: str

    def location(self) -> str:
        """``file:line:column`` (1-based)."""
        return f"{self.file}:{self.line}:{self.column}"

    def message(self) -> str:
        """The message, Chinese first, then English."""
        return f"{self.zh} / {self.en}"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message_zh": self.zh,
            "message_en": self.en,
        }


def sort_key(f: Finding) -> tuple[str, int, int, str]:
    """Order findings by file, position, then rule."""
    return (f.file, f.line, f.column, f.rule)


def count(findings: Iterable[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = warnings = 0
    for f in findings:
        if f.severity == "error":
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def format_text(findings: Iterable[Finding]) -> str:
    """One block per finding, as a compiler prints it."""
    lines = []
    for f in sorted(findings, key=sort_key):
        label = "错误 error" if f.severity == "error" else "警告 warning"
        lines.append(f"{f.location()}: {label} [{f.rule}]\n    {f.zh}\n    {f.en}")
    return "\n".join(lines)


def format_json(findings: Iterable[Finding], *, files: int) -> str:
    """A JSON document with a summary and every finding."""
    items = sorted(findings, key=sort_key)
    errors, warnings = count(items)
    doc = {
        "ok": errors == 0,
        "files": files,
        "errors": errors,
        "warnings": warnings,
        "findings": [f.to_dict() for f in items],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(findings: Iterable[Finding]) -> str:
    """GitHub Actions workflow commands (``::error file=…,line=…::message``)."""
    out = []
    for f in sorted(findings, key=sort_key):
        kind = "error" if f.severity == "error" else "warning"
        props = (
            f"file={_gh_escape(f.file, prop=True)},line={f.line},col={f.column},"
            f"title={_gh_escape(f.rule, prop=True)}"
        )
        out.append(f"::{kind} {props}::{_gh_escape(f.message())}")
    return "\n".join(out)
