"""Statistics: the secretaries' /stats, /ranking, /hardest in private chat, and a branch's
/leaderboard where the branch has switched it on."""

from __future__ import annotations

import logging
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.handlers.callbacks import NUDGE, NudgeTap
from bot.handlers.scope import parse_arguments, report_target
from bot.handlers.stats_view import (
    LEADERS_SHOWN,
    hardest_text,
    leaderboard_text,
    ranking_text,
    report_text,
)
from bot.org.tree import Level
from bot.stats.periods import Period

log = logging.getLogger(__name__)


async def stats_command(update: Update, context: BotContext) -> None:
    """/stats [期间] [支部编号] — the branch's participation for a month, quarter or year."""
    message = update.effective_message
    target = await report_target(
        update, context, branch_only=True, example="/stats {period} zb-001"
    )
    if message is None or target is None:
        return
    period, branch_id = target
    services = context.services
    report = await services.stats.branch_report(branch_id, period)
    waiting = [m for m in report.not_participated if m.reachable]
    today = services.clock.now().astimezone(services.settings.zone).date()
    keyboard = (
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        services.texts.nudge_button.format(count=len(waiting)),
                        callback_data=NUDGE.pack(NudgeTap(branch_id, period)),
                    )
                ]
            ]
        )
        if waiting and _current(period, today)
        else None
    )
    await message.reply_text(report_text(services.texts, report), reply_markup=keyboard)


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
    report = await services.stats.branch_report(branch_id, period)
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
    """/ranking [期间] [组织编号] — branches under a 党总支 or 党委, best first."""
    message = update.effective_message
    target = await report_target(update, context, branch_only=False, example="/ranking {period}")
    if message is None or target is None:
        return
    period, unit = target
    services = context.services
    texts = services.texts
    figures = await services.stats.ranking(unit, period)
    await message.reply_text(
        ranking_text(texts, services.org.tree, unit, texts.period(period), figures)
    )


async def hardest_command(update: Update, context: BotContext) -> None:
    """/hardest [期间] [支部编号] — the questions the branch missed most, to study next."""
    message = update.effective_message
    target = await report_target(
        update, context, branch_only=True, example="/hardest {period} zb-001"
    )
    if message is None or target is None:
        return
    period, branch_id = target
    services = context.services
    texts = services.texts
    items = await services.stats.hardest([branch_id], period)
    await message.reply_text(
        hardest_text(
            texts,
            services.org.branch_name(branch_id),
            texts.period(period),
            items,
            services.quiz.bank.by_id,
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
