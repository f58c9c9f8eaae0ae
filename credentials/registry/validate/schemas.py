"""The JSON Schemas (2020-12) of the registry files, and schema errors turned into findings.

The only module that imports ``jsonschema`` and ``jsonschema_rs``. The schemas in ``schema/`` are the
written contract for registry files. ``jsonschema_rs`` (compiled, fast) decides whether a document is
valid; only a document it rejects goes through ``jsonschema``, whose errors carry the paths and schema
keywords we explain to people.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

import jsonschema_rs

from credentials.registry.validate.findings import Finding
from credentials.registry.validate.messages import finding
from credentials.registry.validate.yamldoc import Document, Path

if TYPE_CHECKING:
    import jsonschema

Kind = Literal["institution", "bureau", "occupations", "batch", "notice"]

_TYPE_ZH = {
    "string": "文本（字符串）",
    "integer": "整数",
    "number": "数字",
    "boolean": "布尔值",
    "array": "列表",
    "object": "映射",
    "null": "空（null）",
}
_REQUIRED_RE = re.compile(r"'(.+)' is a required property")


@cache
def schema(kind: Kind) -> dict[str, Any]:
    """The JSON Schema of a file kind, as shipped in the package."""
    text = (
        resources.files("credentials.registry.validate")
        .joinpath(f"schema/{kind}.schema.json")
        .read_text("utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _fast(kind: Kind) -> Any:
    return jsonschema_rs.validator_for(schema(kind), validate_formats=True)


@cache
def _explaining(kind: Kind) -> jsonschema.protocols.Validator:
    import jsonschema  # only for a document jsonschema_rs rejects: 70 ms of import saved otherwise

    cls = jsonschema.validators.validator_for(schema(kind))
    cls.check_schema(schema(kind))
    validator: jsonschema.protocols.Validator = cls(schema(kind), format_checker=cls.FORMAT_CHECKER)
    return validator


def validate(doc: Document, kind: Kind) -> list[Finding]:
    """Every schema problem of ``doc`` as findings (empty when it is valid)."""
    if _fast(kind).is_valid(doc.data):
        return []
    out: list[Finding] = []
    for err in _explaining(kind).iter_errors(doc.data):
        out.extend(_explain(err, doc))
    # One finding per place and rule is enough (oneOf branches can repeat themselves).
    seen: set[tuple[str, int, int, str]] = set()
    unique = []
    for f in out:
        k = (f.rule, f.line, f.column, f.en)
        if k not in seen:
            seen.add(k)
            unique.append(f)
    return unique


def _show_path(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(root)"


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _hint(sch: Any) -> tuple[str, str]:
    if isinstance(sch, dict):
        if "x-hint-zh" in sch:
            return sch["x-hint-zh"], sch["x-hint-en"]
        ref = sch.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _hint(schema_root_defs().get(ref.removeprefix("#/$defs/")))
    return "", ""


@cache
def schema_root_defs() -> dict[str, Any]:
    """All ``$defs`` of all schemas (names are shared and mean the same)."""
    defs: dict[str, Any] = {}
    for kind in ("institution", "bureau", "occupations"):
        defs.update(schema(kind).get("$defs", {}))
    return defs


def _titles(sch: Any, field: str) -> tuple[str, str]:
    prop = sch.get("properties", {}).get(field, {}) if isinstance(sch, dict) else {}
    title = prop.get("title", field)
    zh, _, en = title.partition(" / ")
    return zh, en or zh


Explainer = Callable[["jsonschema.ValidationError", Document, Path], Iterator[Finding]]


def _required(err: jsonschema.ValidationError, doc: Document, path: Path) -> Iterator[Finding]:
    m = _REQUIRED_RE.match(err.message)
    field = m.group(1) if m else "?"
    zh, en = _titles(err.schema, field)
    shown = _show_path(path)
    yield finding(
        "schema-required", doc.file, doc.key_pos(path) if path else (1, 1), field=field,
        title=zh, title_en=en, where=f"{shown} 中" if path else "",
        where_en=f"{shown}: " if path else "",
    )  # fmt: skip


def _unknown_field(err: jsonschema.ValidationError, doc: Document, path: Path) -> Iterator[Finding]:
    known = set(err.schema.get("properties", {})) if isinstance(err.schema, dict) else set()
    for extra in err.instance if isinstance(err.instance, dict) else {}:
        if extra not in known:
            yield finding(
                "schema-unknown-field", doc.file, doc.key_pos((*path, extra)), field=extra
            )


def _wrong_type(err: jsonschema.ValidationError, doc: Document, path: Path) -> Iterator[Finding]:
    expected: Any = err.validator_value
    names = [str(n) for n in (expected if isinstance(expected, list) else [expected])]
    yield _type_finding(doc, path, names, err.instance)


def _type_finding(doc: Document, path: Path, names: list[str], instance: Any) -> Finding:
    actual = _type_name(instance)
    quote = "string" in names and actual in ("integer", "number", "boolean")
    return finding(
        "schema-type", doc.file, doc.pos(path), path=_show_path(path),
        expected=" or ".join(names), expected_zh="或".join(_TYPE_ZH.get(n, n) for n in names),
        actual=actual, hint_zh='（请给值加引号，如 "01"）' if quote else "",
        hint_en=' (put the value in quotes, e.g. "01")' if quote else "",
    )  # fmt: skip


def _not_allowed(err: jsonschema.ValidationError, doc: Document, path: Path) -> Iterator[Finding]:
    value: Any = err.validator_value
    allowed: list[Any] = list(value) if err.validator == "enum" else [value]
    yield finding(
        "schema-enum", doc.file, doc.pos(path), path=_show_path(path),
        value=json.dumps(err.instance, ensure_ascii=False),
        allowed=", ".join(json.dumps(a, ensure_ascii=False) for a in allowed),
    )  # fmt: skip


def _bad_format(err: jsonschema.ValidationError, doc: Document, path: Path) -> Iterator[Finding]:
    hint_zh, hint_en = _hint(err.schema)
    if not hint_zh:
        hint_zh = hint_en = f"{err.validator} {err.validator_value}"
    yield finding(
        "schema-format", doc.file, doc.pos(path), path=_show_path(path),
        value=json.dumps(err.instance, ensure_ascii=False), hint_zh=hint_zh, hint_en=hint_en,
    )  # fmt: skip


def _out_of_range(err: jsonschema.ValidationError, doc: Document, path: Path) -> Iterator[Finding]:
    yield finding(
        "schema-range", doc.file, doc.pos(path), path=_show_path(path), value=err.instance,
        bound=f"{err.validator} {err.validator_value}",
    )  # fmt: skip


def _wrong_size(err: jsonschema.ValidationError, doc: Document, path: Path) -> Iterator[Finding]:
    bound = f"{err.validator} {err.validator_value}"
    yield finding("schema-size", doc.file, doc.pos(path), path=_show_path(path), bound=bound)


def _not_unique(err: jsonschema.ValidationError, doc: Document, path: Path) -> Iterator[Finding]:
    yield finding("schema-unique", doc.file, doc.pos(path), path=_show_path(path))


def _one_of(err: jsonschema.ValidationError, doc: Document, path: Path) -> Iterator[Finding]:
    # e.g. until: a date or null. Explain the branch that is not a mere type mismatch.
    specific = [e for e in err.context or () if e.validator != "type"]
    if specific:
        for sub in specific:
            yield from _explain(sub, doc)
        return
    values: list[Any] = [e.validator_value for e in err.context or ()]
    names = [str(n) for v in values for n in (v if isinstance(v, list) else [v])]
    yield _type_finding(doc, path, names, err.instance)


def _other(err: jsonschema.ValidationError, doc: Document, path: Path) -> Iterator[Finding]:
    yield finding(
        "schema-invalid", doc.file, doc.pos(path), path=_show_path(path), detail=err.message
    )


# JSON Schema keyword -> how its error reads to a bureau clerk
_EXPLAIN: dict[str, Explainer] = {
    "required": _required,
    "additionalProperties": _unknown_field,
    "type": _wrong_type,
    "enum": _not_allowed,
    "const": _not_allowed,
    "pattern": _bad_format,
    "format": _bad_format,
    **dict.fromkeys(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"), _out_of_range),
    **dict.fromkeys(
        ("minItems", "maxItems", "minLength", "maxLength", "minProperties"), _wrong_size
    ),
    "uniqueItems": _not_unique,
    "oneOf": _one_of,
    "anyOf": _one_of,
}


def _explain(err: jsonschema.ValidationError, doc: Document) -> Iterator[Finding]:
    path: Path = tuple(err.absolute_path)
    if "propertyNames" in err.absolute_schema_path and isinstance(err.instance, str):
        # A key breaks the rule for keys: point at the key itself.
        key_path = (*path, err.instance)
        hint_zh, hint_en = _hint(err.schema)
        rule = f"{err.validator} {err.validator_value}"
        yield finding(
            "schema-format", doc.file, doc.key_pos(key_path), path=_show_path(key_path),
            value=json.dumps(err.instance, ensure_ascii=False), hint_zh=hint_zh or rule,
            hint_en=hint_en or rule,
        )  # fmt: skip
        return
    explain = _EXPLAIN.get(str(err.validator), _other)
    if explain is _one_of and not err.context:
        explain = _other
    yield from explain(err, doc, path)
