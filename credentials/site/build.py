"""Building the site: the I/O around ``credentials.site`` (registry, git commit, snapshot key).

The MkDocs hook calls ``generated_files()``; ``skillcert site build`` sets the environment it reads:
``SKILLCERT_REGISTRY`` (the registry directory), ``SKILLCERT_SNAPSHOT_KEY`` (the bureau's snapshot
key file, optional), ``SKILLCERT_DATE`` (the data date, default today in China) and
``SKILLCERT_COMMIT`` (default: ``git rev-parse HEAD`` of the registry, when it is a checkout).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from functools import cache
from pathlib import Path

from credentials.keys import load_signing_key
from credentials.registry import snapshot
from credentials.registry.registry import Registry, load_registry
from credentials.site import pages

_CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def _commit(registry_dir: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(registry_dir), "rev-parse", "HEAD"],
                             capture_output=True, text=True, check=False)  # fmt: skip
    except FileNotFoundError:
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


@cache
def settings() -> tuple[Registry, dt.date, str | None, Path | None]:
    """The registry, data date, commit and snapshot key path of this build."""
    registry_dir = Path(os.environ.get("SKILLCERT_REGISTRY", "registry"))
    day_text = os.environ.get("SKILLCERT_DATE")
    day = dt.date.fromisoformat(day_text) if day_text else dt.datetime.now(tz=_CHINA).date()
    commit = os.environ.get("SKILLCERT_COMMIT") or _commit(registry_dir)
    key = os.environ.get("SKILLCERT_SNAPSHOT_KEY")
    return load_registry(registry_dir), day, commit, Path(key) if key else None


def generated_files(stylesheets: list[str]) -> list[pages.Page]:
    """Every generated page and data file, the snapshot signed when a key is given."""
    registry, day, commit, key_path = settings()
    files = pages.pages(registry, day=day, commit=commit, stylesheets=stylesheets)
    files += [(f"assets/{name}", data) for name, data in bundle().items()]
    if key_path is not None:
        key = load_signing_key(key_path, passphrase=os.environ.get("SKILLCERT_PASSPHRASE"))
        bureau = registry.bureau
        if bureau is not None and key.kid != bureau.snapshot_kid:
            from credentials.errors import KeyFileError

            raise KeyFileError(
                f"snapshot key {key.kid} is not the bureau's snapshot key {bureau.snapshot_kid}"
            )
        snap = {p[len("snapshot/") :]: bytes(c) for p, c in files if p.startswith("snapshot/")}  # type: ignore[arg-type]
        signed = snapshot.sign_manifest(snap, key)
        files.append((f"snapshot/{snapshot.SIGNATURE}", signed[snapshot.SIGNATURE]))
    return files


def build(registry_dir: Path, out: Path, *, day: dt.date, snapshot_key: Path | None) -> None:
    """Run the MkDocs build (strict) in a subprocess with this build's settings."""
    import sys

    from credentials.errors import CredentialsError

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env["SKILLCERT_REGISTRY"] = str(registry_dir.resolve())
    env["SKILLCERT_DATE"] = day.isoformat()
    env["NO_MKDOCS_2_WARNING"] = "1"
    if snapshot_key is not None:
        env["SKILLCERT_SNAPSHOT_KEY"] = str(snapshot_key.resolve())
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
           "--config-file", str(root / "mkdocs.yml"), "--site-dir", str(out.resolve())]  # fmt: skip
    if subprocess.run(cmd, env=env, check=False).returncode != 0:
        raise CredentialsError("the site build failed (see the messages above)")


def bundle() -> dict[str, bytes]:
    """The verification page's JavaScript, bundled by esbuild from site/js/ (needs ``npm ci``):
    ``verify.js`` and the chunks it loads on demand (QR decoding, Argon2id)."""
    import tempfile

    root = Path(__file__).resolve().parents[2]
    esbuild = root / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        from credentials.errors import CredentialsError

        raise CredentialsError("building the site needs Node and its packages: run npm ci")
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [str(esbuild), str(root / "site" / "js" / "page.js"), "--bundle", "--format=esm",
             "--splitting", f"--outdir={tmp}", "--entry-names=verify", "--chunk-names=verify-[hash]",
             "--minify", "--target=es2020", "--log-level=error"],
            capture_output=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            from credentials.errors import CredentialsError

            raise CredentialsError(f"esbuild failed: {proc.stderr.decode(errors='replace')[-500:]}")
        return {p.name: p.read_bytes() for p in Path(tmp).iterdir()}


def write_direct(site_dir: Path, pages: list[pages.Page]) -> None:
    """Write pages straight into the built site (institution pages)."""
    made: set[Path] = set()
    for path, content in pages:
        target = site_dir / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)


def fill_placeholders(markdown: str) -> str:
    """The home page's "data as of" line and the directory's province links."""
    registry, day, commit, _ = settings()
    markdown = markdown.replace("<!-- registry-status -->", pages.status_line(day, commit))
    return markdown.replace("<!-- province-links -->", pages.province_links(registry))
