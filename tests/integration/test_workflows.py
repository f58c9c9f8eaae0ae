"""The bureaus' pipelines, run: every ``run:`` step of the GitHub workflows and every ``script:`` line
of the GitLab pipeline, in order, on a fresh copy of this repository (tracked and unignored files
only, so no ``node_modules`` and no ``.venv``), in a fresh virtual environment. A small runner plays
the ``uses:`` steps (checkout, setup-python/node, artifacts, the comment, Pages) and the expressions
they need; everything else is the pipeline's own shell. Then the offline path: a site built without
the key, signed on the bureau's machine, verified by the page's data."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from credentials.keys import SigningKey, save_signing_key
from credentials.registry import edit
from tests.conftest import ROOT

pytestmark = pytest.mark.integration
WORKFLOWS = ROOT / ".github" / "workflows"


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout  # fmt: skip


def _fresh_copy(dest: Path) -> Path:
    """This repository as a fresh checkout has it, committed as ``main``."""
    listed = _git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    _git(dest, "init", "-q", "-b", "main")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-qm", "base")
    return dest


class Runner:
    """Plays GitHub Actions and GitLab CI jobs in a working copy."""

    def __init__(self, repo: Path, tmp: Path, expressions: dict[str, str]) -> None:
        self.repo = repo
        self.tmp = tmp
        self.expressions = expressions
        self.venv = tmp / "venv"
        self.home = tmp / "runner-home"  # the job's home: where "~" of actions/cache points
        self.caches = tmp / "actions-cache"  # what actions/cache saved, by key
        self.post: list[tuple[Path, str]] = []  # caches to save when the job ends
        self.artifacts: dict[str, Path] = {}
        self.comments: list[tuple[str, str]] = []
        self.pages: list[Path] = []
        self.log: list[str] = []

    def env(self, extra: dict[str, str]) -> dict[str, str]:
        path = (
            f"{self.venv / 'bin'}:{os.environ['PATH']}"
            if self.venv.exists()
            else os.environ["PATH"]
        )
        keep = {
            k: v
            for k, v in os.environ.items()
            if k in ("HOME", "LANG", "PIP_CACHE_DIR", "npm_config_cache")
        }
        return {
            **keep,
            "PATH": path,
            "RUNNER_TEMP": str(self.tmp / "runner-temp"),
            # skillcert's default parse cache is ~/.cache/skillcert: in the job's home, not ours
            "SKILLCERT_CACHE": str(self.home / ".cache" / "skillcert"),
            "CI": "true",
            **extra,
        }

    def expand(self, text: str) -> str:
        return re.sub(
            r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: self.expressions.get(m.group(1), ""), text
        )

    def shell(self, script: str, env: dict[str, str], *, check: bool = True) -> int:
        (self.tmp / "runner-temp").mkdir(exist_ok=True)
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=self.repo,
                              env=self.env(env), capture_output=True, text=True, timeout=900)  # fmt: skip
        self.log.append(f"$ {script}\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        if check and proc.returncode != 0:
            raise AssertionError("\n".join(self.log[-3:]))
        return proc.returncode

    def setup_python(self) -> None:
        if not self.venv.exists():
            subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)

    # --- GitHub Actions ---------------------------------------------------------------------------

    def github_job(self, workflow: str, job: str) -> int:
        """Run one job; its exit code (a failing step stops the job, as on GitHub)."""
        spec = yaml.safe_load((WORKFLOWS / workflow).read_text("utf-8"))
        steps: list[dict[str, Any]] = spec["jobs"][job]["steps"]
        self.expressions |= {
            "runner.os": "Linux",
            "github.sha": _git(self.repo, "rev-parse", "HEAD").strip(),
        }
        outputs: dict[str, dict[str, str]] = {}
        failed = 0
        for step in steps:
            condition = step.get("if", "success()")
            if not self._if(condition, outputs, failed):
                continue
            known = {
                f"steps.{i}.outputs.{k}": v for i, out in outputs.items() for k, v in out.items()
            }
            self.expressions.update(known)
            if "uses" in step:
                self._uses(
                    step["uses"], {k: self.expand(str(v)) for k, v in step.get("with", {}).items()}
                )
                continue
            out_file = self.tmp / "github-output"
            out_file.write_text("")
            env = {k: self.expand(str(v)) for k, v in step.get("env", {}).items()}
            env |= {
                "GITHUB_OUTPUT": str(out_file),
                "GITHUB_STEP_SUMMARY": str(self.tmp / "summary.md"),
            }
            code = self.shell(self.expand(step["run"]), env, check=False)
            if "id" in step:
                outputs[step["id"]] = dict(
                    ln.split("=", 1) for ln in out_file.read_text().splitlines() if "=" in ln
                )
            if code != 0:
                failed = code
        for path, key in self.post:  # actions/cache saves in the job's post step
            if path.exists() and not (self.caches / key).exists():
                shutil.copytree(path, self.caches / key)
        self.post = []
        return failed

    @staticmethod
    def _if(condition: str, outputs: dict[str, dict[str, str]], failed: int) -> bool:
        if condition == "always()":
            return True
        m = re.fullmatch(r"steps\.(\w+)\.outputs\.(\w+) != '(.*)'", condition)
        if m:
            return outputs.get(m.group(1), {}).get(m.group(2)) != m.group(3)
        assert condition == "success()", f"the runner does not know the condition {condition!r}"
        return failed == 0

    def _uses(self, action: str, given: dict[str, str]) -> None:
        name = action.split("@")[0]
        if name in ("actions/checkout", "actions/setup-node"):
            return  # the working copy is checked out; Node is on the PATH
        if name == "actions/setup-python":
            self.setup_python()
        elif name == "actions/cache":
            path = Path(given["path"].replace("~", str(self.home), 1))
            assert given["path"] == "~/.cache/skillcert", "the cache is skillcert's default folder"
            saved = sorted(
                self.caches.glob(given["restore-keys"] + "*"), key=lambda p: p.stat().st_mtime
            )
            exact = self.caches / given["key"]
            source = exact if exact.exists() else (saved[-1] if saved else None)
            if source is not None:
                shutil.rmtree(path, ignore_errors=True)
                shutil.copytree(source, path)
            self.post.append((path, given["key"]))
        elif name == "actions/upload-artifact":
            kept = self.tmp / "artifacts" / given["name"]
            shutil.rmtree(kept, ignore_errors=True)  # a re-run replaces the artifact
            shutil.copytree(self.repo / given["path"], kept)
            self.artifacts[given["name"]] = kept
        elif name == "actions/download-artifact":
            shutil.copytree(
                self.artifacts[given["name"]], self.repo / given["path"], dirs_exist_ok=True
            )
        elif name == "marocchino/sticky-pull-request-comment":
            self.comments.append((given["number"], (self.repo / given["path"]).read_text("utf-8")))
        elif name == "actions/upload-pages-artifact":
            self.pages.append(self.repo / given["path"])
        elif name == "actions/deploy-pages":
            assert self.pages, "deploy-pages without a pages artifact"
        else:
            raise AssertionError(f"the runner does not know the action {action}")

    # --- GitLab CI --------------------------------------------------------------------------------

    def gitlab_job(self, job: str, variables: dict[str, str]) -> int:
        spec = yaml.safe_load((self.repo / ".gitlab-ci.yml").read_text("utf-8"))
        self.setup_python()  # the image's Python: a fresh environment
        lines = [*spec.get("before_script", []), *spec[job]["script"]]
        given = {**spec.get("variables", {}), **variables, "CI_PROJECT_DIR": str(self.repo)}
        expanded = {k: re.sub(r"\$(\w+)", lambda m: given.get(m.group(1), m.group()), str(v))
                    for k, v in given.items()}  # fmt: skip
        return self.shell("\n".join(lines), expanded, check=False)


def test_the_github_and_gitlab_pipelines_run_as_written(tmp_path: Path) -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    repo = _fresh_copy(tmp_path / "repo")
    assert not (repo / "node_modules").exists()
    bureau = SigningKey.generate()
    edit.set_snapshot_key(
        repo / "registry" / "bureau.yaml", kid=bureau.kid, public_key=bureau.public_key.raw
    )
    _git(repo, "commit", "-qam", "the bureau's snapshot key")
    key_file = tmp_path / "bureau.key"
    save_signing_key(bureau, key_file, passphrase=None)
    # an institution's pull request (from a fork: the check has no secret and no write token)
    _git(repo, "checkout", "-qb", "proposal")
    inst = repo / "registry" / "institutions" / "Y000041019001.yaml"
    inst.write_text(inst.read_text("utf-8").replace("    reason: 备案通过\n", "    reason: 备案通过\n"
                    "  - date: 2026-12-01\n    status: suspended\n    reason: 限期整改\n", 1), "utf-8")  # fmt: skip
    _git(repo, "commit", "-qam", "suspend")
    _git(repo, "update-ref", "refs/remotes/origin/main", "main")
    runner = Runner(repo, tmp_path, {"github.base_ref": "main", "github.event.number": "7",
                                     "github.event.workflow_run.id": "1", "github.token": "t",
                                     "github.event.workflow_run.event": "pull_request"})  # fmt: skip
    assert runner.github_job("registry-check.yml", "check") == 0, "\n".join(runner.log[-4:])
    (saved,) = runner.caches.iterdir()  # the parse cache, saved for the next run
    assert (saved / "registry-parse-cache.sqlite").stat().st_size > 0
    # the comment job runs in the base repository and never runs the pull request's code
    comment = yaml.safe_load((WORKFLOWS / "registry-comment.yml").read_text("utf-8"))
    assert not any("checkout" in s.get("uses", "") for s in comment["jobs"]["comment"]["steps"])
    assert set(comment["permissions"]) == {"actions", "pull-requests"}
    check = yaml.safe_load((WORKFLOWS / "registry-check.yml").read_text("utf-8"))
    assert check["permissions"] == {"contents": "read"}
    assert runner.github_job("registry-comment.yml", "comment") == 0, "\n".join(runner.log[-4:])
    ((number, body),) = runner.comments
    assert number == "7"
    assert "🚦 状态变更 status: 2026-12-01" in body
    # a pull request with an error fails the check, and the summary is still posted
    inst.write_text(inst.read_text("utf-8").replace("name: ", "name: <b>", 1), "utf-8")
    _git(repo, "commit", "-qam", "broken")
    assert runner.github_job("registry-check.yml", "check") != 0
    assert runner.github_job("registry-comment.yml", "comment") == 0
    assert "text-markup" in runner.comments[-1][1]
    # main: publish (npm ci, the signed snapshot from the secret)
    _git(repo, "checkout", "-q", "main")
    runner.expressions["secrets.SKILLCERT_SNAPSHOT_KEY"] = key_file.read_text("utf-8")
    assert runner.github_job("registry-publish.yml", "publish") == 0, "\n".join(runner.log[-4:])
    site = runner.pages[0]
    assert (site / "snapshot" / "manifest.sig.json").is_file()
    assert (site / "v" / "index.html").is_file()
    assert not (tmp_path / "runner-temp" / "snapshot.key").exists()
    # GitLab: a merge request (the broken proposal fails, its summary kept), then the default
    # branch without the key in CI
    _git(repo, "remote", "add", "origin", str(repo))
    _git(repo, "checkout", "-q", "proposal")
    assert runner.gitlab_job("registry-check", {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}) != 0
    assert "text-markup" in (repo / "registry-diff.md").read_text("utf-8")
    _git(repo, "checkout", "-q", "-f", "main")
    shutil.rmtree(repo / "build", ignore_errors=True)
    assert runner.gitlab_job("pages", {}) == 0, "\n".join(runner.log[-2:])
    public = repo / "public"
    assert (public / "snapshot" / "manifest.json").is_file()
    assert not (public / "snapshot" / "manifest.sig.json").exists()
    # ... and the bureau signs it on its own machine before uploading the folder anywhere
    runner.shell(f"skillcert site sign public --snapshot-key {key_file}", {})
    signature = json.loads((public / "snapshot" / "manifest.sig.json").read_text())
    assert signature["kid"] == bureau.kid
    from credentials.registry import snapshot

    files = {p.relative_to(public / "snapshot").as_posix(): p.read_bytes()
             for p in (public / "snapshot").rglob("*.json")}  # fmt: skip
    registry, _ = snapshot.load(files, trusted_key=bureau.public_key.raw)
    assert "Y000041019001" in registry.institutions
