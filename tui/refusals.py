"""Refusals and open items worded for a county clerk: Chinese, without
command-line flags or commands.

The library words its refusals in plain English without naming commands or
flags (those are the CLI's remedies, `scoring.cli_common.REMEDIES`). The UI
shows the same refusal as a clerk would say it: each known refusal is matched
by its shape and reworded here; anything else keeps its facts, with any
command-line hint taken out as a safeguard, under "操作未完成".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tui.format import RUN_STATUS

ROLE_NAMES = {
    "author": "规则编写人",
    "reviewer": "评审员",
    "publisher": "发布人",
    "admin": "管理员",
}

ACTION_NAMES = {
    "ingest": "导入数据",
    "score": "计分",
    "review-start": "开始审核",
    "adjust": "调整分数",
    "approve": "批准调整",
    "flag": "标记",
    "unflag": "解除标记",
    "resolve-tie": "裁定卡线并列",
    "object": "登记异议",
    "resolve-objection": "处理异议",
    "notice": "开始公示",
    "publish": "发布",
    "revoke": "撤销入选",
    "roles": "管理角色",
    "reveal": "查看隐私信息",
}

_VERBS = {
    "start the review of": "开始审核",
    "open a notice on": "开始公示",
    "take an objection on": "登记异议",
    "resolve an objection on": "处理异议",
    "publish": "发布",
    "adjust": "调整分数",
    "approve": "批准调整",
    "reject": "驳回调整",
    "flag": "标记",
    "unflag": "解除标记",
    "resolve a tie on": "裁定并列",
}


def _status(text: str) -> str:
    return " 或 ".join(f"「{RUN_STATUS.get(s.strip(), s.strip())}」" for s in text.split(" or "))


def _role(m: re.Match[str]) -> str:
    action = ACTION_NAMES.get(m["action"], m["action"])
    role = ROLE_NAMES.get(m["role"], m["role"])
    return f"{m['who']} 没有「{action}」的权限: 需要「{role}」角色, 请联系管理员授予"


def _state(m: re.Match[str]) -> str:
    verb = _VERBS.get(m["verb"], m["verb"])
    now = RUN_STATUS.get(m["now"], m["now"])
    return f"运行 {m['run']} 现在是「{now}」, 「{verb}」要在运行处于{_status(m['allowed'])}时才能做"


def _not_yet(m: re.Match[str]) -> str:
    return f"公示期到 {m['last']} 才结束, {m['from']} 起才能发布 (今天按 {m['today']} 计)"


def _open(m: re.Match[str]) -> str:
    items = [clerk_item(line.strip().removeprefix("- ")) for line in m["items"].splitlines()]
    return f"还有 {m['n']} 项未处理, 不能发布:\n" + "\n".join(f"  - {i}" for i in items if i)


Rewording = Callable[[re.Match[str]], str]

_REFUSALS: tuple[tuple[str, Rewording | str], ...] = (
    (r"(?P<who>.+?) may not (?P<action>[\w-]+): it needs the `(?P<role>\w+)` role", _role),
    (
        r"cannot (?P<verb>.+?) run (?P<run>\d+): it is (?P<now>\w+), and .+? needs a run "
        r"that is (?P<allowed>[\w ]+?) \(",
        _state,
    ),
    (
        r"cannot publish run \d+ yet: notice \d+ runs until (?P<last>[\d-]+); publication is "
        r"possible from (?P<from>[\d-]+) \(today counts as (?P<today>[\d-]+)\)",
        _not_yet,
    ),
    (r"cannot publish run \d+: (?P<n>\d+) item\(s\) still open:\n(?P<items>(?s:.*))", _open),
    (r".+ needs a reason", "请填写理由"),
    (r"an objection must name its objector", "异议须实名: 请填写异议人姓名"),
    (
        r"objections are taken during the notice only: notice \d+ runs from (?P<a>[\d-]+) to "
        r"(?P<b>[\d-]+), and (?P<d>[\d-]+) is outside it",
        "只能在公示期内登记异议: 公示期为 {a} 至 {b}, {d} 不在其内",
    ),
    (
        r"(?P<who>.+?) made adjustment (?P<id>\d+) and cannot approve it",
        "调整 #{id} 是 {who} 本人提出的, 不能自己批准: 须由另一位评审员批准 (四眼原则, four-eyes)",
    ),
    (
        r"cannot (?P<verb>\w+) adjustment (?P<id>\d+): it was already (?P<s>\w+) by "
        r"(?P<who>.+?) on (?P<d>[\d-]+)",
        "调整 #{id} 已由 {who} 于 {d} 处理过",
    ),
    (
        r"the boundary tie in (?P<award>\w+) at rank (?P<rank>\d+) \((?P<keys>[^)]*)\) has "
        r"(?P<seats>\d+) seat\(s\) left: name exactly \d+ subject\(s\), not "
        r"(?P<n>\d+)",
        "第 {rank} 名卡线并列 ({keys}) 还剩 {seats} 个名额: 请正好选出 {seats} 个, 现在选了 {n} 个",
    ),
    (r"award `(?P<award>\w+)` has no boundary tie to resolve", "{award} 没有需要裁定的卡线并列"),
    (
        r"(?P<award>\w+) (?P<key>\S+) is already flagged \(flag (?P<id>\d+) by (?P<who>.+?):",
        "{key} 已被 {who} 标记 (标记 #{id}), 不必重复标记",
    ),
    (r"(?P<award>\w+) (?P<key>\S+) has no open flag to lift", "{key} 没有未解除的标记"),
    (
        r"objection (?P<id>\d+) was already (?P<s>\w+) by (?P<who>.+?) on (?P<d>[\d-]+)",
        "异议 #{id} 已由 {who} 于 {d} 处理过",
    ),
    (
        r"cannot revoke on run (?P<run>\d+): it is (?P<now>\w+)",
        "只有已发布的入选名单才能撤销; 发布前请标记该对象或按异议处理",
    ),
    (
        r"(?P<award>\w+) (?P<key>\S+) was not selected in published run",
        "{key} 不在已发布的入选名单中, 无需撤销",
    ),
    (
        r"(?P<award>\w+) (?P<key>\S+) was already revoked on (?P<d>[\d-]+) by (?P<who>.+?):",
        "{key} 已于 {d} 被 {who} 撤销",
    ),
    (
        r"adjusting (?P<key>\S+) (?P<target>\S+) by (?P<delta>\S+) is refused: (?P<why>.*)",
        "不能把 {key} 的 {target} 调整 {delta}: 调整后会超出该项的分值范围",
    ),
    (
        r"`(?P<t>[^`]*)` has (?P<n>\d+) decimals; the campaign's precision is (?P<p>\d+)",
        "调整值 {t} 的小数位多于本次评选的 {p} 位",
    ),
    (r"an adjustment of 0 changes nothing", "调整值不能为 0"),
    (
        r".*calendar has no data for (?P<year>\d{4})",
        "节假日日历还没有 {year} 年的数据, 无法计算工作日: 请管理员导入该年的节假日安排",
    ),
    (
        r"a notice lasts at least 1 working day, not (?P<n>-?\d+)",
        "公示至少 1 个工作日",
    ),
)

_ITEMS: tuple[tuple[str, str], ...] = (
    (
        r"flag (?P<id>\d+) on (?P<award>\w+) (?P<key>\S+) by (?P<who>.+?) on (?P<d>[\d-]+): "
        r"(?P<why>.*)",
        "{key} 被 {who} 于 {d} 标记, 尚未解除 (标记 #{id}: {why})",
    ),
    (
        r"adjustment (?P<id>\d+): (?P<award>\w+) (?P<key>\S+) (?P<target>\S+) (?P<delta>\S+) "
        r"by (?P<who>.+?) \((?P<why>.*)\) awaits approval",
        "调整 #{id} ({key} {target} {delta}, {who} 提出) 待另一位评审员批准",
    ),
    (
        r"boundary tie in (?P<award>\w+)(?: in (?P<group>.+?))? at rank (?P<rank>\d+): "
        r"(?P<keys>.+?) tied for (?P<seats>\d+) seat\(s\)",
        "{award} 第 {rank} 名卡线并列: {keys} 争 {seats} 个名额, 尚未裁定",
    ),
    (
        r"objection (?P<id>\d+) to (?P<award>\w+) (?P<key>\S+) by (?P<who>.+?): (?P<why>.*)",
        "异议 #{id}: {who} 对 {key} 提出 ({why}), 尚未处理",
    ),
    (
        r"the selection of (?P<awards>.+?) changed after notice (?P<id>\d+) opened",
        "{awards} 的入选名单在公示 #{id} 开始后有变化, 需要重新公示",
    ),
)


def _apply(patterns: tuple[tuple[str, Rewording | str], ...], text: str) -> str | None:
    for pattern, words in patterns:
        m = re.match(pattern, text)
        if m is None:
            continue
        if isinstance(words, str):
            return words.format(**{k: v or "" for k, v in m.groupdict().items()})
        return words(m)
    return None


def _without_commands(text: str) -> str:
    """`text` without command-line hints: `pioneer ...` spans, `--flags` and
    the bracketed or trailing advice that names them."""
    text = re.sub(r"\s*\([^()]*(?:pioneer|--)[^()]*\)", "", text)
    text = re.sub(r"[:;,]?\s*[^:;,]*`pioneer[^`]*`[^:;,]*", "", text)
    text = re.sub(r"[:;,]?\s*[^:;,]*--[a-z][\w-]*[^:;,]*", "", text)
    return text.strip()


def clerk_text(message: str) -> str:
    """A library refusal as the UI says it."""
    found = _apply(_REFUSALS, message.strip())
    if found is not None:
        return found
    return f"操作未完成: {_without_commands(message)}"


def clerk_item(text: str) -> str:
    """One open item (what blocks a publication) as the UI says it."""
    found = _apply(tuple(_ITEMS), text)
    return found if found is not None else _without_commands(text)
