"""Statistics: the secretaries' /stats, /ranking, /hardest in private chat, and a branch's
/leaderboard where the branch has switched it on."""

from __future__ import annotations

import logging
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.handlers.callbacks import MEMBERS_PAGE, NUDGE, MembersPageTap, NudgeTap
from bot.handlers.scope import (
    Refusal,
    Refused,
    Want,
    answers_for,
    one_named,
    own_units,
    parse_arguments,
    refusal_text,
    report_target,
)
from bot.handlers.stats_view import (
    LEADERS_SHOWN,
    hardest_text,
    leaderboard_text,
    meetings_text,
    member_text,
    members_page,
    ranking_text,
    report_text,
    units_text,
)
from bot.org.tree import Level
from bot.stats.periods import Period, Span, parse_period

MAX_QUERY = 30
"""A name or keyword searched for is cut to this many characters."""
log = logging.getLogger(__name__)


async def stats_command(update: Update, context: BotContext) -> None:
    """/stats [期间] [组织编号] — a unit's participation for a month, quarter or year: a
    branch with who has not studied, a 党总支 or 党委 with its child units ranked."""
    message = update.effective_message
    target = await report_target(update, context, "stats")
    if message is None or target is None:
        return
    services = context.services
    report = await services.stats.report(target.unit, target.period)
    waiting = [m for m in report.not_participated if m.reachable]
    today = services.clock.now().astimezone(services.settings.zone).date()
    keyboard = (
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        services.texts.nudge_button.format(count=len(waiting)),
                        callback_data=NUDGE.pack(NudgeTap(target.unit, target.period)),
                    )
                ]
            ]
        )
        if waiting and target.period.span is not Span.RANGE and _current(target.period, today)
        else None
    )
    await message.reply_text(
        report_text(services.texts, report)
        + "\n\n"
        + await _meetings(context, target.unit, target.period),
        reply_markup=keyboard,
    )


async def _meetings(context: BotContext, unit_id: str, period: Period) -> str:
    """三会一课 against the quota: the branch's own, or the branches behind under a unit."""
    services = context.services
    tree = services.org.tree
    texts = services.texts
    branches = sorted(tree.branches_under([unit_id]))
    whole = len(branches) == len(tree.branches)
    quotas = await services.records.quotas(None if whole else branches, period)
    wanted = set(branches)
    quotas = [q for q in quotas if q.branch_id in wanted]
    names = {b: tree.by_id[b].name for b in branches}
    today = services.records.today()
    branch = tree.by_id[unit_id].level is Level.BRANCH
    return meetings_text(texts, quotas, names, texts.month_day(today), branch=branch)


async def nudge_callback(update: Update, context: BotContext, tap: NudgeTap) -> None:
    """提醒未参学: a message to the members of the branch who have not studied in the period,
    through the outbox, once a day at most."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    services = context.services
    texts = services.texts
    now = services.clock.now().astimezone(services.settings.zone)
    branch_id, period = tap.branch_id, tap.period
    if not context.actor.can_see(branch_id) or not _current(period, now.date()):
        # Only this period's laggards can still study for it; a forged or old button naming
        # another period must not become a second reminder of the day.
        await query.answer(texts.tap_invalid)
        return
    report = await services.stats.report(branch_id, period)
    # Once a day per branch, whatever period the button names; queued before anything is
    # shown, so a failed progress message never loses it.
    batch_id = await services.delivery.send_to(
        report.not_participated,
        key=f"nudge:{branch_id}:{now.date().isoformat()}",
        kind="nudge",
        text=texts.nudge_text.format(period=texts.period(period)),
        unit_id=branch_id,
        created_by=query.from_user.id,
        progress_chat_id=query.message.chat.id,
    )
    if batch_id is None:
        await query.answer(texts.nudge_already, show_alert=True)
        return
    services.sender.wake()
    try:
        await query.answer()
        progress = await context.bot.send_message(
            query.message.chat.id, texts.broadcast_progress.format(sent=0, total="…", failed=0)
        )
        await services.delivery.show_progress_in(
            batch_id, query.message.chat.id, progress.message_id
        )
    except TelegramError as error:
        log.warning("batch %d queued; its progress message is not shown: %s", batch_id, error)
        return
    await services.progress.changed(batch_id)


def _current(period: Period, today: date) -> bool:
    return period.start <= today < period.end


async def ranking_command(update: Update, context: BotContext) -> None:
    """/ranking [期间] [组织编号] — the branches under a unit, best first; a branch
    secretary's own branch among its sibling branches."""
    message = update.effective_message
    target = await report_target(update, context, "ranking", Want.RANKING)
    if message is None or target is None:
        return
    services = context.services
    texts = services.texts
    tree = services.org.tree
    figures = await services.stats.ranking(target.unit, target.period)
    mine = context.actor.secretary_of
    await message.reply_text(
        ranking_text(texts, tree, target.unit, texts.period(target.period), figures, mine)
    )


async def hardest_command(update: Update, context: BotContext) -> None:
    """/hardest [期间] [组织编号] — the questions a unit's members missed most, to study next."""
    message = update.effective_message
    target = await report_target(update, context, "hardest")
    if message is None or target is None:
        return
    services = context.services
    texts = services.texts
    items = await services.stats.hardest_in(target.unit, target.period)
    await message.reply_text(
        hardest_text(
            texts,
            services.org.branch_name(target.unit),
            texts.period(target.period),
            items,
            services.quiz.bank.by_id,
            services.stats.min_attempts,
        )
    )


async def units_command(update: Update, context: BotContext) -> None:
    """/units [名称关键词] — the units one may see, with the codes commands take."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    query = " ".join(context.args or [])[:MAX_QUERY] or None
    tree = services.org.tree
    roots = own_units(context.actor)
    visible = [u for root in roots for u in tree.descendants(root)]
    await message.reply_text(units_text(services.texts, tree, visible, roots, query))


async def members_command(update: Update, context: BotContext) -> None:
    """/members [组织编号] [姓名] — the members of a unit: when they joined, when they last
    used the bot, 未启用 for those who never opened it; a name searches one's whole scope."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    actor = context.actor
    tree = services.org.tree
    args = list(context.args or [])
    units = [a for a in args if a in tree.by_id]
    name = " ".join(a for a in args if a not in tree.by_id)[:MAX_QUERY] or None
    if units and not answers_for(actor, units[0]):
        refusal = Refusal(Refused.NOT_ALLOWED, units[0])
        await message.reply_text(refusal_text(context, refusal, "members"))
        return
    roots = units[:1] or own_units(actor)
    if not units and name is None and len(roots) != 1:
        refusal = Refusal(Refused.CHOOSE, roots[0] if roots else "")
        await message.reply_text(refusal_text(context, refusal, "members"))
        return
    if name is not None:
        # A search spans the whole scope and is not paged: the first page, and how many more.
        branches = None if actor.admin and not units else tree.branches_under(roots)
        found = await services.stats.members(branches, name)
        text, _ = members_page(texts, tree, name, found, services.settings.zone, 0, by_name=True)
        await message.reply_text(text)
        return
    text, markup = await _members_page(context, roots[0], 0)
    await message.reply_text(text, reply_markup=markup)


async def members_page_callback(update: Update, context: BotContext, tap: MembersPageTap) -> None:
    """上一页/下一页 under /members: the page is rebuilt for the tapper's scope as it is now,
    so an old message never shows a unit its reader may no longer see."""
    query = update.callback_query
    if query is None:
        return
    if tap.unit_id not in context.services.org.tree.by_id or not answers_for(
        context.actor, tap.unit_id
    ):
        await query.answer(context.services.texts.tap_invalid)
        return
    await query.answer()
    text, markup = await _members_page(context, tap.unit_id, tap.page)
    await query.edit_message_text(text, reply_markup=markup)


async def _members_page(
    context: BotContext, unit_id: str, number: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    texts = services.texts
    tree = services.org.tree
    found = await services.stats.members(tree.branches_under([unit_id]), None)
    title = services.org.branch_name(unit_id)
    text, (number, count) = members_page(
        texts, tree, title, found, services.settings.zone, number, by_name=False
    )
    row = [
        InlineKeyboardButton(label, callback_data=MEMBERS_PAGE.pack(MembersPageTap(unit_id, n)))
        for label, n in ((texts.page_previous, number - 1), (texts.page_next, number + 1))
        if 0 <= n < count
    ]
    return text, InlineKeyboardMarkup([row]) if row else None


async def member_command(update: Update, context: BotContext) -> None:
    """/member <姓名或编号> [期间] — one member's quizzes and the questions they got wrong,
    with the right answers: what to go over with them."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    texts = services.texts
    args = list(context.args or [])
    today = services.clock.now().astimezone(services.settings.zone).date()
    period = parse_period(" ".join(args[1:]), today) if args else None
    if not args or period is None:
        await message.reply_text(texts.member_usage)
        return
    member = await one_named(context, message, args[0], args[0][:MAX_QUERY])
    if member is None:
        return
    record = await services.stats.member_record(member, period)
    await message.reply_text(
        member_text(
            texts,
            record,
            services.org.branch_name(member.branch_id),
            services.quiz.bank.by_id,
            services.settings.zone,
        )
    )


async def leaderboard_command(update: Update, context: BotContext) -> None:
    """/leaderboard [期间] — the branch's 学习榜: in its bound group chat, or privately for
    its members; only where the branch has ``leaderboard: true`` in the organisation."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    services = context.services
    texts = services.texts
    member = context.actor.member
    if chat.type == "private":
        branch_id = member.branch_id if member is not None else None
        if branch_id is None:
            await message.reply_text(texts.no_branch)
            return
    else:
        branch_id = await services.org.group_unit(chat.id)
        if branch_id is None:
            await message.reply_text(texts.leaderboard_unbound)
            return
    unit = services.org.tree.by_id.get(branch_id)
    if unit is None or unit.level is not Level.BRANCH or not unit.leaderboard:
        await message.reply_text(texts.leaderboard_off)
        return
    period, _ = parse_arguments(context)
    if period is None:
        await message.reply_text(texts.period_usage)
        return
    board = await services.stats.leaderboard(branch_id, period, LEADERS_SHOWN)
    await message.reply_text(leaderboard_text(texts, board))
