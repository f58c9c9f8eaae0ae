"""A synthetic national-scale registry for benchmarks: N fictional institutions in the sample
bureau's four provinces, each with ~10 scope rows and 2 keys (one rotated), all valid.

Deterministic for a given seed. Writes YAML text directly (the shape ``skillcert`` expects).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import shutil
from pathlib import Path

import yaml

from credentials.credential.commitment import check_digit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "registry"

# province -> (cities, how positions 8-13 are formed)
_PROVINCES = {
    "41": ([f"{c:02d}" for c in range(0, 19)], "henan"),
    "21": ([f"{c:02d}" for c in range(1, 15)], "liaoning"),
    "33": ([f"{c:02d}" for c in range(1, 12)], "order4"),
    "32": ([f"{c:02d}" for c in range(1, 14)], "order4"),
}
_MAX_YEARS = {"41": 3, "21": 3, "33": 2, "32": 2}
# With national=True, institutions spread over all 31 mainland provinces (synthetic rules for the
# 27 the sample bureau does not describe: 15 cities, city + 4-digit order).
_OTHER_PROVINCES = ("11", "12", "13", "14", "15", "22", "23", "31", "34", "35", "36", "37", "42",
                    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65")  # fmt: skip
_OTHER_CITIES = [f"{c:02d}" for c in range(1, 16)]


def _province_rules(code: str) -> str:
    cities = ", ".join(f'"{c}": 合成{code}{c}市' for c in _OTHER_CITIES)
    return (
        f'\n  "{code}":\n    name: 合成省{code}\n    max_validity_years: 3\n'
        f"    cities: {{{cities}}}\n    sequence:\n      - {{part: city, length: 2}}\n"
        "      - {part: order, length: 4, ranges: [{min: 1, max: 9999}]}\n"
    )


def _reference_data(dest: Path, bureau: str) -> list[dict]:
    """Write the sample's occupations, every skill occupation given the national standard's five
    levels (a mature registry's reference data: the sample knows the levels of only a few), and
    return those an institution may file: skill occupations that are not access-controlled."""
    text = (SAMPLE / "occupations.yaml").read_text("utf-8")
    lines = []
    for line in text.splitlines():
        if line.startswith("  - {code: ") and line[11] in "3456" and "levels:" not in line:
            line = line[:-1] + ', levels: [5, 4, 3, 2, 1], levels_source: "合成 synthetic"}'
        lines.append(line)
    dest.write_text("\n".join(lines) + "\n", "utf-8")
    access = {o["code"] for o in yaml.safe_load(bureau).get("access_occupations") or []}
    return [
        occ
        for occ in yaml.safe_load("\n".join(lines))["occupations"]
        if occ["code"][0] in "3456" and occ["code"] not in access
    ]


def _public_key(seed: bytes) -> str:
    from nacl.signing import SigningKey

    return bytes(SigningKey(seed).verify_key).hex()


def _sequence(rng: random.Random, province: str, city: str, n: int) -> tuple[str, str, str]:
    """(sequence, type, ownership) for institution number ``n`` of a city."""
    kind = _PROVINCES[province][1]
    if kind == "henan":
        if n % 3 == 0:
            return f"{city}{9001 + n // 3:04d}", "technician_college", "private"
        return f"{city}{1 + n:04d}", "enterprise", "private"
    if kind == "liaoning":
        digit = rng.choice("123")
        own = {"1": "central", "2": "provincial", "3": "municipal"}[digit]
        return f"{city}{digit}{1 + n % 999:03d}", "enterprise", own
    return f"{city}{1 + n:04d}", "enterprise", "private"


def generate(
    dest: Path,
    count: int,
    *,
    seed: int = 2026,
    key_seeds: dict[str, list[tuple[bytes, str]]] | None = None,
    national: bool = False,
) -> Path:
    """Write a registry of ``count`` institutions into ``dest`` (replaced) and return it.

    With ``key_seeds``, it is filled with each institution's key seeds and their ``not_before`` dates
    (synthetic test keys, for benchmarks that sign).
    """
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "institutions").mkdir(parents=True)
    bureau = (SAMPLE / "bureau.yaml").read_text("utf-8")
    # the pilot-limit warning is a Zhejiang policy for real pilots; random data would trip it
    bureau = bureau.replace("enabled: true", "enabled: false")
    if national:
        bureau += "".join(_province_rules(code) for code in _OTHER_PROVINCES)
    (dest / "bureau.yaml").write_text(bureau, "utf-8")
    occupations = _reference_data(dest / "occupations.yaml", bureau)
    per_city: dict[tuple[str, str], int] = {}
    provinces = list(_PROVINCES) + (list(_OTHER_PROVINCES) if national else [])
    for i in range(count):
        province = provinces[i % len(provinces)]
        cities = _PROVINCES[province][0] if province in _PROVINCES else _OTHER_CITIES
        city = rng.choice(cities)
        n = per_city.get((province, city), 0)
        per_city[(province, city)] = n + 1
        if province in _PROVINCES:
            sequence, itype, ownership = _sequence(rng, province, city, n)
        else:
            sequence, itype, ownership = f"{city}{1 + n:04d}", "enterprise", "private"
        filing = f"Y0000{province}{sequence}"
        year = 2020 + rng.randrange(4)
        start = f"{year}-{rng.randrange(1, 13):02d}-01"
        years = _MAX_YEARS.get(province, 3)
        end1 = f"{year + years}-{start[5:7]}-01"
        until1 = _day_before(end1)
        until2 = _day_before(f"{year + 2 * years}-{start[5:7]}-01")
        rows = []
        for occ in rng.sample(occupations, 10):
            allowed = occ.get("levels") or [1, 2, 3, 4, 5]
            levels = sorted(rng.sample(allowed, rng.randrange(1, len(allowed) + 1)), reverse=True)
            job = (
                json.dumps(rng.choice(occ["jobs"]), ensure_ascii=False)
                if occ.get("jobs")
                else "null"
            )
            rows.append(
                f"  - occupation: {occ['code']}\n    name: {occ['name']}\n    job: {job}\n"
                f"    levels: [{', '.join(map(str, levels))}]\n    basis: national_standard\n"
                f"    since: {start}\n"
            )
        keys = []
        for k, (nb, na) in enumerate(((start, until1), (end1, None))):
            key_seed = rng.randbytes(32)
            if key_seeds is not None:
                key_seeds.setdefault(filing, []).append((key_seed, nb))
            pk = _public_key(key_seed)
            kid = hashlib.sha256(bytes.fromhex(pk)).digest()[:8].hex()
            keys.append(
                f'  - kid: "{kid}"\n    public_key: "{pk}"\n    not_before: {nb}\n'
                + (f"    not_after: {na}\n" if na and k == 0 else "")
            )
        text = (
            f"filing_number: {filing}\ncategory: Y\ntype: {itype}\nownership: {ownership}\n"
            f"name: 合成测试机构{i:05d}职业技能等级认定中心\nshort_name: 合成{i:05d}\n"
            f'province: "{province}"\ncity: "{city}"\naddress: 合成地址 {i} 号\n'
            f"contact:\n  person: 测试员\n  phone: 010-5550 {i % 10000:04d}\n"
            f"filing:\n  bureau: 合成备案部门\n  receipt: 合成函〔{year}〕{i}号\n  date: {start}\n"
            f"validity:\n  - from: {start}\n    until: {until1}\n  - from: {end1}\n"
            f"    until: {until2}\n"
            "assessed: [own_employees]\n"
            "scope:\n" + "".join(rows) + f"status:\n  - date: {start}\n    status: active\n"
            "    reason: 备案通过\nkeys:\n" + "".join(keys)
        )
        (dest / "institutions" / f"{filing}.yaml").write_text(text, "utf-8")
    return dest


def _day_before(iso: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


def fictional_id(i: int) -> str:
    """The ``i``-th fictional resident ID number (county 99…, which does not exist; unique for
    i < 10,000, with a valid check digit)."""
    body = f"99{i % 10000:04d}{1985 + i % 20}0{1 + i % 9}{10 + i % 18}{i % 1000:03d}"
    return body + check_digit(body)


_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲"


def write_roster(path: Path, rows: int) -> list[tuple[str, str]]:
    """A roster of ``rows`` fictional people of Y000041019001 (returned as (ID number, photo)) (the sample's occupations, levels and photos, each
    photo copied to a file of its own)."""
    sample = ROOT / "samples" / "roster-Y000041019001.csv"
    with sample.open(encoding="utf-8-sig") as fh:
        table = list(csv.reader(fh))
    header, samples = table[0], table[1:]
    name_col, id_col = header.index("姓名"), header.index("证件号码")
    photo_col = header.index("照片")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    people = []
    for i in range(rows):
        row = list(samples[i % len(samples)])
        row[name_col] = _SURNAMES[i % 20] + _GIVEN[(i // 20) % 25] + _GIVEN[(i // 500) % 25]
        row[id_col] = fictional_id(i)
        photo = path.parent / "photos" / f"{i:05d}.jpg"  # one file per person, as in a real roster
        photo.parent.mkdir(exist_ok=True)
        shutil.copyfile(sample.parent / row[photo_col], photo)
        row[photo_col] = str(photo)
        writer.writerow(row)
        people.append((row[id_col], row[photo_col]))
    path.write_text(out.getvalue(), "utf-8")
    return people
