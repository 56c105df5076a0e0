"""How statistics read in a chat: short lines, text bars, names only for secretaries."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from zoneinfo import ZoneInfo

from bot.handlers.pages import MESSAGE_LIMIT, length, page_text, pages
from bot.i18n import Texts
from bot.meetings.events import kind_name
from bot.meetings.quota import QuotaLine
from bot.meetings.records import BranchQuotas
from bot.org.tree import Level, OrgTree
from bot.quiz.questions import Question
from bot.stats.figures import BranchFigures, Enrolment, ItemFigures, bar, places
from bot.stats.periods import Period
from bot.stats.service import Leaderboard, MemberRecord, UnitReport

NAMES_SHOWN = 30
RANKING_SHOWN = 20
LEADERS_SHOWN = 10
CHILDREN_SHOWN = 20
BEHIND_SHOWN = 10
UNITS_SHOWN = 60


def _score(value: float | None) -> str:
    """A percentage of right answers, or a dash where there were no quizzes."""
    return "—" if value is None else f"{value:.0f}%"


def _change(texts: Texts, now: float, before: float) -> str:
    points = round(100 * (now - before))
    if points > 0:
        return texts.change_up.format(points=points)
    if points < 0:
        return texts.change_down.format(points=-points)
    return texts.change_none


def report_text(texts: Texts, report: UnitReport) -> str:
    f, p = report.figures, report.previous
    scores = (
        texts.stats_scores.format(
            quizzes=f.quizzes, average=_score(f.average), median=_score(f.median)
        )
        if not report.children
        else texts.stats_scores_unit.format(quizzes=f.quizzes, average=_score(f.average))
    )
    same_time = report.previous_window.same_time
    rate = texts.stats_rate_same_time if same_time else texts.stats_rate
    average = texts.stats_previous_average_same_time if same_time else texts.stats_previous_average
    lines = [
        texts.stats_title.format(branch=report.unit.name, period=texts.period(report.period)),
        "",
        texts.stats_members.format(members=f.members, participants=f.participants),
        rate.format(
            bar=bar(f.rate),
            previous=round(100 * p.rate),
            change=_change(texts, f.rate, p.rate),
            days=report.previous_window.days,
        ),
        scores,
        average.format(average=_score(p.average), days=report.previous_window.days),
    ]
    if f.attendance is not None:
        lines.append(texts.stats_attendance.format(bar=bar(f.attendance), days=f.theme_days))
    if report.unit.level is Level.BRANCH and not f.quizzes:
        lines.append(texts.stats_unranked)
    elif report.parent is not None and report.place is not None and report.out_of > 1:
        lines.append(
            texts.stats_rank.format(
                parent=report.parent.name, count=report.out_of, place=report.place
            )
        )
    if f.unreachable:
        lines.append(texts.stats_unreachable.format(count=f.unreachable))
    if report.children:
        lines += ["", texts.stats_children]
        shown = report.children[:CHILDREN_SHOWN]
        lines += [
            _unit_line(texts, place, report_unit_name(report, f.branch_id), f)
            for place, f in zip(places(shown), shown, strict=True)
        ]
        if len(report.children) > CHILDREN_SHOWN:
            lines.append(texts.stats_children_more.format(count=len(report.children)))
    # A 党总支 or 党委 lists its child units above instead of names.
    missing = [] if report.children else report.not_participated
    if missing:
        names = "、".join(m.name for m in missing[:NAMES_SHOWN])
        more = (
            texts.and_more.format(count=len(missing) - NAMES_SHOWN)
            if len(missing) > NAMES_SHOWN
            else ""
        )
        lines += ["", texts.stats_not_yet.format(count=len(missing), names=names + more)]
    elif f.members and not report.children:
        lines += ["", texts.stats_everyone]
    lines += ["", texts.stats_note]
    if f.attendance is not None:
        lines.append(texts.attendance_note)
    return "\n".join(lines)


def _quota_items(texts: Texts, lines: Sequence[QuotaLine], so_far: bool = False) -> str:
    return texts.meeting_quota_separator.join(
        texts.meeting_quota_item.format(
            kind=kind_name(texts, line.kind),
            done=line.done,
            due=line.due_so_far if so_far else line.due,
        )
        for line in lines
    )


def meetings_text(
    texts: Texts,
    quotas: Sequence[BranchQuotas],
    names: Mapping[str, str],
    today_text: str,
    *,
    branch: bool,
) -> str:
    """三会一课 against the quota: for one branch each kind's held/due, grouped by the period
    it is counted over (a month's report counts the quarterly ones over its quarter); for a
    党总支 or 党委 the branches behind, with the kinds they are behind on as of today."""
    if branch and quotas:
        windows: dict[Period, list[QuotaLine]] = {}
        for line in quotas[0].lines:
            windows.setdefault(line.window, []).append(line)
        lines = [texts.stats_meetings_title]
        lines += [
            texts.stats_meetings_window.format(
                period=texts.period(window), items=_quota_items(texts, group)
            )
            for window, group in windows.items()
        ]
        return "\n".join(lines)
    behind = [q for q in quotas if q.behind]
    if not behind:
        return texts.stats_meetings_all_done.format(date=today_text)
    lines = [texts.stats_meetings_behind.format(count=len(behind), date=today_text)]
    lines += [
        texts.stats_meetings_behind_line.format(
            branch=names.get(q.branch_id, q.branch_id),
            items=_quota_items(texts, q.behind, so_far=True),
        )
        for q in behind[:BEHIND_SHOWN]
    ]
    if len(behind) > BEHIND_SHOWN:
        lines.append(texts.stats_meetings_behind_more.format(count=len(behind)))
    return "\n".join(lines)


def report_unit_name(report: UnitReport, unit_id: str) -> str:
    return report.names.get(unit_id, unit_id)


def _unit_line(
    texts: Texts, place: int | None, name: str, f: BranchFigures, mark: str = ""
) -> str:
    if place is None:
        return texts.ranking_idle.format(branch=mark + name, members=f.members)
    line = texts.ranking_item.format(
        place=place, branch=mark + name, bar=bar(f.rate), average=_score(f.average)
    )
    if f.attendance is not None:
        line += texts.ranking_attendance.format(rate=round(100 * f.attendance))
    return line


def ranking_text(
    texts: Texts,
    tree: OrgTree,
    unit_id: str,
    period_label: str,
    figures: Sequence[BranchFigures],
    mine: Collection[str] = (),
) -> str:
    """Branches best first; a branch secretary's own branches marked, and shown even when
    they are below the first ``RANKING_SHOWN``."""
    lines = [
        texts.ranking_title.format(unit=tree.by_id[unit_id].name, period=period_label),
        "",
    ]
    if not figures:
        return "\n".join([*lines, texts.ranking_empty])
    for index, (place, f) in enumerate(zip(places(figures), figures, strict=True)):
        if index < RANKING_SHOWN or f.branch_id in mine:
            mark = texts.ranking_mine if f.branch_id in mine else ""
            lines.append(_unit_line(texts, place, tree.by_id[f.branch_id].name, f, mark))
    if len(figures) > RANKING_SHOWN:
        lines.append(texts.ranking_more.format(count=len(figures)))
    lines += ["", texts.stats_note]
    if any(f.attendance is not None for f in figures):
        lines.append(texts.attendance_note)
    return "\n".join(lines)


def units_text(
    texts: Texts,
    tree: OrgTree,
    visible: Sequence[str],
    roots: Sequence[str],
    query: str | None,
) -> str:
    """The units one may see, indented by depth under their highest units, with codes."""
    if not visible:
        return texts.units_none_at_all
    base = {root: len(tree.path(root)) for root in roots}
    depth = {}
    for root in roots:
        for uid in tree.descendants(root):
            depth[uid] = len(tree.path(uid)) - base[root]
    shown = [
        u
        for u in visible
        if query is None or query in tree.by_id[u].name or query.lower() in u.lower()
    ]
    if not shown:
        return texts.units_none.format(query=query)
    lines = [texts.units_title, ""]
    for uid in shown[:UNITS_SHOWN]:
        unit = tree.by_id[uid]
        lines.append(
            texts.units_line.format(
                indent="　" * depth[uid], code=uid, name=unit.name, level=unit.level.value
            )
        )
    if len(shown) > UNITS_SHOWN:
        lines.append(texts.units_more.format(count=len(shown)))
    lines += ["", texts.units_footer]
    return "\n".join(lines)


def member_lines(
    texts: Texts, tree: OrgTree, members: Sequence[Enrolment], zone: ZoneInfo, *, by_name: bool
) -> list[str]:
    """One line per member, by branch and name: their branch when searching by name, the day
    they joined, the day they last used the bot (or 未启用 if they never opened it)."""
    lines = []
    for e in sorted(members, key=lambda e: (e.member.branch_id or "", e.member.name)):
        branch = tree.by_id.get(e.member.branch_id or "")
        active = (
            texts.members_never
            if e.member.telegram_id is None
            else texts.members_active.format(
                date=texts.long_date(e.last_active.astimezone(zone).date())
            )
            if e.last_active
            else texts.members_no_activity
        )
        lines.append(
            texts.members_line.format(
                name=e.member.name,
                branch=f"{branch.name} · " if by_name and branch else "",
                joined=texts.long_date(e.joined_at.astimezone(zone).date()),
                active=active,
            )
        )
    return lines


def members_page(
    texts: Texts,
    tree: OrgTree,
    title: str,
    members: Sequence[Enrolment],
    zone: ZoneInfo,
    number: int,
    *,
    by_name: bool,
) -> tuple[str, tuple[int, int]]:
    """Page ``number`` of the member list (under Telegram's 4,096 characters), and (the page
    shown, how many pages); a search by name shows its first page and how many it found."""
    if not members:
        empty = texts.members_none.format(name=title) if by_name else texts.members_empty
        return empty, (0, 1)
    header = texts.members_title.format(unit=title, count=len(members))
    lines = member_lines(texts, tree, members, zone, by_name=by_name)
    more = texts.members_more.format(count=len(members))
    split = pages(header, lines, texts, MESSAGE_LIMIT - length(more) - 2)
    number = min(number, len(split) - 1)
    if by_name:
        shown = "\n".join(lines[i] for i in split[0])
        tail = f"\n{more}" if len(split) > 1 else ""
        return f"{header}\n\n{shown}{tail}", (0, 1)
    return page_text(header, lines, split[number], number, len(split), texts), (
        number,
        len(split),
    )


def hardest_text(
    texts: Texts,
    title: str,
    period_label: str,
    items: Sequence[ItemFigures],
    questions: Mapping[str, Question],
    min_attempts: int,
    limit: int = 10,
) -> str:
    """The questions answered least well, each with enough answers (``min_attempts``) for
    its 正确率 to mean something."""
    lines = [texts.hardest_title.format(branch=title, period=period_label), ""]
    shown = [item for item in items if item.question_id in questions][:limit]
    if not shown:
        return "\n".join([*lines, texts.hardest_too_few.format(count=min_attempts)])
    for number, item in enumerate(shown, start=1):
        question = questions[item.question_id]
        stem = question.stem if len(question.stem) <= 40 else question.stem[:39] + "…"
        lines.append(
            texts.hardest_item.format(
                number=number,
                source=question.source,
                stem=stem,
                rate=round(100 * item.facility),
                attempts=item.attempts,
            )
        )
    lines += ["", texts.hardest_threshold.format(count=min_attempts), texts.hardest_footer]
    return "\n".join(lines)


def leaderboard_text(texts: Texts, board: Leaderboard) -> str:
    lines = [
        texts.leaderboard_title.format(branch=board.branch.name, period=texts.period(board.period))
    ]
    lines.append("")
    if not board.leaders:
        lines.append(texts.leaderboard_empty.format(period=texts.period(board.period)))
        return "\n".join(lines)
    lines += [
        texts.leaderboard_line.format(
            place=place, name=member.name, best=round(totals.best), quizzes=totals.quizzes
        )
        for place, member, totals in board.leaders
    ]
    lines += [
        "",
        texts.leaderboard_footer.format(participants=board.participants, members=board.members),
    ]
    return "\n".join(lines)


MISSED_SHOWN = 15


def member_text(
    texts: Texts,
    record: MemberRecord,
    branch: str,
    questions: Mapping[str, Question],
    zone: ZoneInfo,
) -> str:
    """A member's quizzes (答对 x/n) and the questions they missed, with the right answers."""
    lines = [
        texts.member_title.format(
            name=record.member.name, branch=branch, period=texts.period(record.period)
        ),
        "",
    ]
    if not record.quizzes:
        return "\n".join([*lines, texts.member_no_quiz])
    for quiz in record.quizzes:
        lines.append(
            texts.member_quiz.format(
                date=quiz.finished_at.astimezone(zone).strftime("%m-%d %H:%M"),
                score=quiz.score,
                total=quiz.question_count,
                percent=round(quiz.percent),
            )
        )
    missed = [(questions[q], n) for q, n in record.missed if q in questions][:MISSED_SHOWN]
    if missed:
        lines += ["", texts.member_missed_header]
        for number, (question, times) in enumerate(missed, start=1):
            answer = "、".join(question.options[i] for i in sorted(question.answer))
            lines.append(
                texts.member_missed.format(
                    number=number,
                    stem=question.stem if len(question.stem) <= 40 else question.stem[:39] + "…",
                    answer=answer,
                    source=question.source,
                    times=times,
                )
            )
    return "\n".join(lines)
