"""Generate the 千阳县 (Qianyang county) example data set for both shipped campaigns.

    python examples/generate.py [--seed N] [--scale N] [--out DIR]
                                [--record-share F] [--no-members]

writes one UTF-8 CSV per table declared in `rules/three_pioneers.yaml` and
`rules/three_shows.yaml` into DIR (default: `examples/qianyang/` beside this
file). `--scale` is the number of riders; crews, routes and members follow in
proportion, so the shape stays the same from a few dozen to a million riders.

Two options change the shape, for benchmarks (without them the bytes are the
same as before they existed): `--record-share F` keeps each record row (not
subject rows) with probability F, drawn from a stream of its own so every
subject's draws stay as they are (about 48 three_pioneers records per rider at
1, so 0.42 gives issue 7's L: a million riders, twenty million records);
`--no-members` leaves out `rules/three_shows.yaml`'s tables (members and their
records), which halves the time of a three_pioneers-only data set.

The output is a pure function of (seed, scale): every subject draws from its
own `random.Random` seeded with a string, rows are written as they are made
(nothing but the crew list is held in memory), and the bytes are identical run
after run. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DEFAULT_SEED = 20221206  # the date of the source newsletter
DEFAULT_SCALE = 360  # riders
DEFAULT_OUT = Path(__file__).resolve().parent / "qianyang"

Cell = str | int | float | bool | dt.date | None

# --------------------------------------------------------------------------- layouts
# table -> (record id prefix or None for a subject table, bool spelling, columns).
# A column is (id, header); the CSV uses the Chinese header the rule file declares.
# tests/test_examples.py checks these against the rule files.


@dataclass(frozen=True)
class Layout:
    """How one table is written: record id prefix, boolean spelling, columns."""

    prefix: str | None
    bools: tuple[str, str]
    columns: tuple[tuple[str, str], ...]


ZH = ("是", "否")
EN = ("true", "false")
_RIDER_TEAM = (("id", "记录编号"), ("rider", "骑手编号"), ("team", "班组编号"))

LAYOUTS: dict[str, Layout] = {
    # ---- three_pioneers.yaml
    "riders": Layout(None, ZH, (
        ("id", "骑手编号"), ("name", "姓名"), ("gender", "性别"), ("phone", "手机号"),
        ("id_number", "身份证号"), ("company", "所属企业"), ("unit", "所属镇"),
        ("team", "现所在班组"), ("party_member", "是否党员"), ("joined", "入职日期"),
        ("traffic_status", "交通信用"),
    )),
    "teams": Layout(None, ZH, (
        ("id", "班组编号"), ("name", "班组名称"), ("unit", "所属镇"), ("company", "所属企业"),
        ("leader", "班组长"), ("founded", "成立日期"),
    )),
    "routes": Layout(None, ZH, (
        ("id", "邮路编号"), ("name", "邮路名称"), ("unit", "所属镇"), ("station", "镇级分拣站"),
        ("village", "村级服务点"), ("carrier", "承运企业"), ("length_km", "单程里程公里"),
        ("opened", "开通日期"),
    )),
    "deliveries": Layout("PS", ZH, (
        *_RIDER_TEAM, ("month", "月份"), ("parcels", "派送件数"), ("on_time", "按时件数"),
        ("damaged", "破损件数"),
    )),
    "ratings": Layout("PJ", ZH, (
        *_RIDER_TEAM, ("month", "月份"), ("stars", "平均星级"), ("reviews", "评价数"),
        ("bad_reviews", "差评数"),
    )),
    "complaints": Layout("SS", EN, (
        ("id", "申诉编号"), ("rider", "骑手编号"), ("team", "班组编号"), ("route", "邮路编号"),
        ("day", "受理日期"), ("category", "申诉类别"), ("valid", "有效申诉"),
        ("hours_to_resolve", "办结时长小时"),
    )),
    "violations": Layout("WF", ZH, (
        *_RIDER_TEAM, ("day", "违法日期"), ("kind", "违法行为"), ("points", "记分"),
    )),
    "incidents": Layout("SJ", EN, (
        ("id", "记录编号"), ("rider", "骑手编号"), ("team", "班组编号"), ("route", "邮路编号"),
        ("day", "发生日期"), ("kind", "事件类型"), ("severity", "等级"),
        ("responsible", "负有责任"),
    )),
    "discipline": Layout("KF", ZH, (*_RIDER_TEAM, ("day", "日期"), ("kind", "事项"))),
    "honors": Layout("RY", ZH, (
        *_RIDER_TEAM, ("day", "日期"), ("recipient", "授予对象"), ("kind", "类别"),
        ("level", "级别"), ("title", "荣誉名称"),
    )),
    "volunteering": Layout("ZY", ZH, (
        *_RIDER_TEAM, ("day", "服务日期"), ("hours", "服务时长"), ("kind", "服务类别"),
    )),
    "hazard_reports": Layout("YH", ZH, (
        *_RIDER_TEAM, ("day", "上报日期"), ("kind", "隐患类别"), ("valid", "核实有效"),
    )),
    "study": Layout("XX", ZH, (
        *_RIDER_TEAM, ("day", "活动日期"), ("kind", "活动类型"), ("attended", "是否参加"),
    )),
    "ballots": Layout("BP", ZH, (
        ("id", "票号"), ("team", "被测评班组"), ("voter", "投票人"),
        ("voter_team", "投票人所在班组"), ("day", "测评日期"), ("option", "测评意见"),
    )),
    "panel_scores": Layout("PW", ZH, (
        ("id", "记录编号"), ("team", "被评班组"), ("judge", "评委"),
        ("judge_team", "评委所在班组"), ("day", "评审日期"), ("score", "评分"),
    )),
    "route_ops": Layout("YY", ZH, (
        ("id", "记录编号"), ("route", "邮路编号"), ("month", "月份"),
        ("trips_scheduled", "计划班次"), ("trips_made", "实际班次"),
        ("villages_due", "应通达村数"), ("villages_served", "实际通达村数"),
        ("items", "邮件数"), ("on_time", "时限达标数"), ("delivered", "妥投数"),
    )),
    "route_surveys": Layout("WJ", EN, (
        ("id", "问卷编号"), ("route", "邮路编号"), ("day", "调查日期"), ("village", "受访村"),
        ("satisfied", "是否满意"),
    )),
    "produce": Layout("ZN", ZH, (
        ("id", "记录编号"), ("route", "邮路编号"), ("day", "发运日期"), ("product", "品类"),
        ("kg", "重量公斤"),
    )),
    # ---- three_shows.yaml
    "members": Layout(None, ZH, (
        ("id", "人员编号"), ("name", "姓名"), ("gender", "性别"), ("phone", "手机号"),
        ("id_number", "身份证号"), ("unit", "所属镇"), ("branch", "所在党支部"),
        ("occupation", "从业类型"), ("employer", "所在企业"), ("party_status", "政治面貌"),
        ("joined_party", "入党日期"), ("dues_paid", "按时足额交纳党费"),
        ("sanction_until", "处分影响期至"), ("appraisal_prev", "上年度民主评议等次"),
    )),
    "spot_checks": Layout("CC", EN, (
        ("id", "记录编号"), ("member", "人员编号"), ("day", "抽查日期"),
        ("badge_worn", "佩戴党员徽章"), ("standards_posted", "公开服务标准"),
    )),
    "pledges": Layout("CN", ZH, (
        ("id", "记录编号"), ("member", "人员编号"), ("day", "承诺日期"), ("item", "承诺事项"),
        ("fulfilled", "是否兑现"),
    )),
    "work_reviews": Layout("KH", ZH, (
        ("id", "记录编号"), ("member", "人员编号"), ("month", "月份"), ("score", "考核得分"),
    )),
    "service_ratings": Layout("FP", ZH, (
        ("id", "记录编号"), ("member", "人员编号"), ("day", "评价日期"), ("stars", "星级"),
    )),
    "member_complaints": Layout("TS", ZH, (
        ("id", "记录编号"), ("member", "人员编号"), ("day", "受理日期"),
        ("category", "投诉类别"), ("valid", "查实有效"),
    )),
    "service_hours": Layout("SC", ZH, (
        ("id", "记录编号"), ("member", "人员编号"), ("day", "服务日期"), ("hours", "服务时长"),
        ("activity", "服务项目"),
    )),
    "governance": Layout("ZL", ZH, (
        ("id", "记录编号"), ("member", "人员编号"), ("day", "日期"), ("kind", "事项类型"),
        ("valid", "核实有效"),
    )),
    "party_life": Layout("ZZ", ZH, (
        ("id", "记录编号"), ("member", "人员编号"), ("day", "活动日期"), ("kind", "活动类型"),
        ("attended", "是否参加"), ("excused", "是否请假"),
    )),
    "member_ballots": Layout("CP", ZH, (
        ("id", "票号"), ("candidate", "被测评人"), ("voter", "投票人"), ("day", "测评日期"),
        ("option", "测评意见"),
    )),
    "community_reviews": Layout("SQ", ZH, (
        ("id", "记录编号"), ("member", "人员编号"), ("day", "评价日期"),
        ("community", "报到社区"), ("option", "评价意见"),
    )),
    "misconduct": Layout("WG", ZH, (
        ("id", "记录编号"), ("member", "人员编号"), ("day", "认定日期"), ("kind", "类型"),
        ("note", "说明"),
    )),
}  # fmt: skip

# --------------------------------------------------------------------------- vocabulary

TOWNS = ("城关镇", "崔家头镇", "南寨镇", "张家塬镇", "水沟镇", "草碧镇", "高崖镇")
TOWN_WEIGHTS = (34, 11, 11, 10, 11, 12, 11)  # the county seat has a third of the work
COURIERS = ("中国邮政", "顺丰", "中通", "圆通", "申通", "韵达", "极兔", "京东")
FOOD = ("美团", "饿了么")
COMPANY_WEIGHTS = {
    "中国邮政": 14, "顺丰": 6, "中通": 9, "圆通": 7, "申通": 5, "韵达": 7, "极兔": 5,
    "京东": 5, "美团": 10, "饿了么": 6,
}  # fmt: skip
SURNAMES = (
    "王李张刘杨赵陈马何冯贾党雷薛郭孙高宋魏田吴周徐朱胡郑白任罗梁韩唐董程曹袁邓许"
    "苏蒋蔡余杜叶姚卢范彭吕丁沈姜崔谭钟汪史寇景屈"
)
GIVEN_MALE = "伟强军磊洋勇涛斌超鹏辉刚杰峰浩亮明飞华平宁博文武建国志新海龙成荣鑫宇航晨阳"
GIVEN_FEMALE = "娟丽敏静芳燕霞婷雪琳慧莉娜红艳玲倩蓉欣悦佳瑞秀兰萍梅英华晨"
NUMERALS = "一二三四五六七八九十"
VILLAGE_SUFFIX = ("家塬村", "家沟村", "家庄村", "家河村", "家坪村", "家堡村", "家湾村", "家岭村")
COMMUNITIES = {"城关镇": ("东关社区", "西关社区", "南关社区", "北关社区", "燕伋社区")}
ECOMMERCE = ("千阳县塬上果业电商", "千阳县蜂语电子商务", "千阳县核桃产业合作社")
BRANCHES: tuple[tuple[str, str], ...] = (
    ("寄递物流行业党总支邮政支部", "城关镇"),
    ("寄递物流行业党总支快递联合支部", "城关镇"),
    ("寄递物流行业党总支外卖配送支部", "城关镇"),
    ("电子商务联合党支部", "城关镇"),
    ("网约车行业联合党支部", "城关镇"),
    *((f"{town}新业态联合党支部", town) for town in TOWNS[1:]),
)

START = dt.date(2022, 1, 1)
END = dt.date(2022, 12, 31)
BEFORE = dt.date(2021, 12, 1)  # a few records fall before the period ...
AFTER = dt.date(2023, 1, 1)  # ... and after it, to exercise the period filter


# --------------------------------------------------------------------------- writing


def fmt(value: Cell, bools: tuple[str, str]) -> str:
    """Spell one cell: empty for null, ISO dates, plain numbers, 是/否 or true/false."""
    kind = type(value)  # exact type checks: this runs for every cell of a million-rider set
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if kind is bool:
        return bools[0] if value else bools[1]
    if kind is float:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {value!r}")


SHOWS_TABLES = frozenset({
    "members", "spot_checks", "pledges", "work_reviews", "service_ratings",
    "member_complaints", "service_hours", "governance", "party_life", "member_ballots",
    "community_reviews", "misconduct",
})  # fmt: skip
"""The tables only `rules/three_shows.yaml` declares (left out by `--no-members`)."""


class Sink:
    """One open CSV writer per table; assigns record ids and counts rows."""

    def __init__(
        self,
        out: Path,
        stack: ExitStack,
        tables: frozenset[str] = frozenset(LAYOUTS),
        keep: tuple[random.Random, float] | None = None,
    ) -> None:
        """Create `out` and open (truncate) one file per table of `tables`,
        header first. With `keep` = (stream, share), each record row is
        written only when the stream's next draw is below the share."""
        out.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, Any] = {}
        self._keep = keep
        self.counts: dict[str, int] = {}
        for table, layout in LAYOUTS.items():
            if table not in tables:
                continue
            handle = stack.enter_context(
                (out / f"{table}.csv").open("w", encoding="utf-8", newline="", buffering=1 << 20)
            )
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([header for _, header in layout.columns])
            self._writers[table] = writer
            self.counts[table] = 0

    def add(self, table: str, *values: Cell) -> None:
        """Write one row; record tables get their id (`PREFIX00000001`) prepended.

        The csv module spells str, int, None (empty) and dates (`str()`: ISO)
        itself, as `fmt` would; only booleans and floats go through `fmt`
        (this runs for every row of a million-rider set)."""
        layout = LAYOUTS[table]
        if self._keep is not None and layout.prefix is not None:
            stream, share = self._keep
            if stream.random() >= share:
                return
        n = self.counts[table] = self.counts[table] + 1
        cells = [v if type(v) in _AS_IS else fmt(v, layout.bools) for v in values]
        if layout.prefix is not None:
            cells = [f"{layout.prefix}{n:08d}", *cells]
        if len(cells) != len(layout.columns):
            raise ValueError(f"{table}: {len(cells)} cells for {len(layout.columns)} columns")
        self._writers[table].writerow(cells)


_AS_IS = frozenset({str, int, type(None), dt.date})
"""Cell types the csv module writes exactly as `fmt` spells them."""


# --------------------------------------------------------------------------- helpers


def sub_rng(seed: int, kind: str, index: int) -> random.Random:
    """A generator of its own for one subject, so twins can replay the same draws."""
    return random.Random(f"{seed}/{kind}/{index}")


def clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    """`x` limited to `[lo, hi]`."""
    return max(lo, min(hi, x))


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's method; fine for the small rates used here)."""
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def resolution_hours(rng: random.Random, quality: float) -> float:
    """Hours to close a complaint: mostly within the 48-hour limit, better crews faster."""
    if rng.random() < 0.6 + 0.35 * quality:
        return round(rng.uniform(2, 47.5), 1)
    return round(rng.uniform(49, 120), 1)


def day_in(rng: random.Random, first: dt.date = START, last: dt.date = END) -> dt.date:
    """A uniformly drawn day in `[first, last]`."""
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def month_start(month: int) -> dt.date:
    """The first day of a month of 2022."""
    return dt.date(2022, month, 1)


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    """A key drawn by weight (dict order is fixed, so the draw is reproducible)."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def town(rng: random.Random) -> str:
    """One of the seven towns of 千阳县, weighted by size."""
    return rng.choices(TOWNS, weights=TOWN_WEIGHTS)[0]


def numeral(n: int) -> str:
    """一 … 十 for crew and shift numbers, digits beyond."""
    return NUMERALS[n - 1] if 1 <= n <= len(NUMERALS) else str(n)


@dataclass(frozen=True)
class Person:
    """Identity columns shared by riders and members."""

    name: str
    gender: str
    phone: str
    id_number: str


def id_check_digit(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an 18-digit resident ID number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def person(rng: random.Random, male_share: float) -> Person:
    """A synthetic person: Chinese name, gender, mobile number, 千阳县 ID number."""
    male = rng.random() < male_share
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    given = "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))
    phone = "1" + rng.choice(
        ("35", "36", "38", "39", "52", "57", "58", "87", "89", "53", "77", "99")
    )
    phone += f"{rng.randrange(10**8):08d}"
    born = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(365 * 37))
    seq = rng.randrange(50) * 2 + (1 if male else 0) + 100 * rng.randrange(10)
    body = f"610328{born:%Y%m%d}{seq:03d}"
    return Person(
        rng.choice(SURNAMES) + given, "男" if male else "女", phone, body + id_check_digit(body)
    )


# --------------------------------------------------------------------------- crews


@dataclass(frozen=True)
class Team:
    """A crew (班组); the crew list is the only table held in memory."""

    index: int
    id: str
    unit: str
    company: str
    founded: dt.date
    quality: float
    small: bool


def build_teams(seed: int, count: int) -> list[Team]:
    """Draw the crews: town, company, founding date, a latent quality."""
    rng = random.Random(f"{seed}/teams")
    width = max(3, len(str(count)))
    teams = []
    for t in range(count):
        founded = dt.date(2016 + rng.randrange(6), 1 + rng.randrange(12), 1)
        if t % 20 == 7:  # founded late in the period: not yet six months old
            founded = dt.date(2022, 8 + rng.randrange(3), 1)
        teams.append(
            Team(
                index=t,
                id=f"T{t + 1:0{width}d}",
                unit=town(rng),
                company=pick(rng, COMPANY_WEIGHTS),
                founded=founded,
                quality=clamp(rng.betavariate(2.5, 1.8)),
                small=t % 20 == 11,  # two riders only: below the three-member minimum
            )
        )
    return teams


@dataclass(frozen=True)
class Crews:
    """The crew list indexed the ways rider generation needs, built once."""

    small: list[Team]
    normal: list[Team]
    by_unit: dict[str, list[Team]]
    older_by_unit: dict[str, list[Team]]  # crews that existed before the period

    @classmethod
    def index(cls, teams: Sequence[Team]) -> Crews:
        """Split and group `teams`."""
        by_unit: dict[str, list[Team]] = {}
        older: dict[str, list[Team]] = {}
        for team in teams:
            by_unit.setdefault(team.unit, []).append(team)
            if team.founded <= START:
                older.setdefault(team.unit, []).append(team)
        return cls(
            small=[t for t in teams if t.small],
            normal=[t for t in teams if not t.small],
            by_unit=by_unit,
            older_by_unit=older,
        )


def write_teams(sink: Sink, seed: int, teams: Sequence[Team], crews: Crews) -> None:
    """Crews, their panel scores, collective honours and crew-level incidents."""
    serial: dict[tuple[str, str], int] = {}
    by_unit = crews.by_unit
    for team in teams:
        rng = sub_rng(seed, "team", team.index)
        n = serial[team.unit, team.company] = serial.get((team.unit, team.company), 0) + 1
        work = "配送" if team.company in FOOD else "投递"
        kind = "班" if team.company == "中国邮政" else "组"
        name = f"{team.unit}{team.company}{work}{numeral(n)}{kind}"  # 城关镇中通投递二组
        sink.add(
            "teams", team.id, name, team.unit, team.company, person(rng, 0.8).name, team.founded
        )
        # 党建台账评审: five or seven judges; every tenth crew got only two (no trimmed mean)
        judges = 2 if team.index % 10 == 3 else rng.choice((5, 5, 7))
        for j in range(judges):
            if j == 0 and rng.random() < 0.3:
                judge_team: str | None = team.id  # the crew's own leader sat on the panel: 回避
            elif rng.random() < 0.35:
                judge_team = rng.choice(by_unit[team.unit]).id
            else:
                judge_team = None  # outside judge (服务中心、行业党总支)
            score = round(clamp(58 + 38 * team.quality + rng.gauss(0, 4), 40, 100), 1)
            sink.add(
                "panel_scores", team.id, f"评委{person(rng, 0.6).name}", judge_team,
                dt.date(2022, 12, 20), score,
            )  # fmt: skip
        if rng.random() < 0.12 + 0.2 * team.quality:
            level = rng.choice(("县级", "县级", "市级"))
            sink.add(
                "honors", None, team.id, day_in(rng), "集体", "表彰", level,
                f"{'千阳县' if level == '县级' else '宝鸡市'}青年文明号",
            )  # fmt: skip
        if team.index % 40 == 13:
            sink.add("incidents", None, team.id, None, day_in(rng), "通报批评", "一般", True)


# --------------------------------------------------------------------------- riders


@dataclass(frozen=True)
class Rider:
    """Everything a rider's records depend on (a twin copies it under a new id)."""

    index: int
    id: str
    person: Person
    team: Team | None
    old_team: Team | None  # crew before `switch` (crew change mid-year)
    switch: int  # month from which `team` applies
    unit: str
    company: str
    joined: dt.date
    quality: float
    party: bool
    traffic: str
    role: int  # index % 100: which edge case this rider carries (see examples/README.md)
    rare: int  # index % 300: the rarer vetoes


def make_rider(seed: int, i: int, width: int, crews: Crews) -> Rider:
    """Draw rider `i`'s profile: crew, company, join date, quality and special role."""
    rng = sub_rng(seed, "rider", i)
    role = i % 100
    small, normal = crews.small, crews.normal
    team: Team | None
    if i < 2 * len(small):
        team = small[i // 2]
    elif i % 25 == 24 or not normal:
        team = None  # 众包骑手: no crew
    elif i < 2 * len(small) + 3 * len(normal):
        team = normal[(i - 2 * len(small)) % len(normal)]
    else:
        team = rng.choice(normal)
    unit = team.unit if team else town(rng)
    company = team.company if team else rng.choice(FOOD)
    joined = dt.date(2013 + rng.randrange(9), 1 + rng.randrange(12), 1 + rng.randrange(28))
    if role == 37 or rng.random() < 0.06:  # hired during 2022; role 37 too late to be eligible
        joined = dt.date(2022, 11, 15) if role == 37 else dt.date(2022, 2 + rng.randrange(8), 10)
    old_team, switch = None, 1
    if team is not None:
        if team.founded > START:  # a crew founded in 2022: its riders came from older crews
            switch = team.founded.month
        elif role == 59 or rng.random() < 0.07:
            switch = 4 + rng.randrange(7)
        if switch > 1:
            older = [t for t in crews.older_by_unit.get(unit, [])[:50] if t is not team]
            old_team = rng.choice(older) if older else None
    quality = clamp(0.6 * rng.betavariate(2.4, 1.5) + 0.4 * (team.quality if team else 0.5))
    if role == 67:
        quality = 1.0
    traffic = "红" if role == 47 else rng.choices(("绿", "黄"), weights=(9, 1))[0]
    return Rider(
        index=i,
        id=f"R{i + 1:0{width}d}",
        person=person(rng, 0.88),
        team=team,
        old_team=old_team,
        switch=switch,
        unit=unit,
        company=company,
        joined=joined,
        quality=quality,
        party=rng.random() < 0.3,
        traffic=traffic,
        role=role,
        rare=i % 300,
    )


def crew_at(rider: Rider, day: dt.date) -> str | None:
    """The crew a record of `day` carries: the old crew before the switch month."""
    before_switch = day.year < 2022 or (day.year == 2022 and day.month < rider.switch)
    if rider.old_team is not None and before_switch:
        return rider.old_team.id
    if rider.team is None or day < rider.team.founded:
        return None
    return rider.team.id


def write_rider(sink: Sink, rider: Rider, rng: random.Random, crews: Crews) -> None:
    """One rider row and all its records; `rng` is the rider's record generator."""
    r, q, role = rider, rider.quality, rider.role
    p = r.person
    sink.add(
        "riders", r.id, p.name, p.gender, p.phone, p.id_number, r.company, r.unit,
        r.team.id if r.team else None, r.party, r.joined, r.traffic,
    )  # fmt: skip

    def rec(table: str, day: dt.date, *rest: Cell) -> None:
        sink.add(table, r.id, crew_at(r, day), *rest)

    # --- monthly platform data (deliveries) and ratings
    first = r.joined.month if r.joined.year == 2022 else 1
    months = [month_start(m) for m in range(first, 13)]
    if role == 41:  # 兼职: a few weeks of work, under the 300-parcel minimum
        months = months[-3:]
    if r.joined < BEFORE and (role == 71 or rng.random() < 0.05):
        months.insert(0, BEFORE)
    if role == 71 or rng.random() < 0.05:
        months.append(AFTER)
    base = (1100 if r.company in FOOD else 1650) * (0.55 + 0.7 * q)
    no_ratings = role == 3 or rng.random() < 0.08
    for month in months:
        parcels = (
            10 + rng.randrange(20) if role == 41 else max(0, round(base * rng.uniform(0.8, 1.2)))
        )
        rate = clamp(0.895 + 0.09 * q + rng.gauss(0, 0.008), 0.8, 0.999)
        damaged = round(parcels * (10 - 9 * q) / 10000 + 0.5 * rng.random())
        rec("deliveries", month, month, parcels, round(parcels * rate), damaged)
        if not no_ratings and parcels:
            reviews = 3 + rng.randrange(30)
            stars = round(clamp(3.95 + 1.0 * q + rng.gauss(0, 0.12), 1, 5), 2)
            bad = poisson(rng, 0.35 * (1 - q) * reviews / 10)
            rec("ratings", month, month, stars, reviews, bad)
    # --- complaints, violations, incidents, discipline
    for _ in range(poisson(rng, 1.6 * (1 - q))):
        day = day_in(rng, START, dt.date(2023, 1, 20))
        category = rng.choices(("丢失短少", "延误", "破损", "服务态度"), weights=(3, 3, 2, 2))[0]
        pending = (day.month == 12 and rng.random() < 0.5) or day.year == 2023
        valid = None if pending else rng.random() < 0.55
        hours = None if pending else resolution_hours(rng, q)
        sink.add("complaints", r.id, crew_at(r, day), None, day, category, valid, hours)
    violations = 2 if role == 19 else rng.choices((0, 1), weights=(86, 14))[0]
    for _ in range(violations):
        day = day_in(rng)
        kind = rng.choice(("闯红灯", "逆行", "超速", "未戴头盔", "违规载人"))
        rec("violations", day, day, kind, rng.choice((0, 1, 3)))
    incidents: list[tuple[str, str, bool]] = []
    if role == 7 or r.rare == 53:
        incidents.append(("交通事故", "重大", True))
    if r.rare == 113:
        incidents.append(("违法犯罪", "一般", True))
    if r.rare == 229:
        incidents.append(("平台封禁", "一般", True))
    if r.rare == 31:
        incidents.append(("弄虚作假", "一般", True))
    if rng.random() < 0.04:
        incidents.append(("交通事故", "一般", rng.random() < 0.5))
    for kind, severity, responsible in incidents:
        day = day_in(rng)
        sink.add("incidents", r.id, crew_at(r, day), None, day, kind, severity, responsible)
    for _ in range(poisson(rng, 0.8 * (1 - q))):
        day = day_in(rng)
        rec("discipline", day, day, rng.choice(("迟报漏报", "着装不规范", "缺席安全例会")))
    # --- honours (rare 53: a large bonus on a vetoed rider; role 67: bonus overflow)
    honors: list[tuple[str, str | None, str]] = []
    if role == 67 or r.rare == 53 or rng.random() < 0.005:
        honors.append(("见义勇为", None, "见义勇为先进个人"))
    if role == 67 or rng.random() < 0.03:
        honors.append(("拾金不昧", None, "拾金不昧好小哥"))
    if role == 67 or rng.random() < 0.03:
        honors.append(("表彰", "县级", "千阳县最美快递员"))
    if role == 67 or r.rare == 53 or rng.random() < 0.01:
        honors.append(("表彰", "市级", "宝鸡市优秀快递员"))
    for kind, level, title in honors:
        day = day_in(rng)
        rec("honors", day, day, "个人", kind, level, title)
    # --- volunteering, hazard reports, study
    kinds = {"疫情防控": 4, "文明城市创建": 3, "爱心送考": 1, "助农": 2, "小哥驿站值守": 2}
    for _ in range(poisson(rng, 8 if role == 67 else 0.5 + 6 * q)):
        day = day_in(rng, dt.date(2021, 12, 1) if rng.random() < 0.04 else START)
        rec("volunteering", day, day, rng.choice((1.0, 1.5, 2.0, 2.5, 3.0, 4.0)), pick(rng, kinds))
    hazards = ("道路坑洼", "井盖缺失", "消防隐患", "电动车违规充电", "路灯损坏")
    for _ in range(poisson(rng, 3 * q)):
        day = day_in(rng)
        rec("hazard_reports", day, day, rng.choice(hazards), rng.random() < 0.8)
    if r.party:
        sessions = [(month_start(m).replace(day=15), "主题党日") for m in months_of(r)]
        sessions += [(dt.date(2022, m, 25), "党课") for m in (3, 6, 9, 12) if m >= first]
    else:
        sessions = [(dt.date(2022, m, 20), "集中学习") for m in (3, 6, 9, 12) if m >= first]
    for day, kind in sessions:
        rec("study", day, day, kind, rng.random() < 0.55 + 0.44 * q)
    # --- the rider's ballots in the crews' 民主测评 (December)
    local = crews.by_unit.get(r.unit, [])
    if local:
        voted = rng.sample(local, min(3, len(local)))
        if r.team is not None and all(c is not r.team for c in voted) and rng.random() < 0.35:
            voted.append(r.team)  # a vote for one's own crew: void under the rule
        for crew in voted:
            if crew is r.team:
                option = "优秀"
            else:
                w = crew.quality
                option = rng.choices(
                    ("优秀", "称职", "基本称职", "不称职"),
                    weights=(0.15 + 0.7 * w, 0.8 - 0.6 * w, 0.06, 0.02),
                )[0]
            sink.add(
                "ballots",
                crew.id,
                r.id,
                r.team.id if r.team else None,
                dt.date(2022, 12, 26),
                option,
            )


def months_of(rider: Rider) -> range:
    """The 2022 months a rider was on the job."""
    return range(rider.joined.month if rider.joined.year == 2022 else 1, 13)


def write_riders(sink: Sink, seed: int, count: int, crews: Crews) -> None:
    """Stream `count` riders; roles 89 and 97 are exact twins of the rider before."""
    width = max(4, len(str(count)))
    previous: Rider | None = None
    for i in range(count):
        if i % 100 in (89, 97) and previous is not None:
            # same profile and the same record draws, new identity: an exact tie
            twin_person = person(sub_rng(seed, "twin", i), 0.88)
            rider = replace(previous, index=i, id=f"R{i + 1:0{width}d}", person=twin_person)
            rng = sub_rng(seed, "rider-records", previous.index)
        else:
            rider = make_rider(seed, i, width, crews)
            rng = sub_rng(seed, "rider-records", i)
        write_rider(sink, rider, rng, crews)
        previous = rider


# --------------------------------------------------------------------------- routes

MODEL_ROUTES = (1, 2, 4, 5)  # 示范邮路 in 崔家头镇, 南寨镇, 水沟镇, 草碧镇: a four-way tie at 100


def write_routes(sink: Sink, seed: int, count: int) -> None:
    """Postal routes: county centre → town sorting station → village service point."""
    width = max(3, len(str(count)))
    model = count >= 14  # enough routes for each model route to share its town
    for i in range(count):
        rng = sub_rng(seed, "route", i)
        unit = TOWNS[i % len(TOWNS)]
        rid = f"YL{i + 1:0{width}d}"
        village = rng.choice(SURNAMES) + rng.choice(VILLAGE_SUFFIX)
        station = None if unit == "城关镇" else f"{unit}快件分拣站"
        centre = rng.choice(("县邮件处理中心", "县电商配送中心"))
        name = "—".join(x for x in (centre, station, village) if x)
        carrier = rng.choices(("中国邮政", "邮快合作（中通）", "交快合作"), weights=(7, 2, 1))[0]
        opened = dt.date(2018 + rng.randrange(4), 1 + rng.randrange(12), 1)
        if i % 15 == 7:
            opened = dt.date(2022, 9, 1)  # opened late: not yet half a year
        is_model = model and i in MODEL_ROUTES
        q = 1.0 if is_model else clamp(rng.betavariate(2.2, 1.6))
        length = round(rng.uniform(8, 60), 1)
        sink.add("routes", rid, name, unit, station, village, carrier, length, opened)
        due_villages = 2 + rng.randrange(6)
        months = [month_start(m) for m in range(opened.month if opened.year == 2022 else 1, 13)]
        if rng.random() < 0.1:
            months.append(AFTER)
        for month in months:
            scheduled = rng.choice((13, 26))
            made = (
                scheduled if is_model else scheduled - min(scheduled, poisson(rng, 2.2 * (1 - q)))
            )
            missed = 0 if is_model else int(rng.random() < 0.3 * (1 - q))
            items = 600 + rng.randrange(3000)
            on_rate = (
                0.99 if is_model else clamp(0.895 + 0.08 * q + rng.gauss(0, 0.006), 0.8, 0.975)
            )
            del_rate = (
                0.995 if is_model else clamp(0.94 + 0.055 * q + rng.gauss(0, 0.004), 0.8, 0.998)
            )
            sink.add(
                "route_ops", rid, month, scheduled, made, due_villages, due_villages - missed, items,
                math.ceil(items * on_rate), math.ceil(items * del_rate),
            )  # fmt: skip
        for _ in range(0 if is_model else poisson(rng, 2.0 * (1 - q))):
            day = day_in(rng, START, dt.date(2023, 1, 15))
            category = rng.choices(("丢失短少", "延误", "破损", "服务态度"), weights=(3, 3, 3, 1))[
                0
            ]
            pending = day.year == 2023
            valid = None if pending else rng.random() < 0.6
            hours = None if pending else resolution_hours(rng, q)
            sink.add("complaints", None, None, rid, day, category, valid, hours)
        for _ in range(12 + rng.randrange(9)):
            satisfied = is_model or rng.random() < 0.78 + 0.2 * q
            surveyed = rng.choice(SURNAMES) + rng.choice(VILLAGE_SUFFIX)
            sink.add("route_surveys", rid, day_in(rng, dt.date(2022, 11, 1)), surveyed, satisfied)
        products = {"苹果": 6, "核桃": 3, "蜂蜜": 2}
        for _ in range(30 if is_model else 4 + rng.randrange(20)):
            day = day_in(rng, dt.date(2022, 9, 1) if rng.random() < 0.6 else START)
            kg = round(rng.uniform(20, 400) * (1 + 2 * q) * (6 if is_model else 1), 1)
            sink.add("produce", rid, day, pick(rng, products), kg)
        if not is_model and i % 15 == 9:
            sink.add("incidents", None, None, rid, day_in(rng), "积压邮件", "一般", True)
        if not is_model and i % 30 == 13:
            sink.add("incidents", None, None, rid, day_in(rng), "泄露客户信息", "较大", True)
        if not is_model and i % 30 == 28:
            sink.add("incidents", None, None, rid, day_in(rng), "交通事故", "较大", True)
        if not is_model and rng.random() < 0.05:
            sink.add("incidents", None, None, rid, day_in(rng), "交通事故", "一般", False)


# --------------------------------------------------------------------------- members

OCCUPATIONS = {"快递员": 8, "邮政投递员": 4, "外卖骑手": 5, "电商主播": 2, "网约车司机": 2}
PLEDGES = (
    "每月参加一次志愿服务",
    "全年零有效投诉",
    "帮助农户直播带货",
    "结对帮扶一名新骑手",
    "参与文明城市创建",
    "做好小哥驿站值守",
)


def employer_of(rng: random.Random, occupation: str) -> str:
    """A plausible employer for an occupation."""
    if occupation == "邮政投递员":
        return "中国邮政"
    if occupation == "外卖骑手":
        return rng.choice(FOOD)
    if occupation == "电商主播":
        return rng.choice(ECOMMERCE)
    if occupation == "网约车司机":
        return rng.choice(("滴滴出行", "千阳县出租汽车公司"))
    return rng.choice(COURIERS[1:])


def write_members(sink: Sink, seed: int, count: int) -> None:
    """Party members, probationary members and non-member volunteers (三亮三比双争)."""
    width = max(4, len(str(count)))
    nb = len(BRANCHES)
    for i in range(count):
        template = i - 1 if i % 100 in (95, 98) and i > 0 else i  # twins: an exact tie
        rng = sub_rng(seed, "member", template)
        role = template % 100
        mid = f"M{i + 1:0{width}d}"
        p = person(sub_rng(seed, "member-person", i), 0.75)
        branch, unit = BRANCHES[template % nb]
        occupation = pick(rng, OCCUPATIONS)
        status = rng.choices(("中共党员", "中共预备党员", "群众"), weights=(72, 10, 18))[0]
        q = clamp(rng.betavariate(2.3, 1.6))
        member = status != "群众"
        if status == "中共党员":
            joined: dt.date | None = dt.date(1995 + rng.randrange(26), 1 + rng.randrange(12), 1)
        elif status == "中共预备党员":
            joined = dt.date(2021, 7, 1) + dt.timedelta(days=rng.randrange(330))
        else:
            joined = None
        dues = (rng.random() < 0.96) if member else None
        sanction = dt.date(2022, 9, 30) if role == 47 else None
        if status == "中共党员":
            appraisal: str | None = rng.choices(("优秀", "合格"), weights=(15, 85))[0]
            if role == 29:
                appraisal = "基本合格"
        else:
            appraisal = "合格" if status == "中共预备党员" else None
        sink.add(
            "members", mid, p.name, p.gender, p.phone, p.id_number, unit, branch, occupation,
            employer_of(rng, occupation), status, joined, dues, sanction, appraisal,
        )  # fmt: skip
        if member:
            for _ in range(3 + rng.randrange(4)):
                badge, posted = rng.random() < 0.55 + 0.45 * q, rng.random() < 0.65 + 0.35 * q
                sink.add("spot_checks", mid, day_in(rng), badge, posted)
            if rng.random() > 0.05:
                for item in rng.sample(PLEDGES, 2 + rng.randrange(3)):
                    sink.add(
                        "pledges", mid, dt.date(2022, 3, 1), item, rng.random() < 0.5 + 0.5 * q
                    )
            for m in range(1, 13):
                # role 17: no organisational life at all in the last six months
                attended = not (role == 17 and m >= 7) and rng.random() < 0.55 + 0.44 * q
                excused = None if attended else rng.random() < 0.6
                sink.add("party_life", mid, dt.date(2022, m, 15), "主题党日", attended, excused)
        for m in range(1, 13):
            if rng.random() < 0.92:
                score = round(clamp(58 + 38 * q + rng.gauss(0, 3), 0, 100), 1)
                sink.add("work_reviews", mid, month_start(m), score)
        if rng.random() > 0.08:
            for _ in range(2 + rng.randrange(12)):
                stars = round(clamp(3.4 + 1.8 * q + rng.gauss(0, 0.6), 1, 5))
                sink.add("service_ratings", mid, day_in(rng), stars)
        for _ in range(poisson(rng, 0.6 * (1 - q))):
            category = rng.choice(("服务态度", "延误", "收费争议"))
            sink.add("member_complaints", mid, day_in(rng), category, rng.random() < 0.5)
        activities = {"疫情防控": 4, "防汛救灾": 1, "保供稳价": 1, "文明城市创建": 3, "爱心送考": 1}
        activities |= {"助农直播": 2, "社区报到服务": 3}
        padded = 15 if role == 43 else 0  # role 43: hours later found padded (vetoed)
        for _ in range(poisson(rng, 2 + 22 * q * q) + padded):  # a few do a lot
            day = day_in(rng, dt.date(2021, 12, 1) if rng.random() < 0.03 else START)
            hours = rng.choice((1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0))
            sink.add("service_hours", mid, day, hours, pick(rng, activities))
        for _ in range(poisson(rng, 1 + 9 * q * q)):
            sink.add("governance", mid, day_in(rng), "隐患上报", rng.random() < 0.8)
        for _ in range(poisson(rng, 0.7 * q)):
            sink.add("governance", mid, day_in(rng), "协助处置", rng.random() < 0.9)
        communities = COMMUNITIES.get(unit, (f"{unit[:-1]}社区",))
        for _ in range(rng.randrange(5)):
            option = rng.choices(
                ("满意", "基本满意", "不满意"), weights=(0.5 + 0.5 * q, 0.4, 0.05)
            )[0]
            sink.add("community_reviews", mid, day_in(rng), rng.choice(communities), option)
        if status == "中共党员" and role != 61:
            # 民主测评 by members of the same branch; a self-vote is dropped by the rule
            others = [
                template + k * nb for k in range(-8, 9) if k and 0 <= template + k * nb < count
            ]
            voters = rng.sample(others, min(len(others), 6 + rng.randrange(8)))
            if rng.random() < 0.35:
                voters.append(-1)  # the candidate's own ballot
            excellent = 0.1 if role == 73 else 0.35 + 0.65 * q
            for v in voters:
                vid = mid if v < 0 else f"M{v + 1:0{width}d}"
                option = "优秀" if v < 0 else rng.choices(
                    ("优秀", "称职", "基本称职", "不称职"),
                    weights=(excellent, 1 - excellent, 0.05, 0.01),
                )[0]  # fmt: skip
                sink.add("member_ballots", mid, vid, dt.date(2022, 12, 28), option)
        misconduct = {
            11: ("党纪处分", "受到党内警告处分"),
            23: ("违法犯罪", "被依法追究刑事责任"),
            37: ("弄虚作假", "申报材料与实际不符"),
            43: ("虚报志愿时长", "志愿汇平台核查时长与签到不符"),
            59: ("借志愿服务牟利", "以志愿服务名义收取费用"),
        }.get(role)
        if misconduct is not None:
            sink.add("misconduct", mid, day_in(rng), *misconduct)


# --------------------------------------------------------------------------- entry


@dataclass(frozen=True)
class Sizes:
    """Subject counts for a scale (riders); the rest follow in proportion."""

    riders: int
    teams: int
    routes: int
    members: int

    @classmethod
    def for_scale(cls, scale: int) -> Sizes:
        """360 riders → 36 crews, 60 routes, 300 members."""
        return cls(scale, max(4, scale // 10), max(7, scale // 6), max(10, scale * 5 // 6))


def generate(
    out: Path,
    seed: int = DEFAULT_SEED,
    scale: int = DEFAULT_SCALE,
    record_share: float = 1.0,
    members: bool = True,
) -> dict[str, int]:
    """Write every table into `out`; returns the number of rows per table.

    `record_share` below 1 keeps that share of the record rows (drawn from a
    stream of its own); `members=False` leaves out three_shows' tables."""
    sizes = Sizes.for_scale(scale)
    teams = build_teams(seed, sizes.teams)
    crews = Crews.index(teams)
    tables = frozenset(LAYOUTS) if members else frozenset(LAYOUTS) - SHOWS_TABLES
    keep = None if record_share >= 1 else (random.Random(f"{seed}/keep"), record_share)
    with ExitStack() as stack:
        sink = Sink(out, stack, tables, keep)
        write_teams(sink, seed, teams, crews)
        write_riders(sink, seed, sizes.riders, crews)
        write_routes(sink, seed, sizes.routes)
        if members:
            write_members(sink, seed, sizes.members)
    return dict(sink.counts)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)"
    )
    parser.add_argument(
        "--scale", type=int, default=DEFAULT_SCALE, help="number of riders (default %(default)s)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--record-share",
        type=float,
        default=1.0,
        help="share of record rows kept, 0 < F <= 1 (default 1: all)",
    )
    parser.add_argument(
        "--no-members", action="store_true", help="leave out three_shows' tables (members)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.scale <= 1_000_000:
        parser.error("--scale must be between 1 and 1000000")
    if not 0 < args.record_share <= 1:
        parser.error("--record-share must be above 0 and at most 1")
    counts = generate(args.out, args.seed, args.scale, args.record_share, not args.no_members)
    for table, n in counts.items():
        print(f"{table}: {n} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
