"""The one catalogue of every string the reviewer UI shows, in Chinese and
English: key -> (Chinese, English).

Templates take named fields (`{run}`), filled by `tui.lang.tr`; both
languages of a key take the same fields. Campaign content (award and
criterion titles, names, units, reasons typed by users) reaches a template
only as a field and is never translated. Keys starting `key.` are the labels
of key bindings (footer and help screen): short enough that the footer
shows them whole at 80 columns, in both languages.
"""

from __future__ import annotations

CATALOGUE: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------- the app
    "app.title": ("pioneer 评审", "pioneer review"),
    "app.read_failed": ("读取失败", "Could not read"),
    "app.compare_hint": (
        "在运行列表中标记两个运行后按 c 比较",
        "Mark two runs in the runs list, then press c to compare them",
    ),
    "app.compare_title": ("比较", "Compare"),
    # ---------------------------------------------------------- keys (footer and help)
    "key.audit": ("审计日志", "Audit log"),
    "key.runs": ("运行列表", "Runs"),
    "key.refresh": ("刷新", "Sync"),
    "key.help": ("帮助", "Help"),
    "key.quit": ("退出", "Quit"),
    "key.palette": ("palette", "Menu"),
    # ---------------------------------------------------------- run status
    "status.draft": ("草稿", "Draft"),
    "status.in_review": ("审核中", "In review"),
    "status.notice": ("公示中", "On notice"),
    "status.published": ("已发布", "Published"),
    # ---------------------------------------------------------- audit actions
    "audit.ingest": ("导入数据", "Ingest"),
    "audit.score": ("计分", "Score"),
    "audit.review_start": ("开始审核", "Start review"),
    "audit.adjust": ("调整", "Adjust"),
    "audit.approve": ("批准调整", "Approve adjustment"),
    "audit.reject": ("驳回调整", "Reject adjustment"),
    "audit.flag": ("标记", "Flag"),
    "audit.unflag": ("取消标记", "Unflag"),
    "audit.resolve_tie": ("裁定并列", "Resolve tie"),
    "audit.notice": ("公示", "Notice"),
    "audit.object": ("异议", "Objection"),
    "audit.resolve_objection": ("处理异议", "Resolve objection"),
    "audit.publish": ("发布", "Publish"),
    "audit.revoke": ("撤销", "Revoke"),
    "audit.roles": ("角色", "Roles"),
    "audit.grant": ("授予角色", "Grant role"),
    "audit.reveal": ("查看隐私信息", "Reveal private data"),
    # ---------------------------------------------------------- a subject's status
    "word.selected": ("入选", "Selected"),
    "word.tie": ("并列", "Tie"),
    "word.vetoed": ("否决", "Vetoed"),
    "word.ineligible": ("不合资格", "Ineligible"),
    "word.not_selected": ("未入选", "Not selected"),
    "word.excluded": ("异议成立, 不占名额", "Objection upheld, holds no seat"),
    "word.substituted": ("递补入选", "Selected as substitute"),
    "word.revoked": ("已撤销", "Revoked"),
    # ---------------------------------------------------------- markers (one cell each)
    "marker.flagged": ("标", "F"),
    "marker.adjusted": ("调", "A"),
    "marker.tie": ("并", "T"),
    "marker.objected": ("异", "O"),
    "marker.excluded": ("除", "X"),
    "marker.substituted": ("补", "S"),
    "marker.revoked": ("撤", "R"),
    # ---------------------------------------------------------- values
    "value.no_data": ("无数据", "no data"),
    "value.yes": ("是", "yes"),
    "value.no": ("否", "no"),
    "value.none": ("无", "none"),
    # ---------------------------------------------------------- roles and actions
    "role.author": ("规则编写人", "author"),
    "role.reviewer": ("评审员", "reviewer"),
    "role.publisher": ("发布人", "publisher"),
    "role.admin": ("管理员", "admin"),
    "action.ingest": ("导入数据", "ingest data"),
    "action.score": ("计分", "score"),
    "action.review_start": ("开始审核", "start the review"),
    "action.adjust": ("调整分数", "adjust scores"),
    "action.approve": ("批准调整", "approve adjustments"),
    "action.reject": ("驳回调整", "reject adjustments"),
    "action.flag": ("标记", "flag"),
    "action.unflag": ("解除标记", "unflag"),
    "action.resolve_tie": ("裁定卡线并列", "resolve boundary ties"),
    "action.object": ("登记异议", "record objections"),
    "action.resolve_objection": ("处理异议", "resolve objections"),
    "action.notice": ("开始公示", "open the notice"),
    "action.publish": ("发布", "publish"),
    "action.revoke": ("撤销入选", "revoke selections"),
    "action.roles": ("管理角色", "manage roles"),
    "action.reveal": ("查看隐私信息", "reveal private data"),
    # ---------------------------------------------------------- the acting user
    "acting.why_not": ("「{action}」需要「{role}」角色", "needs the {role} role to {action}"),
    "acting.role_separator": ("、", ", "),
    "acting.no_roles": ("无角色", "no role"),
    "acting.header": ("操作人 {actor} ({roles})  日期 {day}", "User {actor} ({roles})  Date {day}"),
    "acting.denied": ("{actor} 没有这项权限: {why}", "{actor} may not do this: {why}"),
    "acting.denied_title": ("没有权限", "Not allowed"),
    # ---------------------------------------------------------- refusals
    "refusal.or": (" 或 ", " or "),
    "refusal.quoted": ("「{text}」", "'{text}'"),
    "refusal.verb_resolve_tie": ("裁定并列", "resolve a tie"),
    "refusal.role": (
        "{who} 没有「{action}」的权限: 需要「{role}」角色, 请联系管理员授予",
        "{who} may not {action}: it needs the {role} role; ask an admin to grant it",
    ),
    "refusal.state": (
        "运行 {run} 现在是「{now}」, 「{verb}」要在运行处于{allowed}时才能做",
        "Run {run} is '{now}'; to {verb}, the run must be {allowed}",
    ),
    "refusal.not_yet": (
        "公示期到 {last} 才结束, {start} 起才能发布 (今天按 {today} 计)",
        "The notice runs until {last}; publication is possible from {start}"
        " (today counts as {today})",
    ),
    "refusal.open_items": (
        "还有 {n} 项未处理, 不能发布:",
        "{n} item(s) still open, so the run cannot be published:",
    ),
    "refusal.reason": ("请填写理由", "Please give a reason"),
    "refusal.objector": (
        "异议须实名: 请填写异议人姓名",
        "An objection must be signed: give the objector's name",
    ),
    "refusal.outside_notice": (
        "只能在公示期内登记异议: 公示期为 {a} 至 {b}, {d} 不在其内",
        "Objections are taken during the notice only: it runs from {a} to {b},"
        " and {d} is outside it",
    ),
    "refusal.four_eyes": (
        "调整 #{id} 是 {who} 本人提出的, 不能自己批准: 须由另一位评审员批准 (四眼原则, four-eyes)",
        "Adjustment #{id} was made by {who}, who cannot approve it: another reviewer"
        " must (four-eyes)",
    ),
    "refusal.adjustment_decided": (
        "调整 #{id} 已由 {who} 于 {d} 处理过",
        "Adjustment #{id} was already decided by {who} on {d}",
    ),
    "refusal.tie_count": (
        "第 {rank} 名卡线并列 ({keys}) 还剩 {seats} 个名额: 请正好选出 {seats} 个, 现在选了 {n} 个",
        "The tie at rank {rank} ({keys}) has {seats} seat(s) left: choose exactly {seats}, not {n}",
    ),
    "refusal.no_tie": ("{award} 没有需要裁定的卡线并列", "{award} has no boundary tie to resolve"),
    "refusal.already_flagged": (
        "{key} 已被 {who} 标记 (标记 #{id}), 不必重复标记",
        "{key} is already flagged by {who} (flag #{id})",
    ),
    "refusal.no_flag": ("{key} 没有未解除的标记", "{key} has no open flag"),
    "refusal.objection_decided": (
        "异议 #{id} 已由 {who} 于 {d} 处理过",
        "Objection #{id} was already resolved by {who} on {d}",
    ),
    "refusal.revoke_unpublished": (
        "只有已发布的入选名单才能撤销; 发布前请标记该对象或按异议处理",
        "Only a published selection can be revoked; before publication, flag the subject"
        " or handle it as an objection",
    ),
    "refusal.revoke_not_selected": (
        "{key} 不在已发布的入选名单中, 无需撤销",
        "{key} is not in the published selection: there is nothing to revoke",
    ),
    "refusal.already_revoked": (
        "{key} 已于 {d} 被 {who} 撤销",
        "{key} was already revoked on {d} by {who}",
    ),
    "refusal.adjust_range": (
        "不能把 {key} 的 {target} 调整 {delta}: 调整后会超出该项的分值范围",
        "{key} {target} cannot change by {delta}: it would leave the item's range of points",
    ),
    "refusal.decimals": (
        "调整值 {t} 的小数位多于本次评选的 {p} 位",
        "The change {t} has more decimals than the campaign's {p}",
    ),
    "refusal.zero": ("调整值不能为 0", "The change cannot be 0"),
    "refusal.calendar": (
        "节假日日历还没有 {year} 年的数据, 无法计算工作日: 请管理员导入该年的节假日安排",
        "The holiday calendar has no data for {year}, so working days cannot be counted:"
        " ask an admin to import that year's holidays",
    ),
    "refusal.notice_days": ("公示至少 1 个工作日", "A notice lasts at least 1 working day"),
    "refusal.other": ("操作未完成: {text}", "Not done: {text}"),
    "refusal.with_remedy": ("{text} ({remedy})", "{text} ({remedy})"),
    "refusal.busy": (
        "数据库正忙: 另有计分或导入正在写入, 请稍后再试 (什么也没有改)",
        "The store is busy: a scoring or an ingest is writing; try again shortly"
        " (nothing was changed)",
    ),
    # ---------------------------------------------------------- open items
    "item.flag": (
        "{key} 被 {who} 于 {d} 标记, 尚未解除 (标记 #{id}: {why})",
        "{key} was flagged by {who} on {d} and is still flagged (flag #{id}: {why})",
    ),
    "item.adjustment": (
        "调整 #{id} ({key} {target} {delta}, {who} 提出) 待另一位评审员批准",
        "Adjustment #{id} ({key} {target} {delta}, by {who}) awaits another reviewer's approval",
    ),
    "item.tie": (
        "{award} 第 {rank} 名卡线并列: {keys} 争 {seats} 个名额, 尚未裁定",
        "{award}: the tie at rank {rank} ({keys} for {seats} seat(s)) is not resolved yet",
    ),
    "item.objection": (
        "异议 #{id}: {who} 对 {key} 提出 ({why}), 尚未处理",
        "Objection #{id} by {who} to {key} ({why}) is not resolved yet",
    ),
    "item.selection": (
        "{awards} 的入选名单在公示 #{id} 开始后有变化, 需要重新公示",
        "The selection of {awards} changed after notice #{id} opened: open a new notice",
    ),
    # ---------------------------------------------------------- remedies, in the UI's words
    "remedy.create_store": (
        "这里没有评审库: 请计分人员先计分",
        "there is no store here: ask the batch operator to score first",
    ),
    "remedy.ingest": ("请计分人员先导入数据", "ask the batch operator to ingest the data first"),
    "remedy.score": ("请计分人员先计分", "ask the batch operator to score first"),
    "remedy.reingest_and_diff": (
        "请计分人员按新规则重新导入数据并计分, 再在运行列表中比较两个运行",
        "ask the batch operator to ingest and score again with the new rules, then compare"
        " the two runs in the runs list",
    ),
    "remedy.list_runs": ("按 r 在运行列表中查看现有的运行", "press r to see the runs"),
    "remedy.import_calendar": (
        "请管理员导入该年的节假日安排",
        "ask an admin to import that year's holidays",
    ),
    "remedy.start_review": ("先在排名中按 b 开始审核", "start the review first: b on the ranking"),
    "remedy.open_notice": ("先在排名中按 n 开始公示", "open the notice first: n on the ranking"),
    "remedy.revoke": (
        "发布后发现的问题, 请在排名中按 R 撤销入选",
        "after publication, revoke a selection with R on the ranking",
    ),
    "remedy.name_award": ("请在该奖项的排名中操作", "act from that award's ranking"),
    "remedy.give_reason": ("请填写理由", "give a reason"),
    "remedy.select": ("请在列表中选出入选的对象", "choose the subjects in the list"),
    "remedy.name_objector": ("请填写异议人姓名", "give the objector's name"),
    "remedy.list_items": ("按 P 查看还有哪些事项未处理", "press P to see what is still open"),
    "remedy.grant_role": ("请联系管理员授予角色", "ask an admin to grant the role"),
    "remedy.resolve_tie": (
        "请评审员在排名中按 t, 从 {keys} 中选出 {seats} 个",
        "a reviewer resolves the tie: t on the ranking, choosing {seats} of {keys}",
    ),
    # ---------------------------------------------------------- review actions
    "review.substituted": (" {keys} 递补入选", " {keys} selected as substitute"),
    "review.seat_lost": ("; {keys} 不再占名额", "; {keys} no longer hold a seat"),
    "review.window": (
        "公示期 {first} 至 {last}, 共 {days} 个工作日; {publishable} 起可以发布",
        "Notice from {first} to {last}, {days} working day(s); publication possible from"
        " {publishable}",
    ),
    "review.not_on_notice": (
        "运行现在是「{now}」, 公示中的运行才能发布",
        "The run is '{now}': only a run on notice can be published",
    ),
    "review.frozen_run": (
        "运行 {run} 的计算结果、有效排名和全部评审记录",
        "Run {run}'s computed results, effective standings and every review record",
    ),
    "review.frozen_selection": ("{award} 入选 {n} 名: {shown}", "{award}: {n} selected: {shown}"),
    "review.frozen_records": (
        "调整 {adjustments} 项, 异议 {objections} 项",
        "{adjustments} adjustment(s), {objections} objection(s)",
    ),
    "review.frozen_notice": (", 公示 {first} 至 {last}", ", notice from {first} to {last}"),
    "review.done": ("完成", "Done"),
    "review.refused": ("操作被拒绝", "Refused"),
    "objection.open": ("待处理", "open"),
    "objection.upheld": (
        "成立 (不再占名额, 递补下一位)",
        "upheld (holds no seat; the next in rank is substituted)",
    ),
    "objection.dismissed": ("不成立", "dismissed"),
    "adjustment.pending": ("待批准", "pending"),
    "adjustment.approved": ("已批准", "approved"),
    "adjustment.rejected": ("已驳回", "rejected"),
    # ---------------------------------------------------------- a criterion's rule
    "rule.sum": ("各项之和, 最高 {max} 分", "sum of the items, at most {max}"),
    "rule.metric": ("指标 {text}", "metric {text}"),
    "rule.default": ("无数据时取 {value}", "{value} when there is no data"),
    "rule.score": ("计分 {text}", "scored {text}"),
    # ---------------------------------------------------------- the total line
    "term.bonus": ("加分", "Bonus"),
    "term.deductions": ("扣分", "Deductions"),
    "term.total": ("总分调整", "Adjustment of the total"),
    "term.floor": ("补足至 0", "Raised to 0"),
    "formula.computed": (" (原 {value})", " (was {value})"),
    "formula.line": ("总分 = {terms} = {total}", "Total = {terms} = {total}"),
    "formula.before": (" (调整前 {value})", " (before adjustment {value})"),
    "formula.floor": (" (不低于 0)", " (not below 0)"),
    # ---------------------------------------------------------- command palette
    "palette.runs": ("运行列表", "Runs"),
    "palette.runs_help": ("打开运行列表", "Open the runs list"),
    "palette.audit": ("审计日志", "Audit log"),
    "palette.audit_help": ("查看审计日志", "Read the audit log"),
    "palette.compare": ("比较运行", "Compare runs"),
    "palette.compare_help": (
        "比较在运行列表中标记的两个运行",
        "Compare the two runs marked in the runs list",
    ),
    "palette.jump": ("跳到 {name} ({subject})", "Go to {name} ({subject})"),
    "palette.where": ("运行 {run} {award}", "run {run} {award}"),
    "palette.rank": (" 第 {rank} 名", " rank {rank}"),
    "palette.unranked": (" 不参与排名", " not ranked"),
    # ---------------------------------------------------------- help screen
    "key.close": ("关闭", "Close"),
    "help.title": ("帮助: {title}", "Help: {title}"),
    "help.close": ("Esc 关闭", "Esc closes"),
    "help.disabled": ("  (不可用: {why})", "  (not available: {why})"),
    # ---------------------------------------------------------- score chart
    "chart.title": ("总分分布", "Distribution of totals"),
    "chart.note": ("每柱 {step} 分, 最高柱 {peak} 个", "{step} points a bar, tallest {peak}"),
    "chart.empty": ("没有参与排名的对象", "No ranked subject"),
    # ---------------------------------------------------------- criteria tree
    "criteria.root": ("评分细则", "Criteria"),
    "criteria.max": ("满分 {max}  ", "max {max}  "),
    "criteria.metric": ("指标 {metric}  ", "metric {metric}  "),
    "criteria.points": ("得分 ", "points "),
    # ---------------------------------------------------------- filter bar
    "sort.rank": ("按排名", "By rank"),
    "sort.total_desc": ("按总分 (高到低)", "By total (high first)"),
    "sort.total_asc": ("按总分 (低到高)", "By total (low first)"),
    "sort.name": ("按姓名/名称", "By name"),
    "filter.tie": ("并列 (卡线同分)", "Tie (at the quota line)"),
    "filter.ranked": ("参与排名", "Ranked"),
    "filter.not_selected": ("参与排名未入选", "Ranked, not selected"),
    "filter.flagged": ("标记中", "Flagged"),
    "filter.adjusted": ("已调整", "Adjusted"),
    "filter.objected": ("有异议", "Objected"),
    "filter.excluded": ("异议成立", "Objection upheld"),
    "filter.substituted": ("递补", "Substitute"),
    "filter.unit_all": ("单位: 全部", "Unit: all"),
    "filter.grade_all": ("等次: 全部", "Grade: all"),
    "filter.status_all": ("状态: 全部", "Show: all"),
    "filter.search": ("搜索姓名或编号", "Search a name or key"),
    # ---------------------------------------------------------- forms
    "key.cancel": ("取消", "Cancel"),
    "form.ok": ("确定", "OK"),
    "form.reason_required": ("理由 (必填)", "Reason (required)"),
    "form.reason_optional": ("理由 (可不填)", "Reason (optional)"),
    "form.reason": ("理由", "Reason"),
    "form.reason_missing": (
        "请填写理由: 这项操作要说明理由",
        "Please give a reason: this action needs one",
    ),
    "form.delta_not_number": (
        "调整值 `{raw}` 不是数字 (例如 +2 或 -0.5)",
        "The change `{raw}` is not a number (such as +2 or -0.5)",
    ),
    "form.delta_not_finite": ("调整值 `{raw}` 不是有限的数", "The change `{raw}` is not finite"),
    "form.adjust_note": (
        "调整在另一位评审员批准后生效",
        "An adjustment counts once another reviewer approves it",
    ),
    "form.target": ("调整项", "What to adjust"),
    "form.delta": ("调整值 (带符号, 如 +2 或 -0.5)", "Change (signed, such as +2 or -0.5)"),
    "form.target_missing": ("请选择调整项", "Choose what to adjust"),
    "form.tie_note": (
        "{tied} 个并列, 名额 {seats} 个: 选出 {seats} 个 (空格选中/取消)",
        "{tied} tied for {seats} seat(s): choose {seats} (space ticks or unticks)",
    ),
    "form.tie_choice": (
        "入选 ({n}/{seats}): {chosen}\n不入选: {left}",
        "Selected ({n}/{seats}): {chosen}\nNot selected: {left}",
    ),
    "form.tie_missing": ("请选出 {seats} 个", "Choose {seats}"),
    "form.proposed_by": ("  提出 {who}: {reason}", "  by {who}: {reason}"),
    "form.approve_note": (
        "批准或驳回另一位评审员提出的调整 (四眼原则)",
        "Approve or reject an adjustment another reviewer made (four-eyes)",
    ),
    "form.approve": ("批准", "Approve"),
    "form.reject": ("驳回", "Reject"),
    "form.approve_missing": ("请选择一项待批准的调整", "Choose a pending adjustment"),
    "form.publish_blocked": (
        "还有 {n} 项未处理, 现在不能发布:",
        "{n} item(s) still open, publication is not possible yet:",
    ),
    "form.publish_frozen": (
        "发布后以下内容将冻结, 不能再更改:",
        "Publishing freezes the following; it cannot change afterwards:",
    ),
    "form.publish_first": (
        "先处理上面列出的事项, 再发布",
        "Settle the items listed above before publishing",
    ),
    "form.bad_date": (
        "日期 `{raw}` 应写成 年-月-日, 如 2022-09-29",
        "Write the date `{raw}` as year-month-day, such as 2022-09-29",
    ),
    "form.bad_days": (
        "公示天数 `{raw}` 应为至少 1 的整数 (工作日)",
        "The notice length `{raw}` must be a whole number of working days, at least 1",
    ),
    "form.notice_note": (
        "公示期按工作日计算 (节假日与调休已计入)",
        "The notice counts working days (holidays and make-up workdays included)",
    ),
    "form.start": ("开始日期 (年-月-日)", "Start date (year-month-day)"),
    "form.days": ("公示天数 (工作日)", "Working days of notice"),
    "form.objector": (
        "异议人姓名 (必填, 异议须实名)",
        "Objector's name (required: objections are signed)",
    ),
    "form.objector_placeholder": ("姓名", "Name"),
    "form.objector_missing": (
        "请填写异议人姓名: 异议须实名",
        "Give the objector's name: objections are signed",
    ),
    "form.objection_by": ("  异议人 {who} ({day}): {reason}", "  objector {who} ({day}): {reason}"),
    "form.resolve_note": (
        "成立: 该对象不再占名额, 按排名递补下一位; 不成立: 须说明理由",
        "Upheld: the subject holds no seat and the next in rank is substituted;"
        " dismissed: give a reason",
    ),
    "form.upheld": ("异议成立 (递补)", "Upheld (substitute)"),
    "form.dismissed": ("异议不成立", "Dismissed"),
    "form.finding": ("处理结果", "Finding"),
    "form.objection_missing": ("请选择一项异议", "Choose an objection"),
    "form.finding_missing": (
        "请选择处理结果: 成立或不成立",
        "Choose a finding: upheld or dismissed",
    ),
    "form.dismiss_reason": (
        "异议不成立时须说明理由",
        "A dismissed objection needs a reason",
    ),
    "form.number_placeholder": ("例如 1000", "such as 1000"),
    "form.bad_number": ("`{raw}` 不是正整数", "`{raw}` is not a positive whole number"),
    # ---------------------------------------------------------- a run's review actions
    "actions.no_pending": (
        "这个运行没有待批准的调整",
        "This run has no adjustment awaiting approval",
    ),
    "actions.approve_title": ("批准调整", "Approve adjustments"),
    "actions.rejected": (
        "已驳回调整 #{id}: {subject} {target} {delta}",
        "Rejected adjustment #{id}: {subject} {target} {delta}",
    ),
    "actions.approved": (
        "已批准调整 #{id}: {subject} {target} {delta}",
        "Approved adjustment #{id}: {subject} {target} {delta}",
    ),
    "actions.no_tie": ("{award} 没有卡线并列", "{award} has no boundary tie"),
    "actions.tie_title": ("卡线并列", "Boundary tie"),
    "actions.tie_done": (
        "已处理 {award} 卡线并列: 入选 {selected}",
        "Resolved the tie in {award}: selected {selected}",
    ),
    "actions.tie_form": (
        "处理卡线并列  {award}  第 {rank} 名",
        "Resolve the boundary tie  {award}  rank {rank}",
    ),
    "actions.review_started": ("运行 {run} 已开始审核", "The review of run {run} has started"),
    "actions.review_start_line": (
        "运行将从「草稿」进入「审核中」: 可以调整、标记、裁定并列",
        "The run goes from 'Draft' to 'In review': adjustments, flags and ties can be made",
    ),
    "actions.review_start_form": ("开始审核 运行 {run}", "Start the review of run {run}"),
    "actions.notice_done": (
        "公示已开始: {first} 至 {last}, 共 {days} 个工作日",
        "The notice is open: {first} to {last}, {days} working day(s)",
    ),
    "actions.notice_form": ("开始公示 运行 {run}", "Open the notice of run {run}"),
    "actions.choose_subject": (
        "先在排名中选中一个对象",
        "Highlight a subject in the ranking first",
    ),
    "actions.no_subject": ("没有选中对象", "No subject"),
    "actions.objection_done": (
        "已登记异议 #{id}: {who} 对 {subject}",
        "Recorded objection #{id}: {who} to {subject}",
    ),
    "actions.object_form": (
        "登记异议  {award} {subject}",
        "Record an objection  {award} {subject}",
    ),
    "actions.no_objection": ("这个运行没有待处理的异议", "This run has no open objection"),
    "actions.resolve_title": ("处理异议", "Resolve an objection"),
    "actions.dismissed": (
        "异议 #{id} 不成立: {subject} 保留入选",
        "Objection #{id} dismissed: {subject} keeps the seat",
    ),
    "actions.upheld": (
        "异议 #{id} 成立: {subject} 不再占名额",
        "Objection #{id} upheld: {subject} no longer holds a seat",
    ),
    "actions.published": (
        "运行 {run} 已发布 (有效排名哈希 {digest})",
        "Run {run} is published (standings hash {digest})",
    ),
    "actions.publish_form": ("发布 运行 {run}", "Publish run {run}"),
    "actions.revoked": (
        "已撤销 {subject} 的入选: {reason}",
        "Revoked {subject}'s selection: {reason}",
    ),
    "actions.revoke_form": (
        "撤销入选  {award} {subject} (发布后发现的问题)",
        "Revoke a selection  {award} {subject} (found after publication)",
    ),
    # ---------------------------------------------------------- a run's screen
    "column.name": ("姓名", "Name"),
    "column.title": ("名称", "Name"),
    "key.back": ("返回", "Back"),
    "key.search": ("搜索", "Search"),
    "key.sort": ("排序", "Sort"),
    "key.go_to": ("跳到名次", "Go to rank"),
    "key.clear": ("清除筛选", "Clear filters"),
    "key.next_award": ("下一奖项", "Next award"),
    "key.previous_award": ("上一奖项", "Previous award"),
    "key.review_start": ("审核", "Start"),
    "key.approve": ("批准", "Sign"),
    "key.resolve_tie": ("并列", "Tie"),
    "key.notice": ("公示", "Post"),
    "key.object": ("异议", "Object"),
    "key.resolve_objection": ("处理异议", "Resolve objection"),
    "key.publish": ("发布", "Publish"),
    "key.revoke": ("撤销入选", "Revoke"),
    "palette.review_start": ("开始审核", "Start the review"),
    "palette.approve": ("批准或驳回调整", "Approve or reject an adjustment"),
    "palette.resolve_tie": ("处理卡线并列", "Resolve the boundary tie"),
    "palette.notice": ("开始公示", "Open the notice"),
    "palette.object": ("登记异议 (选中的对象)", "Record an objection (highlighted subject)"),
    "palette.resolve_objection": (
        "处理异议 (成立则递补)",
        "Resolve an objection (upheld: substitute)",
    ),
    "palette.publish": ("发布", "Publish"),
    "palette.revoke": ("撤销入选 (选中的对象)", "Revoke a selection (highlighted subject)"),
    "run.help_title": ("运行 {run} 的排名", "Rankings of run {run}"),
    "run.help_note": (
        "标记列: 标 标记中  调 已调整  并 卡线并列  异 有异议  除 异议成立 (不占名额)"
        "  补 递补入选  撤 发布后撤销\n状态筛选里也能按这些标记筛选。",
        "Markers: F flagged  A adjusted  T boundary tie  O objected  X objection upheld"
        " (holds no seat)  S substitute  R revoked after publication\nThe status filter"
        " filters by these markers too.",
    ),
    "run.palette_help": ("运行 {run}, 按键 {key}", "run {run}, key {key}"),
    "run.empty": ("这个运行没有结果", "This run has no results"),
    "run.title_loading": ("运行 {run}", "Run {run}"),
    "run.title": (
        "运行 {run} {campaign} {period}  {status}  结果 {sha}",
        "Run {run} {campaign} {period}  {status}  results {sha}",
    ),
    "run.go_to_rank": ("跳到第几名", "Go to which rank"),
    "run.go_to_row": ("跳到第几行", "Go to which row"),
    # ---------------------------------------------------------- runs list
    "key.mark": ("标记比较", "Mark"),
    "key.compare": ("比较两个运行", "Compare two runs"),
    "runs.title": ("运行列表", "Runs"),
    "runs.hint": (
        "Enter 打开运行, 空格 标记两个运行后按 c 比较, a 审计日志",
        "Enter opens a run, space marks two runs to compare with c, a shows the audit log",
    ),
    "runs.col_mark": ("比较", "Cmp"),
    "runs.col_id": ("编号", "ID"),
    "runs.col_campaign": ("活动", "Campaign"),
    "runs.col_period": ("周期", "Period"),
    "runs.col_dates": ("起止", "Dates"),
    "runs.col_status": ("状态", "Status"),
    "runs.col_created": ("创建时间", "Created"),
    "runs.col_sha": ("结果哈希", "Results hash"),
    "runs.dates": ("{start} 至 {end}", "{start} to {end}"),
    "runs.none": (
        "这个库还没有运行: 先用 pioneer score 计分",
        "This store has no run yet: score one with pioneer score",
    ),
    "runs.mark_two": (
        "先用空格标记两个运行, 再按 c 比较",
        "Mark two runs with space first, then press c to compare",
    ),
    # ---------------------------------------------------------- audit log
    "key.back_to_runs": ("返回运行列表", "Back to runs"),
    "audit.title": ("审计日志", "Audit log"),
    "audit.col_seq": ("序号", "No."),
    "audit.col_at": ("时间", "Time"),
    "audit.col_today": ("日期", "Date"),
    "audit.col_actor": ("操作人", "User"),
    "audit.col_action": ("操作", "Action"),
    "audit.col_run": ("运行", "Run"),
    "audit.col_detail": ("摘要", "Detail"),
    "audit.empty": ("审计日志为空", "The audit log is empty"),
    "audit.detail": (
        "条目 {seq}  {action}  操作人 {actor}  运行 {run}\n哈希 {hash}  前一条 {prev}",
        "Entry {seq}  {action}  user {actor}  run {run}\nhash {hash}  previous {prev}",
    ),
    # ---------------------------------------------------------- compare
    "compare.title": ("比较 运行 {a} (A) 与 运行 {b} (B)", "Compare run {a} (A) with run {b} (B)"),
    "compare.only_in": ("只在运行 {run} 中的奖项: {award}", "Award only in run {run}: {award}"),
    "compare.nothing_shared": ("两个运行没有共同的奖项", "The two runs share no award"),
    "compare.summary": (
        "{changed} 个变化, 新入选 {entered} 个, 不再入选 {left} 个, 只在 A 中 {only_a} 个,"
        " 只在 B 中 {only_b} 个",
        "{changed} changed, {entered} newly selected, {left} no longer selected,"
        " {only_a} only in A, {only_b} only in B",
    ),
    "compare.first_only": ("; 仅显示前 {n} 个", "; the first {n} shown"),
    "compare.col_change": ("变化", "Change"),
    "compare.col_name": ("姓名/名称", "Name"),
    "compare.col_rank_a": ("排名 A", "Rank A"),
    "compare.col_rank_b": ("排名 B", "Rank B"),
    "compare.col_total_a": ("总分 A", "Total A"),
    "compare.col_total_b": ("总分 B", "Total B"),
    "compare.col_delta": ("分差", "Diff"),
    "compare.entered": ("新入选", "Newly selected"),
    "compare.left": ("不再入选", "No longer selected"),
    "compare.ranked": ("进入排名", "Now ranked"),
    "compare.unranked": ("退出排名", "No longer ranked"),
    "compare.total_changed": ("总分变化", "Total changed"),
    "compare.up": ("上升 {n}", "Up {n}"),
    "compare.down": ("下降 {n}", "Down {n}"),
    # ---------------------------------------------------------- a ranking
    "key.top": ("首行", "First row"),
    "key.bottom": ("末行 (载入更多)", "Last row (reads more)"),
    "key.first": ("跳到第一行", "Go to the first row"),
    "key.last": ("跳到最后一行", "Go to the last row"),
    "column.rank": ("排名", "Rank"),
    "column.key": ("编号", "Key"),
    "column.unit": ("单位", "Unit"),
    "column.total": ("总分", "Total"),
    "column.grade": ("等次", "Grade"),
    "column.status": ("状态", "Status"),
    "column.markers": ("标记", "Marks"),
    "ranking.stats": (
        "{title}\n参评 {n} 个\n参与排名 {ranked} 个\n入选 {chosen} 个",
        "{title}\n{n} subjects\n{ranked} ranked\n{chosen} selected",
    ),
    "ranking.loading": ("读取中", "Reading"),
    "ranking.row": ("第 {row} 行, ", "Row {row}, "),
    "ranking.count": (
        "共 {matching} 条符合, 已载入 {loaded} 条",
        "{matching} match, {loaded} read",
    ),
    "ranking.window": (" (第 {first} 至 {last} 行)", " (rows {first} to {last})"),
    # ---------------------------------------------------------- a subject's screen
    "key.tree": ("细则", "Criteria"),
    "key.evidence": ("证据", "Evidence"),
    "key.flag": ("标记/解除", "Flag"),
    "key.adjust": ("调整", "Adjust"),
    "key.reveal": ("显示隐私", "Reveal private"),
    "key.records": ("全部/计入", "All/counted"),
    "subject.help_title": ("{award} {subject} 的得分明细", "Breakdown of {award} {subject}"),
    "subject.tab": ("对象", "Subject"),
    "subject.col_field": ("字段", "Field"),
    "subject.col_value": ("值", "Value"),
    "subject.title": ("{award} / {name}  编号 {key}", "{award} / {name}  key {key}"),
    "subject.unit": ("  单位 {unit}", "  unit {unit}"),
    "subject.unranked": ("不参与排名", "not ranked"),
    "subject.summary": (
        "排名 {rank}    总分 {total}    等次 {grade}    状态 ",
        "Rank {rank}    Total {total}    Grade {grade}    Status ",
    ),
    "subject.revocation": ("  (撤销 {text})", "  (revoked {text})"),
    "subject.eligibility": ("参评资格", "Eligibility"),
    "subject.eligible": ("符合", "eligible"),
    "subject.ineligible": ("不符合, 不参与排名", "not eligible, not ranked"),
    "subject.condition": ("\n条件: {rule}", "\nCondition: {rule}"),
    "subject.vetoes": ("一票否决", "Vetoes"),
    "subject.veto": ("否决: {reason}", "Vetoed: {reason}"),
    "subject.veto_rule": ("  规则: {rule}", "  rule: {rule}"),
    "subject.no_veto": ("未触发 (共 {n} 条否决规则)", "none triggered ({n} veto rule(s))"),
    "subject.warnings": ("警告", "Warnings"),
    "subject.adjustments": ("调整记录", "Adjustments"),
    "subject.proposed": ("\n  提出 {who} ({day}): {reason}\n", "\n  by {who} ({day}): {reason}\n"),
    "subject.approved_by": ("  批准 {who}\n", "  approved by {who}\n"),
    "subject.decided_by": ("  处理 {who}: {reason}\n", "  decided by {who}: {reason}\n"),
    "subject.objections": ("异议", "Objections"),
    "subject.objector": (
        "\n  异议人 {who} ({day}): {reason}\n",
        "\n  objector {who} ({day}): {reason}\n",
    ),
    "subject.resolved_by": (
        "  处理 {who} ({day}): {text}\n",
        "  resolved by {who} ({day}): {text}\n",
    ),
    "subject.flags": ("标记", "Flags"),
    "subject.unflagged": ("已解除", "lifted"),
    "subject.unflagged_by": ("  解除 {who}: {reason}\n", "  lifted by {who}: {reason}\n"),
    "subject.evidence_all": (
        "全部 {n} 条记录, 其中 {counted} 条被规则计入; w 只看计入的",
        "all {n} record(s), {counted} counted by the rules; w: counted only",
    ),
    "subject.evidence_node": (
        "{n} 条记录中 {shown} 条计入 {node}; w 看全部",
        "{shown} of {n} record(s) counted by {node}; w: all",
    ),
    "subject.evidence_counted": (
        "{n} 条记录中 {shown} 条被规则计入; w 看全部",
        "{shown} of {n} record(s) counted by the rules; w: all",
    ),
    "subject.evidence_used": (" (用于 {used})", " (used by {used})"),
    "subject.evidence_first": ("; 仅显示前 {n} 条", "; the first {n} shown"),
    "subject.node_points": ("满分 {max}    得分 {points}", "max {max}    points {points}"),
    "subject.node_metric": ("    指标 {metric}", "    metric {metric}"),
    "subject.node_tables": ("证据表: {tables}", "Evidence tables: {tables}"),
    "subject.flag_done": (
        "已标记 {award} {subject} (标记 #{id})",
        "Flagged {award} {subject} (flag #{id})",
    ),
    "subject.unflag_done": (
        "已解除 {award} {subject} (标记 #{id})",
        "Lifted the flag on {award} {subject} (flag #{id})",
    ),
    "subject.unflag_form": ("解除标记 {who}", "Lift the flag on {who}"),
    "subject.flag_form": ("标记 {who} (暂缓发布)", "Flag {who} (holds publication)"),
    "subject.adjusted": (
        "调整 #{id}: {subject} {target} {delta}, 待另一位评审员批准",
        "Adjustment #{id}: {subject} {target} {delta}, awaiting another reviewer's approval",
    ),
    "subject.adjust_form": ("调整 {who}", "Adjust {who}"),
    "subject.reveal_form": (
        "显示隐私信息 {who} (将记入审计日志)",
        "Reveal private data of {who} (logged in the audit log)",
    ),
    "subject.revealed": (
        "已显示 {subject} 的隐私信息 ({columns}), 已记入审计日志",
        "Revealed {subject}'s private data ({columns}); logged in the audit log",
    ),
}
