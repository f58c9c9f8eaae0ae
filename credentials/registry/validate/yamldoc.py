"""Reading one YAML registry file into plain data, keeping the line and column of every value.

The only module that imports PyYAML. It composes the node tree with libyaml (fast) and builds the
data itself, so that it can report duplicate keys, tabs, unsupported tags and syntax errors as
findings with positions, and keep dates as ISO strings for the JSON Schema. It knows nothing about
what the files mean.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import yaml

from credentials.registry.validate.findings import Finding
from credentials.registry.validate.messages import finding
from credentials.registry.validate.yaml_errors import (
    misplaced_full_width,
    problem_zh,
    reports_next_line,
)

# libyaml is in PyYAML's wheels; the pure-Python loader is a slow fallback.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path = tuple[str | int, ...]
Pos = tuple[int, int]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_ScalarNode, _MappingNode = yaml.ScalarNode, yaml.MappingNode  # looked up once per scalar: kept
_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII: "2022-03-0١" is a string
# Occupation codes (6-18-01-01): digits and dashes, a digit first. YAML 1.1 reads none of them as
# a number (a dash is only a sign, or an exponent's after a '.'); the only dates are ISO dates,
# which are tested first.
_DASHED_CODE = re.compile(r"[0-9]+-[0-9-]*")


@dataclass(slots=True)
class Document:
    """A parsed file: its data, the line of each item of its top-level lists, and its text.

    Positions are looked up only for findings: the node tree is kept from the parse, or, for a
    document that came from the parse cache, composed again from the text on first use.
    """

    file: str
    data: Any
    text: str = field(default="", repr=False)
    lines: dict[str, list[int]] = field(default_factory=dict, repr=False)
    root: yaml.Node | None = field(default=None, repr=False)

    def _tree(self) -> yaml.Node | None:
        if self.root is None and self.text:
            loader = _FastLoader(self.text)
            try:
                self.root = loader.get_single_node()
            except yaml.YAMLError:  # cannot happen for text that parsed once; positions fall back
                return None
            finally:
                loader.dispose()
        return self.root

    def _node(self, path: Path) -> tuple[yaml.Node | None, yaml.Node | None]:
        """The value node at ``path`` (or its nearest ancestor) and the key node naming it."""
        node, key_node = self._tree(), None
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == part:
                        node, key_node = v, k
                        break
                else:
                    return node, None
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    return node, None
                node, key_node = node.value[part], None
            else:
                return node, None
        return node, key_node

    def item_lines(self, fields: tuple[str, ...]) -> dict[tuple[str, int], int]:
        """The line of each item of the top-level lists ``fields``, by (field, index)."""
        return {
            (name, i): line for name in fields for i, line in enumerate(self.lines.get(name, ()))
        }

    def at(self, path: Path) -> Callable[[], Pos]:
        """``pos(path)``, looked up when called: for rules that name a place before they know
        whether there is anything wrong there."""
        return partial(self.pos, path)

    def key_at(self, path: Path) -> Callable[[], Pos]:
        """``key_pos(path)``, looked up when called."""
        return partial(self.key_pos, path)

    def pos(self, path: Path) -> Pos:
        """Position of the value at ``path``, or of its nearest parent that exists."""
        node, _ = self._node(path)
        return _mark(node) if node is not None else (1, 1)

    def key_pos(self, path: Path) -> Pos:
        """Position of the key whose value is at ``path`` (falls back to the value)."""
        node, key = self._node(path)
        if key is not None:
            return _mark(key)
        return _mark(node) if node is not None else (1, 1)


def _list_lines(root: yaml.Node) -> dict[str, list[int]]:
    """The line of each item of every top-level list (kept with the data: issuing names them)."""
    out: dict[str, list[int]] = {}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.SequenceNode):
                out[key.value] = [item.start_mark.line + 1 for item in value.value]
    return out


def _mark(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


# Plain scalars starting with a letter that YAML 1.1 reads as something other than a string.
_WORDS = {
    **dict.fromkeys(
        [
            "yes",
            "Yes",
            "YES",
            "no",
            "No",
            "NO",
            "true",
            "True",
            "TRUE",
            "false",
            "False",
            "FALSE",
            "on",
            "On",
            "ON",
            "off",
            "Off",
            "OFF",
        ],
        _BOOL,
    ),
    **dict.fromkeys(["null", "Null", "NULL"], _NULL),
}
# First characters with which a plain scalar may resolve to something other than a string.
_MAYBE_SPECIAL = frozenset("0123456789-+.~<=")


def _plain_decimal(value: str) -> bool:
    """A YAML 1.1 decimal integer with nothing to convert: ASCII digits ("3٣" and "1²" are digits
    to str.isdigit, strings to YAML), no leading zero (012 is octal)."""
    return value.isascii() and value.isdigit() and (len(value) == 1 or value[0] != "0")


class _FastLoader(_Loader):  # type: ignore[misc]
    """libyaml's loader with a quicker tag resolver for the common case.

    PyYAML resolves every plain scalar in Python by trying regular expressions. Most scalars in
    registry files are names and words: when a plain scalar cannot be a number, date, boolean, null
    or merge key (by its first character and the YAML 1.1 words), it is a string; anything else
    goes to the full resolver, so the result is the same as PyYAML's (a test compares them).
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is _ScalarNode:
            if not implicit[0]:
                return _STR
            if value and value[0] not in _MAYBE_SPECIAL:
                return _WORDS.get(value, _STR)
            if _plain_decimal(value):
                return _INT
            if _ISO_DATE.fullmatch(value):
                return _TIMESTAMP
            if _DASHED_CODE.fullmatch(value):
                return _STR
            return super().resolve(kind, value, implicit)
        return _MAP if kind is _MappingNode else _SEQ  # no path resolvers are registered

    # No path resolvers: nothing to track, and libyaml's composer calls these two for every node.
    # Builtins that do nothing, not methods: a Python call each would cost more than the rest of
    # the resolver. ({}.get(node, index) looks the node up in an empty dict; tuple() is ().)
    descend_resolver: Callable[[Any, Any], Any] = {}.get
    ascend_resolver: Callable[[], Any] = tuple


class _Builder:
    def __init__(self, file: str, loader: Any) -> None:
        self.file = file
        self.loader = loader
        self.findings: list[Finding] = []

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.findings.append(finding("yaml-tag", self.file, _mark(node), tag=node.tag))
            build = self.build
            return [  # most items are plain strings: taken without a call each
                item.value if type(item) is _ScalarNode and item.tag == _STR else build(item)
                for item in node.value
            ]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode) -> dict[str, Any]:
        if node.tag != _MAP:
            self.findings.append(finding("yaml-tag", self.file, _mark(node), tag=node.tag))
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is _ScalarNode and key_node.tag == _STR:  # most keys: field names
                key = key_node.value
            else:
                key = self._key(key_node)
            if key in out:
                first = next(k for k, _ in node.value if getattr(k, "value", None) == key)
                self.findings.append(
                    finding(
                        "yaml-duplicate-key",
                        self.file,
                        _mark(key_node),
                        key=key,
                        first=first.start_mark.line + 1,
                    )
                )
                continue
            if type(value_node) is _ScalarNode and value_node.tag == _STR:  # most values
                out[key] = value_node.value
            else:
                out[key] = self.build(value_node)
        return out

    def _key(self, key_node: yaml.Node) -> str:
        key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
        if isinstance(key, str):
            return key
        # Keys are field names or codes: a bare 01 or 2022 is read as a number, so say so.
        shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "…"
        self.findings.append(finding("yaml-key-type", self.file, _mark(key_node), key=repr(shown)))
        return str(shown)

    def _scalar(self, node: yaml.Node) -> Any:
        tag = node.tag
        value: str = node.value
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return self.loader.construct_yaml_bool(node)
        if tag == _INT:
            if _plain_decimal(value):
                return int(value)  # levels, counts: what PyYAML makes of them
            return self.loader.construct_yaml_int(node)  # signs, 0x, 0o, 012 octal, 1_000, 1:20
        if tag == _FLOAT:
            return self.loader.construct_yaml_float(node)
        if tag == _TIMESTAMP:
            # Keep dates as written; the schema checks them as ISO dates.
            return value if _ISO_DATE.fullmatch(value) else value.replace(" ", "T")
        self.findings.append(finding("yaml-tag", self.file, _mark(node), tag=tag))
        return value


def engine() -> str:
    """Which YAML parser this is (part of the parse cache's version)."""
    return f"PyYAML {yaml.__version__}, libyaml {getattr(yaml, '__with_libyaml__', False)}"


_CONTENT = re.compile(r"^[ \t]*[^#\s]", re.MULTILINE)


def parse(raw: bytes, file: str) -> tuple[Document | None, list[Finding]]:
    """Parse one file. Returns the document (None when unusable) and every problem found."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return None, [finding("file-encoding", file, (line, 1))]
    findings: list[Finding] = []
    for m in _TAB_INDENT.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        findings.append(finding("yaml-tab", file, (line, m.end() - m.start())))
    if not _CONTENT.search(text):
        return None, [*findings, finding("yaml-empty", file, (1, 1))]
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        if findings:  # the tab is the cause; one finding per tab line says it better
            return None, findings
        full_width = [finding("yaml-full-width", file, (m.line, m.column), **m.fields)
                      for m in misplaced_full_width(text)]  # fmt: skip
        if full_width:  # the input method's characters are the cause: name them, on their line
            return None, full_width
        problem = " ".join(x for x in (err.context, err.problem) if x) or "unreadable"
        mark = (
            (err.context_mark if reports_next_line(problem) else None)
            or err.problem_mark
            or err.context_mark
        )
        pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if "expected a single document" in problem:
            return None, [finding("yaml-multiple-documents", file, pos)]
        return None, [
            finding("yaml-syntax", file, pos, problem=problem, problem_zh=problem_zh(problem))
        ]
    except yaml.YAMLError as err:
        problem = str(err).splitlines()[0]
        return None, [
            finding("yaml-syntax", file, (1, 1), problem=problem, problem_zh=problem_zh(problem))
        ]
    finally:
        loader.dispose()
    if node is None:
        return None, [*findings, finding("yaml-empty", file, (1, 1))]
    builder = _Builder(file, loader)
    data = builder.build(node)
    return Document(file, data, text, _list_lines(node), node), findings + builder.findings
