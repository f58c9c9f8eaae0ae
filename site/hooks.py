"""MkDocs hook: adds the pages and data generated from the registry (see credentials.site.build).

Institution pages are complete HTML documents: they are written straight into the built site after
the build (20,000 of them would slow MkDocs' own file handling down to minutes). ``skillcert site
build`` sets the data date; when MkDocs is run by hand it is today in China, read here.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from credentials.errors import CredentialsError
from credentials.site import build as site_build

_direct: list[tuple[str, str | bytes]] = []


def on_config(config: Any) -> Any:
    # the search plugin segments Chinese with jieba, which reports its dictionary loading on stderr
    logging.getLogger("jieba").setLevel(logging.WARNING)
    china = dt.timezone(dt.timedelta(hours=8))
    os.environ.setdefault("SKILLCERT_DATE", dt.datetime.now(tz=china).date().isoformat())
    return config


def on_files(files: Files, config: Any) -> Files:
    names = [f.src_uri for f in files if f.src_uri.endswith(".css")]
    css = [c for c in names if c.startswith("assets/stylesheets/main")] + ["assets/extra.css"]
    _direct.clear()
    try:
        generated = site_build.generated_files(css)
    except CredentialsError as err:  # one line, as the command line prints it, not a traceback
        raise PluginError(f"错误 error: {err.bilingual()}") from err
    for path, content in generated:
        if path.startswith(("i/", "o/", "b/")):
            _direct.append((path, content))
        else:
            files.append(File.generated(config, path, content=content))
    return files


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    return site_build.fill_placeholders(markdown)


def on_post_build(config: Any) -> None:
    site_build.write_direct(Path(config["site_dir"]), _direct)
    site_build.write_service_worker(Path(config["site_dir"]))
