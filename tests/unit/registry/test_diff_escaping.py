"""A pull request's summary shows registry text exactly as written: nothing in it can hide from the
reviewer (an HTML comment, a bidi override) or become a link, an image or markup."""

from __future__ import annotations

from credentials.registry.diff import _code, _t


def test_text_is_escaped_and_hidden_characters_are_shown() -> None:
    shown = _t(
        '洛阳<!-- 藏起来 -->![x](x){: onerror="alert(1)"} [a](javascript:x) \u202egnp \u200b'
    )
    assert "<" not in shown
    assert "&lt;\\!-- 藏起来 --&gt;" in shown  # the comment is visible text
    assert "\\!\\[x\\]" in shown  # no image
    assert "\\[a\\](javascript:x)" in shown  # no link
    assert "&lt;U+202E&gt;gnp" in shown
    assert "&lt;U+200B&gt;" in shown
    assert "\u202e" not in shown


def test_file_names_in_code_spans_cannot_close_them() -> None:
    assert _code("a`b<script>.yaml") == "`a'b<script>.yaml`"
    assert _code("x\u202e.yaml") == "`x<U+202E>.yaml`"
