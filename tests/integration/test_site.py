"""The published site: generated pages, the directory index, the signed snapshot, and verifying
against the snapshot instead of the registry."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from credentials.credential.verify import check
from credentials.keys import SigningKey
from credentials.registry import snapshot
from credentials.registry.registry import load_registry
from tests.conftest import ROOT, bureau_site_registry

pytestmark = pytest.mark.integration
VECTORS = ROOT / "tests" / "vectors"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A registry copy with a bureau key we hold, one issued credential, and the built site."""
    tmp = tmp_path_factory.mktemp("site")
    registry, credential = bureau_site_registry(tmp)
    (tmp / "c.cose").write_bytes(credential)
    result = CliRunner().invoke(
        main,
        [
            "site",
            "build",
            "--registry",
            str(registry),
            "--out",
            str(tmp / "site"),
            "--snapshot-key",
            str(tmp / "bureau.key"),
            "--at",
            "2026-11-21",
        ],
    )
    assert result.exit_code == 0, result.output
    return {"tmp": tmp, "registry": registry, "site": tmp / "site", "bureau": tmp / "bureau.key"}


def test_pages_for_every_institution_province_occupation_and_revocation(
    built: dict[str, Path],
) -> None:
    site = built["site"]
    registry = load_registry(built["registry"])
    for number in registry.institutions:
        assert (site / "i" / number / "index.html").is_file()
    page = (site / "i" / "Y000041019001" / "index.html").read_text("utf-8")
    for text in (
        "郑州青禾技师学院职业技能等级认定中心",
        "Y000041019001",
        "豫人社函〔2022〕8号",
        "四级/中级工、三级/高级工、二级/技师、一级/高级技师",
        "增量备案 increment",
        "2025-03-01 至 2028-02-29",
        "本校学生",
    ):
        assert text in page, text
    for code in ("41", "21", "32", "33"):
        assert (site / "directory" / code / "index.html").is_file()
    occupations = (site / "occupations" / "index.html").read_text("utf-8")
    assert "中式烹调师" in occupations
    cooking = (site / "o" / "4-03-02-01" / "index.html").read_text("utf-8")
    assert "郑州青禾技师学院职业技能等级认定中心" in cooking
    assert "五级/初级工、四级/中级工、三级/高级工" in cooking
    assert "Y000041019001231000007" in (site / "revoked" / "index.html").read_text("utf-8")
    home = (site / "index.html").read_text("utf-8")
    assert "目录数据截至 2026-11-21" in home


def test_directory_index_is_compact_and_searchable(built: dict[str, Path]) -> None:
    index = json.loads((built["site"] / "directory" / "index.json").read_text("utf-8"))
    assert len(index["rows"]) == 14
    cooking = [r for r in index["rows"] if any("烹调" in index["occ"][s[0]][1] for s in r[7])]
    assert {r[0] for r in cooking} >= {"Y000041019001", "S000021025001"}
    search = json.loads((built["site"] / "search" / "search_index.json").read_text("utf-8"))
    assert not [d for d in search["docs"] if d["location"].startswith("i/")]


def test_no_resource_from_another_host(built: dict[str, Path]) -> None:
    for page in built["site"].rglob("*.html"):
        html = page.read_text("utf-8")
        loaded = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        assert not loaded, (page, loaded)
        assert "fonts.googleapis" not in html


def test_snapshot_is_signed_and_verifies_credentials(
    built: dict[str, Path], runner: CliRunner
) -> None:
    snap = built["site"] / "snapshot"
    manifest = json.loads((snap / "manifest.json").read_text("utf-8"))
    assert set(manifest["shards"]) == {"41", "21", "32", "33"}
    assert (snap / snapshot.SIGNATURE).is_file()
    args = [
        "verify",
        str(built["tmp"] / "c.cose"),
        "--snapshot",
        str(snap),
        "--registry",
        str(built["registry"]),
        "--at",
        "2026-11-21",
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "✅ 真实有效  Genuine" in result.output
    assert f"目录快照 Registry snapshot: {manifest['date']}" in result.output
    # past its valid-until the data may miss revocations: no plain "genuine", exit 2
    late = runner.invoke(main, [*args[:-1], "2027-06-01"])
    assert late.exit_code == 2, late.output
    assert "⚠️ 目录数据已过期" in late.output
    assert "真实有效" not in late.output.split("\n")[1]
    # an altered shard, or a manifest signed by someone else, is refused
    altered = built["tmp"] / "altered"
    shutil.copytree(snap, altered)
    shard = altered / "41.json"
    shard.write_bytes(shard.read_bytes().replace("洛阳远川".encode(), "洛阳远山".encode()))
    args[3] = str(altered)
    result = runner.invoke(main, args)
    assert result.exit_code == 2  # no verdict: the snapshot is unusable
    assert "does not match its hash" in result.output
    other = SigningKey.generate().public_key.raw.hex()
    result = runner.invoke(main, [*args[:4], "--snapshot-key-hex", other, *args[4:]])
    assert result.exit_code == 2
    assert "signature does not verify" in result.output


def test_snapshot_and_registry_give_the_same_verdicts_on_every_vector() -> None:
    from tests.vectors.generate import KEYS

    registry = load_registry(VECTORS / "registry")
    files = snapshot.sign_manifest(
        snapshot.build(registry, day=dt.date(2026, 11, 21), commit=None), KEYS["bureau"]
    )
    snap, manifest = snapshot.load(files, trusted_key=KEYS["bureau"].public_key.raw)
    assert manifest["date"] == "2026-11-21"
    vectors = [
        p
        for p in sorted(VECTORS.glob("*.json"))
        if p.name not in ("check-ids.json", "parity.json", "lookup.json", "shard-choice.json")
    ]
    for path in vectors:
        v = json.loads(path.read_text("utf-8"))
        data, at = bytes.fromhex(v["cose_hex"]), dt.date.fromisoformat(v["at"])
        a, b = check(data, registry, at=at), check(data, snap, at=at)
        assert [(c.id, c.status, c.reason) for c in a.checks] == [
            (c.id, c.status, c.reason) for c in b.checks
        ], path.name


def test_shard_choice_is_the_vectors(tmp_path: Path) -> None:
    doc = json.loads((VECTORS / "shard-choice.json").read_text("utf-8"))
    for number, want in doc["cases"]:
        assert snapshot.shard_for(doc["manifest"], number) == want, number


def test_a_large_province_is_cut_into_shards_and_one_shard_holds_each_institution(
    tmp_path: Path,
) -> None:
    """150 more institutions in Henan: three shards of at most 64, each institution in the one
    shard ``shard_for`` names, and a snapshot fetched for one filing number reads that shard only
    and gives the verdicts the whole registry gives."""
    from dataclasses import replace

    from tests.vectors.generate import KEYS

    registry = load_registry(VECTORS / "registry")
    model = registry.institutions["Y000041019101"]
    extra = {f"Y0000419{n:05d}": replace(model, filing_number=f"Y0000419{n:05d}", keys=())
             for n in range(150)}  # fmt: skip
    big = type(registry)({**registry.institutions, **extra}, registry.bureau, registry.occupations,
                         records=registry.records, record_policy=registry.record_policy)  # fmt: skip
    files = snapshot.sign_manifest(snapshot.build(big, day=dt.date(2026, 11, 21), commit=None),
                                   KEYS["bureau"])  # fmt: skip
    manifest = json.loads(files[snapshot.MANIFEST])
    henan = sorted(n for n, info in manifest["shards"].items() if info["province"] == "41")
    assert henan == ["41", "41-2", "41-3"]
    held: dict[str, str] = {}
    for name in henan:
        shard = json.loads(files[manifest["shards"][name]["path"]])
        assert len(shard["institutions"]) <= snapshot.PART
        assert manifest["shards"][name]["from"] == min(shard["institutions"])
        held |= dict.fromkeys(shard["institutions"], name)
    assert set(held) == {n for n in big.institutions if n[5:7] == "41"}
    for number, name in held.items():
        assert snapshot.shard_for(manifest, number) == name
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    trusted = KEYS["bureau"].public_key.raw
    one, _ = snapshot.fetch(str(tmp_path), trusted_key=trusted, filing="Y000041019101")
    assert "Y000041019101" in one.institutions
    assert set(one.institutions) == {n for n, s in held.items() if s == held["Y000041019101"]}
    v = json.loads((VECTORS / "valid-technician-college.json").read_text("utf-8"))
    data, at = bytes.fromhex(v["cose_hex"]), dt.date.fromisoformat(v["at"])
    assert v["inputs"]["credential"]["number"].startswith("Y000041019101")
    a, b = check(data, registry, at=at), check(data, one, at=at)
    assert a.ok
    assert [(c.id, c.status, c.reason) for c in a.checks] == [
        (c.id, c.status, c.reason) for c in b.checks
    ]


def test_directory_links_only_the_provinces_the_registry_has(tmp_path: Path) -> None:
    """A bureau without Henan institutions: the strict build must not link to a missing page."""
    registry = tmp_path / "registry"
    shutil.copytree(ROOT / "registry", registry)
    for path in (registry / "institutions").glob("Y000041*.yaml"):
        path.unlink()
    for path in (registry / "institutions").glob("S001741*.yaml"):
        path.unlink()
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main,
        ["site", "build", "--registry", str(registry), "--out", str(out), "--at", "2026-11-21"],
    )
    assert result.exit_code == 0, result.output
    page = (out / "directory" / "index.html").read_text("utf-8")
    assert 'href="21/"' in page
    assert 'href="41/"' not in page


def test_site_sign_signs_only_the_site_as_built_with_the_named_key(built: dict[str, Path]) -> None:
    """The offline path: a site built without the key is signed on the bureau's machine."""
    site = built["tmp"] / "to-sign"
    shutil.copytree(built["site"], site)
    (site / "snapshot" / "manifest.sig.json").unlink()
    runner = CliRunner()
    other = built["tmp"] / "other.key"
    from credentials.keys import save_signing_key

    save_signing_key(SigningKey.generate(), other, passphrase=None)
    result = runner.invoke(main, ["site", "sign", str(site), "--snapshot-key", str(other)])
    assert result.exit_code == 1
    assert "目录快照要求的签名密钥是" in result.output
    assert not (site / "snapshot" / "manifest.sig.json").exists()
    shard = site / "snapshot" / "41.json"
    original = shard.read_bytes()
    shard.write_bytes(original.replace("洛阳远川".encode(), "洛阳远山".encode()))
    result = runner.invoke(
        main, ["site", "sign", str(site), "--snapshot-key", str(built["bureau"])]
    )
    assert result.exit_code == 1
    assert "与清单不符" in result.output
    assert "41.json" in result.output
    assert not (site / "snapshot" / "manifest.sig.json").exists()
    shard.write_bytes(original)
    result = runner.invoke(
        main, ["site", "sign", str(site), "--snapshot-key", str(built["bureau"])]
    )
    assert result.exit_code == 0, result.output
    from credentials.keys import load_signing_key

    files = {p.relative_to(site / "snapshot").as_posix(): p.read_bytes()
             for p in (site / "snapshot").rglob("*.json")}  # fmt: skip
    trusted = load_signing_key(built["bureau"], passphrase=None).public_key.raw
    signed, _ = snapshot.load(files, trusted_key=trusted)
    assert "Y000041039002" in signed.institutions
    result = runner.invoke(
        main, ["site", "sign", str(built["tmp"]), "--snapshot-key", str(built["bureau"])]
    )
    assert result.exit_code == 2, result.output  # unreadable input, as everywhere
    assert "不是已构建的网站" in result.output
