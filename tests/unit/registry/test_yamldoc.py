"""YAML reading with positions, private-key detection, key ids, schema engines agreeing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.registry.validate import schemas, secret_scan, yamldoc
from tests.conftest import SAMPLE_REGISTRY

RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def test_positions_of_values_and_keys() -> None:
    doc, problems = yamldoc.parse(b"a: 1\nb:\n  - x: '01'\n    y: 2022-03-01\n", "f.yaml")
    assert problems == []
    assert doc is not None
    assert doc.data == {"a": 1, "b": [{"x": "01", "y": "2022-03-01"}]}
    assert doc.pos(("b", 0, "y")) == (4, 8)
    assert doc.key_pos(("b", 0, "y")) == (4, 5)
    assert doc.pos(("b", 0, "missing")) == (3, 5)


def test_yaml_11_surprises_are_kept_visible() -> None:
    doc, _ = yamldoc.parse(b"city: 01\nkid: 0123\n", "f.yaml")
    assert doc is not None
    # unquoted codes are numbers; the schema then asks for quotes
    assert doc.data == {"city": 1, "kid": 83}


def test_public_key_lines_are_not_secrets() -> None:
    text = f'  - kid: "21fe31dfa154a261"\n    public_key: "{RFC8032_PUBLIC.hex()}"\n'
    assert secret_scan.scan(text, "f.yaml") == []
    assert len(secret_scan.scan(f"    seed: {RFC8032_PUBLIC.hex()}\n", "f.yaml")) == 1
    assert len(secret_scan.scan(f"notes: {RFC8032_PUBLIC.hex()}\n", "f.yaml")) == 1


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("ownership: private\nname: x\n", []),  # the word as a value, not a field's name
        ("ownership: private\n  Private_Key: abc\n", [(2, 3)]),
        ("İstanbul: İİİ\r\n- 'my_secret' : 2\r\n", [(2, 4)]),  # lowering İ lengthens the text
        ("notes: seed words\n# seed: 1\nSigningKey: 2\nsigning_key: 3\n", [(4, 1)]),
        ("  x: İİ seed\n  seedling: 1\n  key: secret\n", [(2, 3)]),
    ],
)
def test_fields_named_like_a_secret_are_found_on_their_line(
    text: str, where: list[tuple[int, int]]
) -> None:
    assert [(f.line, f.column) for f in secret_scan.scan(text, "f.yaml")] == where


def _all_documents() -> list[tuple[Path, str]]:
    files = [(p, "institution") for p in sorted((SAMPLE_REGISTRY / "institutions").glob("*.yaml"))]
    return [*files, (SAMPLE_REGISTRY / "bureau.yaml", "bureau")]


def _corpus_documents() -> list[tuple[str, bytes]]:
    from tests.integration.test_corpus import CASES, parse_case

    out = []
    for case in CASES:
        for rel, content in parse_case(case.read_bytes())[1]:
            if content is not None and rel.startswith("institutions/") and rel.endswith(".yaml"):
                out.append((f"{case.stem}:{rel}", content))
    return out


@pytest.mark.parametrize(("name", "raw"), _corpus_documents(), ids=lambda v: str(v)[:40])
def test_fast_and_explaining_schema_engines_agree(name: str, raw: bytes) -> None:
    import jsonschema

    doc, _ = yamldoc.parse(raw, name)
    if doc is None:
        return
    kind = "institution"
    fast = schemas._fast(kind).is_valid(doc.data)
    slow = jsonschema.validators.validator_for(schemas.schema(kind))(
        schemas.schema(kind), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).is_valid(doc.data)
    assert fast == slow
    assert (schemas.validate(doc, kind) == []) == fast


def test_every_sample_file_is_schema_valid() -> None:
    for path, kind in _all_documents():
        doc, problems = yamldoc.parse(path.read_bytes(), path.name)
        assert doc is not None
        assert problems == []
        assert schemas.validate(doc, kind) == []  # type: ignore[arg-type]


_SCALARS = [
    "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "TRUE", "FALSE", "y", "n", "true", "False", "null", "NULL", "Null", "~", "", "0", "7",
    "012", "0x1F", "0o17", "0b101", "1_000", "-3", "+4", "3.5", ".5", "1e3", ".inf", "-.Inf", ".nan",
    "2022-03-01", "2022-3-1", "2022-03-01 10:00:00", "2022-03-01T10:00:00Z", "190:20:30", "<<", "=",
    "-", "--", "——", "无", "车工", "6-18-01-01", "6-18", "1-", "12-3-4", "123-4", "1234-5", "1234-56-78",
    "1-2.5", "1.5e-3", "1e-3", "-1-2", "6-18-01-0١", "6-18-01-01 ", "Y000041019001", "a b", "nothing", "Yes please",
    "1²", "3٣", "١", "²", "0²", "٣3", "12０", "2022-03-0١",  # digits to str.isdigit, not to YAML
]  # fmt: skip


def _tags(node: object) -> list[str]:
    import yaml

    assert isinstance(node, yaml.Node)
    if isinstance(node, yaml.MappingNode):
        return [node.tag] + [t for k, v in node.value for t in (*_tags(k), *_tags(v))]
    if isinstance(node, yaml.SequenceNode):
        return [node.tag] + [t for item in node.value for t in _tags(item)]
    return [node.tag]


@pytest.mark.parametrize("scalar", _SCALARS)
def test_the_quick_resolver_tags_every_scalar_as_pyyaml_does(scalar: str) -> None:
    import yaml

    for text in (f"k: {scalar}\n", f"k: [{scalar}]\n", f"- {scalar}\n", f"{scalar}: 1\n",
                 f"k: '{scalar}'\n", f'k: !!str {scalar or "x"}\n'):  # fmt: skip
        try:
            theirs = yaml.compose(text, Loader=yaml.SafeLoader)  # PyYAML's own resolver
        except yaml.YAMLError:
            continue  # not a scalar in this place ("-", "--" in a flow list)
        ours = yamldoc._FastLoader(text).get_single_node()
        assert _tags(ours) == _tags(theirs), text


def test_the_quick_resolver_tags_every_short_string_of_digits_and_dashes_as_pyyaml_does() -> None:
    """Every plain scalar of up to 10 characters from 0, 9 and '-' (occupation codes, dates,
    signed numbers), resolved by the quick resolver and by PyYAML's."""
    import itertools

    import yaml

    ours, theirs = yamldoc._FastLoader(""), yaml.resolver.Resolver()
    compared = 0
    for size in range(1, 11):
        for chars in itertools.product("09-", repeat=size):
            scalar = "".join(chars)
            expected = theirs.resolve(yaml.ScalarNode, scalar, (True, False))
            assert ours.resolve(yaml.ScalarNode, scalar, (True, False)) == expected, scalar
            compared += 1
    assert compared == sum(3**n for n in range(1, 11))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789²³¹٣١۳०০０-+:._xobeE ", min_size=1, max_size=8))
def test_the_quick_resolver_tags_numbers_of_any_digits_as_pyyaml_does(scalar: str) -> None:
    """Numbers of ASCII and other Unicode digits: the same tags as PyYAML, and parsing gives a
    document or findings, never an exception."""
    import yaml

    text = f"k: {scalar}\n"
    try:
        theirs = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return
    assert _tags(yamldoc._FastLoader(text).get_single_node()) == _tags(theirs), text
    doc, _ = yamldoc.parse(text.encode(), "x.yaml")
    value = yaml.safe_load(text)["k"]
    if isinstance(value, int | str):  # integers and strings alike (dates are kept as written)
        assert doc is not None
        assert doc.data["k"] == value, text
        assert type(doc.data["k"]) is type(value), text


def test_the_quick_resolver_tags_every_sample_and_corpus_file_as_pyyaml_does() -> None:
    import yaml

    texts = [p.read_text("utf-8") for p, _ in _all_documents()]
    texts += [(SAMPLE_REGISTRY / "occupations.yaml").read_text("utf-8")]
    texts += [raw.decode("utf-8", "replace") for _, raw in _corpus_documents()]
    compared = 0
    for text in texts:
        try:
            theirs = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            continue
        if theirs is not None:
            assert _tags(yamldoc._FastLoader(text).get_single_node()) == _tags(theirs)
            compared += 1
    assert compared > 20


def test_a_document_from_text_alone_finds_its_positions_again() -> None:
    """A document restored from the parse cache has no node tree: positions come from its text."""
    raw = b"a: 1\nb:\n  - x: '01'\n    y: 2022-03-01\n  - x: '02'\n"
    doc, _ = yamldoc.parse(raw, "f.yaml")
    assert doc is not None
    again = yamldoc.Document(doc.file, doc.data, doc.text, doc.lines)
    assert again.root is None
    assert again.pos(("b", 0, "y")) == doc.pos(("b", 0, "y")) == (4, 8)
    assert again.item_lines(("b",)) == doc.item_lines(("b",)) == {("b", 0): 3, ("b", 1): 5}


_PIECES = ["车工", "a", " ", "<b>", ">", "`", "](x)", "![", "{:", "{#", "&#60;", "&amp;", "javascript:",
           "JavaScript :", "{.x", "\u202e", "\u200b", "\u00ad", "\ufeff", "\x7f", "\t", "]", "(", "&", "{"]  # fmt: skip
_ESCAPES = {"\u202e": "\\u202E", "\u200b": "\\u200b", "\u00ad": "\\xAD", "\ufeff": "\\uFEFF",
            "\x7f": "\\x7f", "\t": "\\t", "<": "\\x3c", "`": "\\x60", "a": "\\x61"}  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6), min_size=1, max_size=4),
       st.sampled_from(["double", "escaped", "single", "literal", "folded", "plain-lines"]))  # fmt: skip
def test_text_rules_find_the_same_without_walking_clean_files(
    values: list[list[str]], style: str
) -> None:
    """The text pre-check (no hidden character, markup or backslash in the file: no value can have
    one) never hides a finding the value-by-value walk makes, whatever the quoting style."""
    from credentials.registry.validate import text_rules

    lines = []
    for i, pieces in enumerate(values):
        value = "".join(pieces)
        if style == "double":
            lines.append(f'v{i}: "{value.replace(chr(92), chr(92) * 2).replace(chr(34), "")}"')
        elif style == "escaped":
            lines.append(
                f'v{i}: "{"".join(_ESCAPES.get(ch, ch) for ch in value if ch != chr(34))}"'
            )
        elif style == "single":
            lines.append(f"v{i}: '{value.replace(chr(39), chr(39) * 2)}'")
        elif style in ("literal", "folded"):
            body = "\n".join(f"  {p}" for p in pieces if p.strip())
            lines.append(f"v{i}: {'|' if style == 'literal' else '>'}\n{body or '  x'}")
        else:  # plain text over several lines (folded into one with spaces)
            body = "\n".join(f"  x{p.strip()}" for p in pieces)
            lines.append(f"v{i}:\n{body}")
    raw = ("\n".join(lines) + "\n").encode()
    doc, _ = yamldoc.parse(raw, "f.yaml")
    if doc is None:
        return  # not YAML (a piece broke the syntax): the parse finding covers it
    walked = yamldoc.Document(doc.file, doc.data, "", doc.lines, doc.root)  # no text: full walk
    assert text_rules.check(doc) == text_rules.check(walked)


_MARKUP_BITS = [
    *"<>`]([!{}:#.&;\n\t\r\\\u202e\u200b\x7f\u00ad",
    "javascript",
    "JavaScript",
    "Java",
    "ſcrıpt",  # long s and dotless i: (?i) matches them to s and i
    " :",
    "amp",
    "x",
    "车",
]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_MARKUP_BITS), max_size=8).map("".join))
def test_the_text_pre_check_covers_every_piece_of_markup_and_hidden_character(text: str) -> None:
    """``visible.could_carry`` is a quick stand-in for ``markup`` and ``hidden``: whatever either
    finds in a text, the pre-check must see in it too (so a new markup pattern cannot slip past)."""
    from credentials import visible

    if visible.markup(text) is not None or visible.hidden(text, allow_lines=True) is not None:
        assert visible.could_carry(text)
