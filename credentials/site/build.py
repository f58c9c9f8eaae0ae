"""Building the site: the I/O around ``credentials.site.pages`` (registry, git commit, snapshot
key, the page's JavaScript bundle), and the bureau's snapshot-signing key.

``build()`` runs MkDocs (strict) in a subprocess; the MkDocs hook (``site/hooks.py``) then calls
``generated_files()``, which reads the environment ``build()`` set: ``SKILLCERT_REGISTRY`` (the
registry directory), ``SKILLCERT_SNAPSHOT_KEY`` (the bureau's snapshot key file, optional),
``SKILLCERT_DATE`` (the data date; the hook supplies today when MkDocs is run by hand) and
``SKILLCERT_COMMIT`` (default: ``git rev-parse HEAD`` of the registry, when it is a checkout).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from credentials.errors import CredentialsError, KeyFileError, UnreadableInput
from credentials.keys import SigningKey, load_signing_key, save_signing_key
from credentials.registry import edit, git, snapshot
from credentials.registry.registry import Registry, load_registry
from credentials.registry.validate.check import PERSONAL_DATA
from credentials.site import pages


@cache
def settings() -> tuple[Registry, dt.date, str | None, Path | None]:
    """The registry, data date, commit and snapshot key path of this build."""
    registry_dir = Path(os.environ.get("SKILLCERT_REGISTRY", "registry"))
    day = dt.date.fromisoformat(os.environ["SKILLCERT_DATE"])
    commit = os.environ.get("SKILLCERT_COMMIT") or git.head_commit(registry_dir)
    key = os.environ.get("SKILLCERT_SNAPSHOT_KEY")
    return load_registry(registry_dir, git_dates=True), day, commit, Path(key) if key else None


def generated_files(stylesheets: list[str]) -> list[pages.Page]:
    """Every generated page and data file, the snapshot signed when a key is given."""
    registry, day, commit, key_path = settings()
    files = pages.pages(registry, day=day, commit=commit, stylesheets=stylesheets)
    files += [(f"assets/{name}", data) for name, data in bundle().items()]
    if key_path is not None:
        key = load_signing_key(key_path, passphrase=os.environ.get("SKILLCERT_PASSPHRASE"))
        bureau = registry.bureau
        if bureau is not None and key.kid != bureau.snapshot_kid:
            raise KeyFileError(
                f"snapshot key {key.kid} is not the bureau's snapshot key {bureau.snapshot_kid}",
                zh=f"快照签名密钥 {key.kid} 不是 bureau.yaml 中登记的 {bureau.snapshot_kid}",
            )
        snap = {p.removeprefix("snapshot/"): c for p, c in files if p.startswith("snapshot/")}
        manifest = snap[snapshot.MANIFEST]
        assert isinstance(manifest, bytes)
        signed = snapshot.sign_manifest({snapshot.MANIFEST: manifest}, key)
        files.append((f"snapshot/{snapshot.SIGNATURE}", signed[snapshot.SIGNATURE]))
    return files


_ROOT = Path(__file__).resolve().parents[2]  # the repository: mkdocs.yml, site/, node_modules/


def build(
    registry_dir: Path,
    out: Path,
    *,
    day: dt.date,
    snapshot_key: Path | None,
    passphrase: str | None = None,
) -> None:
    """Run the MkDocs build (strict) in a subprocess with this build's settings.

    What can be checked cheaply is checked first, with a clear error: the Node packages, the
    registry folder, the output folder and the snapshot key (with ``passphrase`` when encrypted).
    """
    _esbuild()
    if not registry_dir.is_dir():
        raise UnreadableInput(
            f"registry directory {registry_dir} does not exist (use --registry DIR)",
            zh=f"评价机构目录 {registry_dir} 不存在（用 --registry 指定）",
        )
    if out.exists() and not out.is_dir():
        raise CredentialsError(f"{out} is not a folder", zh=f"{out} 不是文件夹")
    leaked = sorted(
        p.relative_to(_ROOT).as_posix() for p in (_ROOT / "site").rglob("*")
        if p.is_file() and p.name.lower().endswith(PERSONAL_DATA)
    )  # fmt: skip
    if leaked:
        raise CredentialsError(
            f"the site's sources hold files with personal data, which would be published: "
            f"{', '.join(leaked[:5])}: move them out of site/",
            zh=f"网站源文件中有含个人信息的文件，构建后会被公开：{'、'.join(leaked[:5])}；请移出 site/ 目录",
        )
    env = dict(os.environ)
    if snapshot_key is not None:
        load_signing_key(snapshot_key, passphrase=passphrase)
        if passphrase:
            env["SKILLCERT_PASSPHRASE"] = passphrase
    env["SKILLCERT_REGISTRY"] = str(registry_dir.resolve())
    env["SKILLCERT_DATE"] = day.isoformat()
    env["NO_MKDOCS_2_WARNING"] = "1"
    if snapshot_key is not None:
        env["SKILLCERT_SNAPSHOT_KEY"] = str(snapshot_key.resolve())
    cmd = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--quiet",
        "--config-file",
        str(_ROOT / "mkdocs.yml"),
        "--site-dir",
        str(out.resolve()),
    ]
    if subprocess.run(cmd, env=env, check=False).returncode != 0:
        raise CredentialsError(
            "the site build failed (see the messages above)", zh="网站构建失败（见上方信息）"
        )


def _esbuild() -> Path:
    esbuild = _ROOT / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        raise CredentialsError(
            "building the site needs Node and its packages: run npm ci",
            zh="构建网站需要 Node 及其依赖包：请先运行 npm ci",
        )
    return esbuild


def bundle() -> dict[str, bytes]:
    """The verification page's JavaScript, bundled by esbuild from site/js/ (needs ``npm ci``):
    ``verify.js`` and the chunks it loads on demand (QR decoding, Argon2id)."""
    esbuild = _esbuild()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [
                str(esbuild),
                str(_ROOT / "site" / "js" / "page.js"),
                "--bundle",
                "--format=esm",
                "--splitting",
                f"--outdir={tmp}",
                "--entry-names=verify",
                "--chunk-names=verify-[hash]",
                "--minify",
                "--target=es2020",
                "--log-level=error",
            ],
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            message = proc.stderr.decode(errors="replace")[-500:]
            raise CredentialsError(f"esbuild failed: {message}", zh="esbuild 打包失败")
        return {p.name: p.read_bytes() for p in Path(tmp).iterdir()}


def write_direct(site_dir: Path, generated: list[pages.Page]) -> None:
    """Write pages straight into the built site (institution pages)."""
    made: set[Path] = set()
    for path, content in generated:
        target = site_dir / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)


_REFERENCE = re.compile(r'(?:src|href)="([^"#?:]+)"')


def write_service_worker(site_dir: Path) -> list[str]:
    """Write the service worker's precache list into the built ``sw.js``: the verification page,
    every file it references on this site, and every chunk of its script (QR decoding and
    Argon2id load on demand); the cache version is a digest of those files. Returns the list."""
    page = site_dir / "v" / "index.html"
    listed = {"v/"}
    for ref in _REFERENCE.findall(page.read_text("utf-8")):
        target = (page.parent / ref).resolve()
        if target.is_dir():
            target = target / "index.html"
        if target.is_file() and site_dir.resolve() in target.parents:
            listed.add(target.relative_to(site_dir.resolve()).as_posix().removesuffix("index.html"))
    listed |= {f"assets/{p.name}" for p in (site_dir / "assets").glob("verify*.js")}
    precache = sorted(listed)
    digest = hashlib.sha256()
    for path in precache:
        file = site_dir / (path + "index.html" if path.endswith("/") or not path else path)
        digest.update(path.encode() + b"\0" + file.read_bytes())
    worker = site_dir / "sw.js"
    text = worker.read_text("utf-8")
    text = text.replace("[/* the build writes the list here */]", json.dumps(precache))
    text = text.replace(
        "/* the build writes a digest of the listed files here */", digest.hexdigest()[:16]
    )
    worker.write_text(text, "utf-8")
    return precache


def fill_placeholders(markdown: str) -> str:
    """The home page's "data as of" line and the directory's province links."""
    registry, day, commit, _ = settings()
    markdown = markdown.replace("<!-- registry-status -->", pages.status_line(day, commit))
    return markdown.replace("<!-- province-links -->", pages.province_links(registry))


def sign_built(site_dir: Path, key: SigningKey) -> str:
    """Sign the snapshot of a site built elsewhere (CI without the key): every file the manifest
    names is checked against its hash first, the key must be the one the manifest names, and the
    signature is written beside the manifest. Returns the manifest's date."""
    folder = site_dir / "snapshot"
    try:
        raw = (folder / snapshot.MANIFEST).read_bytes()
        manifest = snapshot.open_manifest(raw, None, trusted_key=None)
        for info in manifest["shards"].values():
            data = (folder / info["path"]).read_bytes()
            if hashlib.sha256(data).hexdigest() != info["sha256"]:
                raise CredentialsError(
                    f"{info['path']} does not match the manifest: the site was changed after it was built",
                    zh=f"{info['path']} 与清单不符：网站在构建后被改动过，不能签名",
                )
    except OSError as err:
        raise UnreadableInput(
            f"{site_dir} is not a built site ({err.strerror}: {err.filename})",
            zh=f"{site_dir} 不是已构建的网站（缺少 {err.filename}）",
        ) from err
    if manifest.get("snapshot_kid") not in (None, key.kid):
        raise KeyFileError(
            f"the snapshot names key {manifest.get('snapshot_kid')}, not {key.kid}",
            zh=f"目录快照要求的签名密钥是 {manifest.get('snapshot_kid')}，不是 {key.kid}",
        )
    signed = snapshot.sign_manifest({snapshot.MANIFEST: raw}, key)
    (folder / snapshot.SIGNATURE).write_bytes(signed[snapshot.SIGNATURE])
    return str(manifest.get("date"))


def new_snapshot_key(
    registry_dir: Path,
    *,
    path: Path | None,
    keys_dir: Path,
    passphrase: str | None,
    public: tuple[Path, ...] = (),
    write: bool = True,
) -> tuple[SigningKey, Path]:
    """The bureau's snapshot-signing key: the private key file (never under the registry or a
    site), and its public key set in ``bureau.yaml`` unless ``write`` is False."""
    key = SigningKey.generate()
    target = path or keys_dir / f"bureau-snapshot-{key.kid}.key"
    save_signing_key(key, target, passphrase=passphrase, public=(registry_dir, *public))
    if write:
        edit.set_snapshot_key(
            registry_dir / "bureau.yaml", kid=key.kid, public_key=key.public_key.raw
        )
    return key, target
