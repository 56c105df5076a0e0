"""Secretaries' charts and ledgers: /chart (a PNG) and /export (the Excel 台账)."""

from __future__ import annotations

import io

from telegram import InputFile, Update

from bot.context import BotContext
from bot.handlers.scope import report_target
from bot.handlers.stats_view import report_text
from bot.org.tree import Level
from bot.stats.chart import Bar

CHART_BRANCHES = 25
CHART_MONTHS = 6


async def chart_command(update: Update, context: BotContext) -> None:
    """/chart [期间] [组织编号] — a branch's last months, or the child units of a unit."""
    message = update.effective_message
    chat = update.effective_chat
    target = await report_target(update, context, "chart")
    if message is None or chat is None or target is None:
        return
    period, unit_id = target.period, target.unit
    services = context.services
    texts = services.texts
    tree = services.org.tree
    unit = tree.by_id[unit_id]
    report = None
    if unit.level is Level.BRANCH:
        months = [period.months()[-1]]
        while len(months) < CHART_MONTHS:
            months.insert(0, months[0].previous())
        bars = []
        for month in months:
            (figures,) = await services.stats.figures([unit_id], services.stats.window(month))
            bars.append(
                Bar(texts.chart_month.format(month=month.index), figures.rate, figures.average)
            )
        title = texts.chart_months_title.format(unit=unit.name)
        horizontal = False
    else:
        report = await services.stats.report(unit_id, period)
        bars = [
            Bar(tree.by_id[f.branch_id].name, f.rate, f.average)
            for f in report.children[:CHART_BRANCHES]
        ]
        title = texts.chart_branches_title.format(unit=unit.name, period=texts.period(period))
        horizontal = True
    png = await services.reports.chart(title, bars, horizontal=horizontal, texts=texts)
    if png is None:
        report = report or await services.stats.report(unit_id, period)
        await message.reply_text(texts.chart_unavailable + "\n\n" + report_text(texts, report))
        return
    await context.bot.send_photo(chat.id, InputFile(io.BytesIO(png), "chart.png"), caption=title)


async def export_command(update: Update, context: BotContext) -> None:
    """/export [期间] [组织编号] — the Excel ledger (台账) of a branch or of everything below
    a unit."""
    message = update.effective_message
    chat = update.effective_chat
    target = await report_target(update, context, "export")
    if message is None or chat is None or target is None:
        return
    period, unit_id = target.period, target.unit
    services = context.services
    texts = services.texts
    await message.reply_text(texts.export_working)
    data = await services.reports.ledger(unit_id, period, services.quiz.bank.by_id, texts)
    name = texts.ledger_file.format(unit=services.org.branch_name(unit_id), period=period.key)
    await context.bot.send_document(
        chat.id,
        InputFile(io.BytesIO(data), name),
        caption=texts.export_caption.format(
            unit=services.org.branch_name(unit_id), period=texts.period(period)
        ),
    )
