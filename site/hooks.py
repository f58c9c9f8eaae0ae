"""MkDocs hook: adds the pages and data generated from the registry (see credentials.sitebuild)."""

from __future__ import annotations

from typing import Any

from mkdocs.structure.files import File, Files

from credentials import sitebuild


def on_files(files: Files, config: Any) -> Files:
    for path, content in sitebuild.generated_files():
        files.append(File.generated(config, path, content=content))
    return files


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    return markdown.replace("<!-- registry-status -->", sitebuild.home_status())
