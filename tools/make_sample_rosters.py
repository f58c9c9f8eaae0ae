"""Regenerate the fictional sample rosters in samples/ (deterministic).

Every name is made up from common characters; every ID number uses the region prefix 99 (no such
province), so it cannot be anyone's real number, and carries a valid GB 11643 check digit. The
photos (samples/photos/) are drawn here: a grey silhouette on white, 1-inch proportions — no one's
face.

    .venv/bin/python tools/make_sample_rosters.py
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from credentials.credential.commitment import check_digit

OUT = Path(__file__).resolve().parent.parent / "samples"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉俊峰建宇浩然欣怡子涵"
HEADER = [
    "机构备案号",
    "姓名",
    "证件类型",
    "证件号码",
    "职业编码",
    "职业名称",
    "工种/职业方向",
    "职业技能等级",
    "发证日期",
    "工作单位",
    "认定对象",
    "认定途径",
    "照片",
]

# file -> ([(occupation code, name, job, level as written), ...], issue date, count, 工作单位 choices)
# The dates fit the demo's batches (credentials/demo.py): Henan numbers at the institution,
# Zhejiang at the bureau; the second Zhejiang roster is the batch the bureau rejects.
ROSTERS = {
    "roster-Y000041019001.csv": (
        [("6-18-01-01", "车工", "数控车床", "三级/高级工"), ("6-18-01-01", "车工", "普通车床", "四级"),
         ("6-18-01-01", "车工", "普通车床", "5"), ("4-12-01-01", "汽车维修工", "汽车车身整形修复工", "高级工"),
         ("4-03-02-01", "中式烹调师", "--", "四级/中级工")],
        "2026-10-20", 24, ["郑州青禾技师学院", "郑州东风机械有限公司", "河南中原汽车服务有限公司"],
    ),
    "roster-Y000033010001.csv": (
        [("6-22-01-01", "汽车生产线操作工", "汽车机加生产线操作工", "三级/高级工"),
         ("6-22-01-01", "汽车生产线操作工", "汽车机加生产线操作工", "四级/中级工"),
         ("6-31-03-05", "质检员", "", "四级")],
        "2026-11-06", 16, ["杭州钱塘汽车部件有限公司"],
    ),
    "roster-Y000033010001-b.csv": (
        [("6-31-03-05", "质检员", "", "三级")],
        "2026-11-20", 4, ["杭州钱塘汽车部件有限公司"],
    ),
}  # fmt: skip


def id_number(rng: random.Random) -> str:
    body = f"99{rng.randrange(10000):04d}{rng.randrange(1985, 2006)}{rng.randrange(1, 13):02d}"
    body += f"{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
    return body + check_digit(body)


# Henan: a technician college assesses its students and its staff (认定对象); students come by a
# route (认定途径) that caps their level (学生申报资格)
_HENAN_ROUTES = {"三级/高级工": "1+X中级", "四级": "过程化中职", "5": "中职考试考核", "高级工": "优秀中职",
                 "四级/中级工": "过程化中职"}  # fmt: skip


def photo(path: Path, rng: random.Random) -> None:
    """A fictional ID photo: a grey silhouette on a white background, 1 inch at 300 dpi."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (295, 413), "white")
    draw = ImageDraw.Draw(img)
    tone = rng.randrange(120, 170)
    draw.ellipse((95, 70, 200, 200), fill=(tone, tone, tone + 10))
    draw.ellipse((40, 210, 255, 470), fill=(tone - 30, tone - 30, tone - 20))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="JPEG", quality=80)


def main() -> None:
    rng = random.Random(20251121)
    OUT.mkdir(exist_ok=True)
    for old in [*OUT.glob("roster-*.csv"), *(OUT / "photos").glob("*.jpg")]:
        old.unlink()
    for name, (kinds, date, count, units) in ROSTERS.items():
        filing = name.removeprefix("roster-").removesuffix(".csv").split("-")[0]
        with (OUT / name).open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            for i in range(count):
                code, occ, job, level = kinds[i % len(kinds)]
                person = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
                unit = units[i % len(units)]
                category, route = "本单位职工", ""
                if filing == "Y000041019001":
                    student = i % 4 != 3
                    category = "本校学生" if student else "本单位职工"
                    route = _HENAN_ROUTES[level] if student else ""
                    unit = "郑州青禾技师学院"
                picture = (
                    f"photos/{name.removeprefix('roster-').removesuffix('.csv')}-{i + 1:02d}.jpg"
                )
                photo(OUT / picture, rng)
                row = [
                    filing,
                    person,
                    "居民身份证",
                    id_number(rng),
                    code,
                    occ,
                    job,
                    level,
                    date,
                    unit,
                ]
                writer.writerow([*row, category, route, picture])
    print(f"wrote {len(ROSTERS)} rosters to {OUT}")


if __name__ == "__main__":
    main()
