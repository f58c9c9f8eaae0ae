"""MkDocs hook: adds the pages and data generated from the registry (see credentials.sitebuild)."""

from __future__ import annotations

from typing import Any

from mkdocs.structure.files import File, Files

from credentials import sitebuild


def on_files(files: Files, config: Any) -> Files:
    names = [f.src_uri for f in files if f.src_uri.endswith(".css")]
    css = [c for c in names if c.startswith("assets/stylesheets/main")] + ["assets/extra.css"]
    for path, content in sitebuild.generated_files(css):
        files.append(File.generated(config, path, content=content))
    return files


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    return markdown.replace("<!-- registry-status -->", sitebuild.home_status())
