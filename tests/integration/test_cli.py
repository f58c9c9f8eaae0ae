"""The registry commands, run in process with click's runner, on real files and a real git repo."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from tests.conftest import ROOT, SAMPLE_REGISTRY

pytestmark = pytest.mark.integration


def test_check_sample_registry_is_clean(runner: CliRunner) -> None:
    result = runner.invoke(main, ["registry", "check", "--registry", str(SAMPLE_REGISTRY)])
    assert result.exit_code == 0, result.output
    assert "0 个错误 error(s), 0 个警告 warning(s)" in result.output


def _break(registry: Path) -> None:
    path = registry / "institutions" / "Y000021034003.yaml"
    text = path.read_text("utf-8").replace("levels: [5, 4]", "levels: [5, 4, 3]", 1)
    path.write_text(text.replace('city: "03"', 'city: "99"'), "utf-8")


def test_check_reports_every_problem_as_text(runner: CliRunner, registry_copy: Path) -> None:
    _break(registry_copy)
    result = runner.invoke(main, ["registry", "check", "--registry", str(registry_copy)])
    assert result.exit_code == 1
    assert "[scope-level-tier]" in result.output
    assert "[city-unknown]" in result.output
    assert "[filing-number-city]" in result.output
    assert "技工学校只能备案" in result.output
    assert "may only certify levels" in result.output
    assert "3 个错误 error(s)" in result.output


def test_check_json_and_github_formats(runner: CliRunner, registry_copy: Path) -> None:
    _break(registry_copy)
    args = ["registry", "check", "--registry", str(registry_copy), "--format"]
    doc = json.loads(runner.invoke(main, [*args, "json"]).output)
    assert doc["ok"] is False
    assert doc["errors"] == 3
    rules = {f["rule"] for f in doc["findings"]}
    assert rules == {"scope-level-tier", "city-unknown", "filing-number-city"}
    assert all(f["line"] > 0 and f["message_zh"] and f["message_en"] for f in doc["findings"])
    out = runner.invoke(main, [*args, "github"])
    assert out.exit_code == 1
    lines = [ln for ln in out.output.splitlines() if ln.startswith("::")]
    assert len(lines) == 3
    assert all(re.match(r"::error file=[^,]+,line=\d+,col=\d+,title=[a-z-]+::", ln) for ln in lines)


def test_check_missing_directory_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["registry", "check", "--registry", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_show_as_of_a_date(runner: CliRunner) -> None:
    args = ["registry", "show", "Y000041019001", "--registry", str(SAMPLE_REGISTRY)]
    before = runner.invoke(main, [*args, "--at", "2024-05-31"])
    after = runner.invoke(main, [*args, "--at", "2024-06-01"])
    assert before.exit_code == 0, before.output
    assert "中式烹调师" not in before.output.split("状态记录")[0]
    assert "4-03-02-01 中式烹调师 / --: 五级/初级工、四级/中级工、三级/高级工" in after.output
    suspended = runner.invoke(
        main,
        [
            "registry",
            "show",
            "Y000041010015",
            "--registry",
            str(SAMPLE_REGISTRY),
            "--at",
            "2026-01-01",
        ],
    )
    assert "暂停 suspended" in suspended.output


def test_show_unknown_and_broken_registry(runner: CliRunner, registry_copy: Path) -> None:
    result = runner.invoke(
        main, ["registry", "show", "Y000041019999", "--registry", str(SAMPLE_REGISTRY)]
    )
    assert result.exit_code == 1
    assert "no institution" in result.output
    _break(registry_copy)
    result = runner.invoke(
        main, ["registry", "show", "Y000041019001", "--registry", str(registry_copy)]
    )
    assert result.exit_code == 1
    assert "registry has 3 error(s)" in result.output


def test_demo_summarises_the_sample_and_runs_credentials(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        main,
        ["demo", "--registry", str(SAMPLE_REGISTRY), "--at", "2026-11-21",
         "--workdir", str(tmp_path / "demo"), "--no-serve"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "评价机构 institutions: 14" in result.output
    assert "撤销 withdrawn 1" in result.output
    out = result.output
    assert "提出批次 batch new      Y000041019001/2026-1：24 人 people" in out
    assert ("批准 batch approve     Y000033010001/2026-1（2026-11-02；主管部门编号 the bureau numbers: "
            "3 级 level 3: 000001–000006") in out  # fmt: skip
    assert "驳回 batch reject      Y000033010001/2026-2" in out
    assert "签发被拒绝 issue refused：批次 Y000033010001/2026-2 已于 2026-11-18 被驳回" in out
    assert "公布发证记录 batch publish 2026-1：24 张证书的摘要" in out
    assert "| 合计 Total |  |  | 5 | 19 | 15 | 0 | 0 | 39 |" in out
    read = "从打印的 PDF 读取二维码 QR read from the printed PDF →"
    assert f"真实 genuine：Y000041019001265000001 第 1 版，{read} ✅ 真实有效 Genuine" in out
    assert (
        f"主管部门编号 bureau-numbered：Y000033010001263000001 第 1 版，{read} ✅ 真实有效" in out
    )
    assert f"已注销 revoked：Y000041019001263000001 第 1 版，{read} ❌ 已注销" in out
    assert f"补发 re-issued：Y000041019001264000001 第 2 版，{read} ✅ 真实有效" in out
    assert f"旧版本 superseded：Y000041019001264000001 第 1 版，{read} ❌ 已补发新版本" in out
    assert "改动一位 one bit flipped → ❌ 伪造或被篡改" in out
    assert "身份证号正确 right ID：Y000041019001265000001 → ✅ 查到证书，真实有效" in out
    assert "身份证号错误 wrong ID：Y000041019001265000001 → ❌ 未查到 Not found" in out
    # Chinese first: every line of the demo has Chinese in it (but a table's rule line)
    english = [
        ln for ln in out.splitlines() if ln.strip("|- ") and not re.search(r"[\u4e00-\u9fff]", ln)
    ]
    assert not english
    pngs = sorted((tmp_path / "demo" / "certificates").rglob("*-v1.png"))
    assert len(pngs) == 40
    verify = runner.invoke(
        main, ["verify", str(pngs[-1]), "--registry", str(tmp_path / "demo" / "registry"),
               "--at", "2026-11-21"],
    )  # fmt: skip
    assert verify.exit_code == 0, verify.output
    assert out.count("/v/#") == 3
    assert (tmp_path / "demo" / "site" / "snapshot" / "manifest.sig.json").is_file()
    # the sample registry itself is untouched
    assert not list(SAMPLE_REGISTRY.rglob("*.key"))


# --- registry diff on a real git repository -------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "bureau"
    shutil.copytree(SAMPLE_REGISTRY, repo / "registry")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    return repo


def _commit(repo: Path) -> None:
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "change")


def test_diff_summarises_a_pull_request(runner: CliRunner, repo: Path) -> None:
    inst = repo / "registry" / "institutions"
    path = inst / "Y000032050007.yaml"
    text = path.read_text("utf-8")
    text = text.replace(
        "status:\n",
        "  - occupation: 6-31-03-02\n    name: 物理性能检验员\n    job: null\n"
        "    levels: [5, 4]\n    basis: national_standard\n    since: 2026-07-01\n"
        "    receipt: 苏州人社函〔2026〕4号\nstatus:\n",
        1,
    )
    text += "revoked:\n  - number: Y000032050007253000001\n    version: 1\n    date: 2026-01-05\n    reason: 证书信息有误\n"
    path.write_text(text, "utf-8")
    new = (inst / "Y000033060002.yaml").read_text("utf-8").replace("Y000033060002", "Y000033060003")
    (inst / "Y000033060003.yaml").write_text(new.split("keys:")[0] + "keys: []\n", "utf-8")
    _commit(repo)
    result = runner.invoke(
        main, ["registry", "diff", "HEAD~1", "HEAD", "--registry", str(repo / "registry")]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "1 新备案 new filing(s), 1 修改 modified" in out
    assert "新备案 New filing: Y000033060003" in out
    assert (
        "认定范围新增 scope added: 6-31-03-02 物理性能检验员 / --: 五级/初级工、四级/中级工" in out
    )
    assert "证书注销 revoked: Y000032050007253000001 v1" in out
    assert "✅ 无错误 no errors" in out


def test_diff_of_working_tree_flags_deleted_history_and_clashes(
    runner: CliRunner, repo: Path
) -> None:
    inst = repo / "registry" / "institutions"
    text = (inst / "Y000041019001.yaml").read_text("utf-8")
    (inst / "Y000041019001.yaml").write_text(text.split("revoked:")[0], "utf-8")
    # a new filing that reuses another institution's key: found by searching the other files
    other = (
        (inst / "Y000033060002.yaml").read_text("utf-8").replace("Y000033060002", "Y000033060003")
    )
    (inst / "Y000033060003.yaml").write_text(other, "utf-8")
    (inst / "Y000021034003.yaml").unlink()
    result = runner.invoke(main, ["registry", "diff", "HEAD", "--registry", str(repo / "registry")])
    assert result.exit_code == 1
    out = result.output
    assert "`working tree`" in out
    assert "**history-deleted**" in out
    assert "revocation Y000041019001231000007 v1" in out
    assert "删除备案文件 File deleted" in out
    assert "**key-id-duplicate**" in out
    assert "Y000033060002.yaml" in out


def test_diff_levels_rewritten_is_a_warning(runner: CliRunner, repo: Path) -> None:
    path = repo / "registry" / "institutions" / "Y000041019001.yaml"
    path.write_text(
        path.read_text("utf-8").replace("levels: [4, 3]\n", "levels: [4, 3, 2]\n", 1), "utf-8"
    )
    result = runner.invoke(main, ["registry", "diff", "HEAD", "--registry", str(repo / "registry")])
    assert result.exit_code == 0, result.output
    assert "等级变更 levels changed" in result.output
    assert "**history-rewritten**" in result.output


def test_diff_with_bureau_change_checks_everything(runner: CliRunner, repo: Path) -> None:
    path = repo / "registry" / "bureau.yaml"
    text = re.sub(
        r"max_validity_years: 3 .*", "max_validity_years: 2", path.read_text("utf-8"), count=1
    )
    path.write_text(text, "utf-8")
    result = runner.invoke(main, ["registry", "diff", "HEAD", "--registry", str(repo / "registry")])
    assert result.exit_code == 1
    assert "**validity-length**" in result.output


def test_diff_unknown_revision(runner: CliRunner, repo: Path) -> None:
    result = runner.invoke(main, ["registry", "diff", "nope", "--registry", str(repo / "registry")])
    assert result.exit_code == 1
    assert "unknown git revision 'nope'" in result.output


# --- the bureaus' workflow ------------------------------------------------------------------


def test_workflow_parses_and_calls_existing_commands() -> None:
    runs = []
    for path in sorted((ROOT / ".github/workflows").glob("*.yml")):
        workflow = yaml.safe_load(path.read_text("utf-8"))
        runs += [
            step["run"]
            for job in workflow["jobs"].values()
            for step in job["steps"]
            if "run" in step
        ]
    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text("utf-8"))
    runs += [
        line
        for job in gitlab.values()
        if isinstance(job, dict) and "script" in job
        for line in job["script"]
    ]
    calls = [ln.strip() for run in runs for ln in run.splitlines() if "skillcert " in ln]
    assert calls, "the workflow calls skillcert"
    for call in calls:
        words = call[call.index("skillcert ") :].split()[1:]
        group = main
        path = []
        for word in words:
            if word.startswith("-") or not hasattr(group, "commands"):
                break
            assert word in group.commands, f"{' '.join([*path, word])} is not a command"
            group = group.commands[word]
            path.append(word)
        assert path, call


def _hangzhou_pilot(inst: Path, number: str) -> None:
    text = (inst / "Y000033010001.yaml").read_text("utf-8").replace("Y000033010001", number)
    head, _, _ = text.partition("keys:")
    scope_start = head.index("scope:")
    qc = head.index("  - occupation: 6-31-03-05")
    (inst / f"{number}.yaml").write_text(
        head[:scope_start] + "scope:\n" + head[qc:] + "keys: []\n", "utf-8"
    )


def test_diff_sees_pilot_competitors_in_unchanged_files(runner: CliRunner, repo: Path) -> None:
    inst = repo / "registry" / "institutions"
    _hangzhou_pilot(inst, "Y000033010002")
    _hangzhou_pilot(inst, "Y000033010003")
    _commit(repo)  # three Hangzhou pilots for 质检员: at the limit, fine
    _hangzhou_pilot(inst, "Y000033010004")
    result = runner.invoke(main, ["registry", "diff", "HEAD", "--registry", str(repo / "registry")])
    assert result.exit_code == 0, result.output  # a warning, not an error
    assert "**pilot-limit**" in result.output
    assert "Y000033010004.yaml" in result.output
    assert "Y000033010001、Y000033010002、Y000033010003" in result.output


def test_diff_summarises_batches_and_git_dates_the_record(runner: CliRunner, repo: Path) -> None:
    """A batch proposed, then approved with the bureau's serials (the notice list deleted), then
    its record published: each pull request summarised for the clerk; a rewritten record fails;
    the record is dated by its merge commit, not by the date it states."""
    import datetime as dt

    from credentials.keys import SigningKey
    from credentials.registry import edit, records
    from credentials.registry.registry import load_registry
    from tests.support.batches import approved_batch

    reg = repo / "registry"
    key = SigningKey.generate()
    edit.add_key(reg / "institutions" / "Y000033010001.yaml", kid=key.kid, public_key=key.public_key.raw,
                 not_before=dt.date(2025, 1, 15))  # fmt: skip
    _commit(repo)
    roster = ROOT / "samples" / "roster-Y000033010001.csv"
    batch_key = approved_batch(reg, roster, key)  # proposed and approved in the working tree
    assert batch_key == "Y000033010001/2026-1"
    out = runner.invoke(main, ["registry", "diff", "HEAD", "--registry", str(reg)]).output
    assert "批次 batch 2026-1 of Y000033010001" in out
    assert "16 certificates, levels 3–4" in out
    assert "✅ 批准 approved on" in out
    assert "level 3 serials 000001–000006; level 4 serials 000001–000010" in out
    assert "✅ 无错误 no errors" in out
    _commit(repo)
    # the record, stating an early date; its merge commit is what dates it
    entries = [records.Row(f"Y000033010001263{i:06d}", 1, bytes([i]) * 16, bytes(16), "6-22-01-01",
                           "汽车机加生产线操作工", dt.date(2026, 1, 20), key.kid) for i in (1, 2)]  # fmt: skip
    record = reg / "batches" / "Y000033010001" / "2026-1.record.json"
    record.write_bytes(records.encode("Y000033010001", "2026-1", kind="batch", batch="2026-1",
                                      published=dt.date(2026, 1, 21), rows=entries))  # fmt: skip
    out = runner.invoke(main, ["registry", "diff", "HEAD", "--registry", str(reg)]).output
    assert "发证记录 issuance record 2026-1 of Y000033010001: 2 credentials" in out
    _commit(repo)
    merged = dt.date.fromisoformat(_git(repo, "log", "-1", "--format=%cs").strip())
    dated = load_registry(reg, git_dates=True).records.entries("Y000033010001263000001")
    assert [e.published for e in dated] == [max(merged, dt.date(2026, 1, 21))]
    # a record rewritten after the merge: its digest no longer matches, and deleting history fails
    record.write_text(record.read_text("utf-8").replace("01" * 16, "09" * 16), "utf-8")
    rewritten = runner.invoke(main, ["registry", "diff", "HEAD", "--registry", str(reg)])
    assert rewritten.exit_code == 1
    assert "record-digest" in rewritten.output
    record.unlink()
    deleted = runner.invoke(main, ["registry", "diff", "HEAD", "--registry", str(reg)])
    assert deleted.exit_code == 1
    assert "history-deleted" in deleted.output
