"""What the 公示 list needs beyond the export document (SPEC §4.1, fourth
revision), read from the store and the rules and added to the document.

`add_notice_facts(doc, db, run, rules, today)` adds, without touching any
existing key:

* to `run`: `issuer` and `contact` (campaign.issuer / campaign.contact, when
  set), `notice` (the notice window: `first_day`, `last_day`, `days`) once a
  notice is open (the current one; for a published run the last one), and
  `issued` (the date of issue: the day the notice was opened, the day of
  publication for a published run, else `today`, the day the list is made);
* to every award: `quota_rule` (the quota in words, null without a quota) and
  `undecided` (the keys of subjects in a boundary tie still open: policy
  `flag`, no reviewer's choice yet), in key order;
* to every result whose subject table links its `unit` column to another
  subject table with a `name` column: `unit_name`, that subject's name (null
  when the unit is empty or names no subject).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from scoring import audit
from scoring.catalog import TableInfo
from scoring.data import DatasetReader, key_value
from scoring.export.notice_quota import per_label, quota_rule
from scoring.results import RunInfo
from scoring.review import records
from scoring.review.ddl import ensure_review_schema
from scoring.review.standings import open_tie_keys
from scoring.rules import Rules

UNIT = "unit"


def listed_rows(rules: Rules) -> dict[str, str]:
    """Per award, an SQL condition on `effective_results` that keeps the rows
    its 公示 list can show (`scoring.export.notice`): under a quota the
    selected and the boundary-tied (an open tie's candidates are among them),
    without one every ranked subject. A document of these rows alone gives
    the same list as the whole export document."""
    return {
        award.name: "rank IS NOT NULL"
        if rules.model.awards[award.name].quota is None
        else "selected = 1 OR boundary_tie = 1"
        for award in rules.plan.awards
    }


def add_notice_facts(
    doc: dict[str, Any], db: Database, run: RunInfo, rules: Rules, today: dt.date
) -> dict[str, Any]:
    """Add the 公示 list's facts to an export document (see the module doc)."""
    ensure_review_schema(db)
    campaign = rules.model.campaign
    head = doc["run"]
    if campaign.issuer:
        head["issuer"] = campaign.issuer
    if campaign.contact:
        head["contact"] = campaign.contact
    notice = _shown_notice(db, run)
    if notice is not None:
        head["notice"] = {
            "first_day": notice.first_day,
            "last_day": notice.last_day,
            "days": notice.days,
        }
    head["issued"] = _issued(db, run, notice, today)
    reader = DatasetReader(db, run.dataset_id, rules.plan.catalog)
    catalog = rules.plan.catalog
    for award in rules.plan.awards:
        body = doc["awards"].get(award.name)
        if body is None:
            continue
        info = catalog.tables[award.subjects]
        quota = rules.model.awards[award.name].quota
        if quota is None:
            body["quota_rule"] = None
        else:
            per = quota.per
            label = per_label(per, info.headers.get(per)) if per is not None else None
            body["quota_rule"] = quota_rule(quota, label)
        body["undecided"] = open_tie_keys(db, run.id, run.dataset_id, rules.plan, award)
        _add_unit_names(body, info, catalog.tables, reader)
    return doc


def _shown_notice(db: Database, run: RunInfo) -> records.Notice | None:
    if run.status == "notice":
        return records.current_notice(db, run.id)
    if run.status == "published":
        shown = records.notices(db, run.id)
        return shown[-1] if shown else None
    return None


def _issued(db: Database, run: RunInfo, notice: records.Notice | None, today: dt.date) -> str:
    if run.status == "published":
        days = [e.today for e in audit.entries(db) if e.run_id == run.id and e.action == "publish"]
        if days:
            return days[-1]
    if notice is not None:
        return notice.opened
    return today.isoformat()


def unit_table(info: TableInfo, tables: Mapping[str, TableInfo]) -> TableInfo | None:
    """The subject table a subject table's `unit` column links to, when it has names."""
    for target, column in info.links.items():
        linked = tables.get(target)
        if (
            column == UNIT
            and linked is not None
            and linked.kind == "subject"
            and "name" in linked.columns
        ):
            return linked
    return None


def _add_unit_names(
    body: dict[str, Any],
    info: TableInfo,
    tables: Mapping[str, TableInfo],
    reader: DatasetReader,
) -> None:
    """Give each result its unit's name: in place in a list of results, or
    as they pass for results that are an iterator (read as written)."""
    linked = unit_table(info, tables)
    if linked is None:
        return
    names: dict[str, str | None] = {}

    def named(result: dict[str, Any]) -> dict[str, Any]:
        unit = result.get(UNIT)
        if unit is None:
            result["unit_name"] = None
            return result
        if unit not in names:
            row = reader.subject(linked.name, key_value(linked, str(unit)))
            name = None if row is None else row.get("name")
            names[unit] = None if name is None else str(name)
        result["unit_name"] = names[unit]
        return result

    if isinstance(body["results"], list):
        for result in body["results"]:
            named(result)
    else:
        body["results"] = map(named, body["results"])
