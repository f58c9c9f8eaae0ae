"""Benchmark: YAML parsers on registry files, against libyaml (issue 15, item 3).

Times, per institution file of a synthetic registry, in one process, medians of ``--runs``:

- libyaml (PyYAML's ``CSafeLoader``): compose only, and the full load (the registry check's floor);
- ours (``yamldoc.parse``): libyaml's compose with the quick resolver, the data built with every
  YAML 1.1 reading kept, and the node tree kept for the positions of findings;
- rapidyaml (``ryml``, when installed: ``.venv/bin/pip install rapidyaml``; not a dependency):
  its parse alone, its tree walked from Python into dicts and lists, and its own JSON emitter read
  back with ``json.loads``. rapidyaml reads YAML 1.2: ``yes``, ``~`` and ``021`` stay strings (the
  registry's YAML 1.1 findings would be lost), and it keeps neither positions nor duplicate keys
  without its slower location API; the figures say what a first pass could gain.

Never fails on time.

    .venv/bin/python bench/yaml_parser_bench.py [--count 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml
from machine import describe, load
from synthetic import generate
from timing import median_per_call

from credentials.registry.validate import yamldoc


def _walk(ryml: Any, tree: Any, node: int) -> Any:
    """A rapidyaml tree node as Python data (scalars as text), walked node by node."""
    if tree.is_map(node):
        out = {}
        child = tree.first_child(node)
        while child != ryml.NONE:
            out[bytes(tree.key(child)).decode()] = _walk(ryml, tree, child)
            child = tree.next_sibling(child)
        return out
    if tree.is_seq(node):
        items = []
        child = tree.first_child(node)
        while child != ryml.NONE:
            items.append(_walk(ryml, tree, child))
            child = tree.next_sibling(child)
        return items
    return bytes(tree.val(node)).decode()


def _parsers() -> dict[str, Callable[[bytes], object]]:
    found: dict[str, Callable[[bytes], object]] = {
        "libyaml load (CSafeLoader): the floor": lambda raw: yaml.load(
            raw, Loader=yaml.CSafeLoader
        ),
        "libyaml compose (CSafeLoader)": lambda raw: yaml.compose(raw, Loader=yaml.CSafeLoader),
        "ours: yamldoc.parse (libyaml, data and positions)": lambda raw: yamldoc.parse(raw, "f"),
    }
    try:
        import ryml  # type: ignore[import-not-found]
    except ImportError:
        print("rapidyaml: not installed (.venv/bin/pip install rapidyaml to include it)")
        return found

    def walked(raw: bytes) -> object:
        tree = ryml.parse_in_arena(raw)
        return _walk(ryml, tree, tree.root_id())

    def as_json(raw: bytes) -> object:
        tree = ryml.parse_in_arena(raw)
        return json.loads(ryml.emit_json_malloc(tree, tree.root_id()))

    found["rapidyaml parse alone"] = ryml.parse_in_arena
    found["rapidyaml parse, tree walked from Python"] = walked
    found["rapidyaml parse, its JSON read by json.loads"] = as_json
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(f"machine: {describe()}; load {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        reg = generate(Path(tmp) / "registry", args.count)
        raws = [p.read_bytes() for p in sorted((reg / "institutions").glob("*.yaml"))]
    floor = 0.0
    for name, parse in _parsers().items():
        each = median_per_call(lambda i, parse=parse: parse(raws[i]), len(raws), args.runs)
        floor = floor or (each if "floor" in name else 0.0)
        ratio = f", {each / floor:.2f} of the floor" if floor else ""
        print(f"{name}: {each * 1e6:,.0f} µs a file{ratio}")
    print(f"({len(raws):,} institution files; load after: {load()})")


if __name__ == "__main__":
    main()
