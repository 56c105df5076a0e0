"""How statistics read in a chat: short lines, text bars, names only for secretaries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.i18n import Texts
from bot.org.tree import OrgTree
from bot.quiz.questions import Question
from bot.stats.figures import BranchFigures, ItemFigures, bar
from bot.stats.service import BranchReport, Leaderboard

NAMES_SHOWN = 30
RANKING_SHOWN = 20
LEADERS_SHOWN = 10


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


def report_text(texts: Texts, report: BranchReport) -> str:
    f, p = report.figures, report.previous
    lines = [
        texts.stats_title.format(branch=report.branch.name, period=texts.period(report.period)),
        "",
        texts.stats_members.format(members=f.members, participants=f.participants),
        texts.stats_rate.format(
            bar=bar(f.rate), previous=round(100 * p.rate), change=_change(texts, f.rate, p.rate)
        ),
        texts.stats_scores.format(
            quizzes=f.quizzes, average=_score(f.average), median=_score(f.median)
        ),
        texts.stats_previous_average.format(average=_score(p.average)),
    ]
    if f.attendance is not None:
        lines.append(texts.stats_attendance.format(bar=bar(f.attendance), days=f.theme_days))
    if report.parent is not None and report.out_of > 1:
        lines.append(
            texts.stats_rank.format(
                parent=report.parent.name, count=report.out_of, place=report.place
            )
        )
    if f.unreachable:
        lines.append(texts.stats_unreachable.format(count=f.unreachable))
    missing = report.not_participated
    if missing:
        names = "、".join(m.name for m in missing[:NAMES_SHOWN])
        more = (
            texts.and_more.format(count=len(missing) - NAMES_SHOWN)
            if len(missing) > NAMES_SHOWN
            else ""
        )
        lines += ["", texts.stats_not_yet.format(count=len(missing), names=names + more)]
    elif f.members:
        lines += ["", texts.stats_everyone]
    lines += ["", texts.stats_note]
    if f.attendance is not None:
        lines.append(texts.attendance_note)
    return "\n".join(lines)


def ranking_text(
    texts: Texts, tree: OrgTree, unit_id: str, period_label: str, figures: Sequence[BranchFigures]
) -> str:
    lines = [
        texts.ranking_title.format(unit=tree.by_id[unit_id].name, period=period_label),
        "",
    ]
    if not figures:
        return "\n".join([*lines, texts.ranking_empty])
    for place, f in enumerate(figures[:RANKING_SHOWN], start=1):
        line = texts.ranking_item.format(
            place=place,
            branch=tree.by_id[f.branch_id].name,
            bar=bar(f.rate),
            average=_score(f.average),
        )
        if f.attendance is not None:
            line += texts.ranking_attendance.format(rate=round(100 * f.attendance))
        lines.append(line)
    if len(figures) > RANKING_SHOWN:
        lines.append(texts.ranking_more.format(count=len(figures)))
    lines += ["", texts.stats_note]
    if any(f.attendance is not None for f in figures):
        lines.append(texts.attendance_note)
    return "\n".join(lines)


def hardest_text(
    texts: Texts,
    title: str,
    period_label: str,
    items: Sequence[ItemFigures],
    questions: Mapping[str, Question],
    limit: int = 10,
) -> str:
    lines = [texts.hardest_title.format(branch=title, period=period_label), ""]
    shown = [item for item in items if item.question_id in questions][:limit]
    if not shown:
        return "\n".join([*lines, texts.hardest_empty])
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
    lines += ["", texts.hardest_footer]
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
