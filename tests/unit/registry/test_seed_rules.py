"""The seeds' rules the registry check keeps, case by case (each quoted in bureau.yaml or the rule's
module): validity ends the day before the anniversary, Zhejiang technical schools are filed as S
and their receipts end on 31 December, pilots are counted per county where a filing gives one, the
classification's L/S marks are not part of a name."""

from __future__ import annotations

from credentials.registry.registry import read_tree
from credentials.registry.validate.check import check_files
from tests.conftest import SAMPLE_REGISTRY

ZHEJIANG = "institutions/Y000033010001.yaml"


def _findings(changes: dict[str, str]) -> set[tuple[str, str]]:
    files = read_tree(SAMPLE_REGISTRY)
    files.update({k: v.encode() for k, v in changes.items()})
    return {(f.rule, f.file) for f in check_files(files, prefix="").findings}


def _sample(rel: str) -> str:
    return (SAMPLE_REGISTRY / rel).read_text("utf-8")


def test_validity_ends_the_day_before_the_anniversary() -> None:
    text = _sample(ZHEJIANG)
    assert "  - from: 2025-01-15\n    until: 2027-01-14" in text  # 以审核通过之日起2周年
    assert _findings({}) == set()
    anniversary = text.replace("until: 2027-01-14", "until: 2027-01-15")
    assert _findings({ZHEJIANG: anniversary}) == {("validity-length", ZHEJIANG)}


def test_zhejiang_files_technical_schools_as_s_elsewhere_not() -> None:
    school = _sample("institutions/Y000033020001.yaml")
    s_school = (school.replace("filing_number: Y000033020001", "filing_number: S000033020003")
                .replace("category: Y\ntype: other_school", "category: S\ntype: technical_school")
                .split("keys:")[0] + "keys: []\n")  # fmt: skip
    assert "until: 2022-12-31" in s_school  # a technical-school receipt's fixed end date
    assert _findings({"institutions/S000033020003.yaml": s_school}) == set()
    henan = _sample("institutions/Y000041039002.yaml")
    henan_s = henan.replace("filing_number: Y000041039002", "filing_number: S000041039002").replace(
        "category: Y", "category: S"
    )
    found = _findings({"institutions/S000041039002.yaml": henan_s})
    assert ("category-type", "institutions/S000041039002.yaml") in found


def test_pilots_are_counted_per_county_where_a_filing_gives_one() -> None:
    base = _sample(ZHEJIANG)
    files = {}
    for n, county in enumerate(("330106", "330106", "330106", "330108"), start=11):
        filing = f"Y0000330100{n}"
        text = base.replace("filing_number: Y000033010001", f"filing_number: {filing}").replace(
            'city: "01"       # 杭州市\n', f'city: "01"       # 杭州市\ncounty: "{county}"\n'
        )
        files[f"institutions/{filing}.yaml"] = text.split("keys:")[0] + "keys: []\n"
    # three in 西湖区 (330106) and the city-level sample: no county over three
    assert {rule for rule, _ in _findings(files)} == set()
    files["institutions/Y000033010015.yaml"] = files["institutions/Y000033010011.yaml"].replace(
        "Y000033010011", "Y000033010015"
    )
    found = _findings(files)
    assert ("pilot-limit", "institutions/Y000033010015.yaml") in found
    assert ("pilot-limit", "institutions/Y000033010014.yaml") not in found  # 330108: alone
