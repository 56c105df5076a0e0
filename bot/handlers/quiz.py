"""The quiz in chat: /quiz, /cancel and the taps on question keyboards."""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TimedOut

from bot.context import BotContext
from bot.handlers import conversation
from bot.handlers.callbacks import TOPIC, NextTap, TopicTap
from bot.handlers.common import not_modified, register
from bot.handlers.quiz_view import (
    correction_keyboard,
    question_keyboard,
    question_text,
    result_keyboard,
    result_text,
    summary_text,
)
from bot.quiz.service import Started
from bot.quiz.session import (
    Answered,
    Ignored,
    IgnoredReason,
    Outdated,
    QuizSession,
    Tap,
    TapAction,
    Toggled,
)
from bot.redelivery import possibly_handled_before

log = logging.getLogger(__name__)


async def quiz_command(update: Update, context: BotContext) -> None:
    """/quiz [文件] [章] — start a quiz (across the bank, or narrowed: /quiz 党章 第五章), or
    continue the unfinished one; /quiz 选题 shows a menu of documents and chapters."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    services = context.services
    if chat.type != "private":
        await message.reply_text(services.texts.private_only.format(command="quiz"))
        return
    args = list(context.args or [])
    if not args:
        await _begin(update, context, chat.id, None, None)
        return
    topics = services.quiz.topics()
    documents = [document for document, _ in topics]
    if args[0] not in documents:
        await message.reply_text(services.texts.topic_pick, reply_markup=_documents_menu(context))
        return
    chapters = dict(topics)[args[0]]
    chapter = next((c for c in chapters if len(args) > 1 and c.startswith(args[1])), None)
    if len(args) > 1 and chapter is None:
        await message.reply_text(
            services.texts.topic_pick,
            reply_markup=_chapters_menu(context, documents.index(args[0])),
        )
        return
    await _begin(update, context, chat.id, args[0], chapter)


def _documents_menu(context: BotContext) -> InlineKeyboardMarkup:
    quiz = context.services.quiz
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.services.texts.topic_document.format(
                        document=document, count=len(quiz.pool(document))
                    ),
                    callback_data=TOPIC.pack(TopicTap(index)),
                )
            ]
            for index, (document, _) in enumerate(quiz.topics())
        ]
    )


def _chapters_menu(context: BotContext, index: int) -> InlineKeyboardMarkup:
    texts = context.services.texts
    document, chapters = context.services.quiz.topics()[index]
    rows = [
        [
            InlineKeyboardButton(
                texts.topic_all.format(document=document),
                callback_data=TOPIC.pack(TopicTap(index, "all")),
            )
        ]
    ]
    rows += [
        [InlineKeyboardButton(chapter, callback_data=TOPIC.pack(TopicTap(index, number)))]
        for number, chapter in enumerate(chapters)
    ]
    return InlineKeyboardMarkup(rows)


async def topic_callback(update: Update, context: BotContext, tap: TopicTap) -> None:
    """A tap in the document/chapter menu: show the chapters, or start the quiz."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    services = context.services
    topics = services.quiz.topics()
    if tap.document >= len(topics) or (
        isinstance(tap.chapter, int) and tap.chapter >= len(topics[tap.document][1])
    ):
        await query.answer(services.texts.tap_invalid)
        return
    await query.answer()
    document, chapters = topics[tap.document]
    if tap.chapter is None:
        await _edit_tapped_markup(context, query, _chapters_menu(context, tap.document))
        return
    await _edit_tapped_markup(context, query, None)
    chapter = None if tap.chapter == "all" else chapters[tap.chapter]
    await _begin(update, context, query.message.chat.id, document, chapter)


async def _begin(
    update: Update, context: BotContext, chat_id: int, document: str | None, chapter: str | None
) -> None:
    services = context.services
    member_id = await register(update, context)
    if member_id is None:
        return
    started = await services.quiz.start(member_id, chat_id, document, chapter)
    if isinstance(started, Outdated):
        await context.bot.send_message(chat_id, services.texts.outdated)
        return
    if started.resumed:
        await context.bot.send_message(
            chat_id,
            services.texts.resumed.format(
                number=started.session.position + 1, total=started.session.total
            ),
        )
    await _send_question(context, started.session)


async def cancel_command(update: Update, context: BotContext) -> None:
    """Abandon the quiz in progress; answers given so far stay recorded."""
    member_id = await register(update, context)
    if member_id is None or update.effective_message is None:
        return
    services = context.services
    user = update.effective_user
    if user is not None and await conversation.end(context, user.id):
        # /cancel first abandons what the person was in the middle of saying.
        await update.effective_message.reply_text(services.texts.input_cancelled)
        return
    cancelled = await services.quiz.cancel(member_id)
    if cancelled is not None and cancelled.message_id:  # 0: the question is being sent
        await _edit_markup(context, cancelled.chat_id, cancelled.message_id, None)
    texts = services.texts
    await update.effective_message.reply_text(
        texts.cancelled if cancelled else texts.nothing_to_cancel
    )


async def quiz_callback(update: Update, context: BotContext, tap: Tap) -> None:
    """A tap on a quiz keyboard: record it if it is valid, then show the result."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    texts = services.texts
    replay = possibly_handled_before.get()
    meant = _meant_tick(query, texts.unticked) if replay else None
    if meant is not None and tap.action is TapAction.TOGGLE:
        ticks = await services.quiz.tick(query.from_user.id, tap, meant)
        if ticks is not None:
            keyboard = question_keyboard(texts, ticks.session, ticks.question)
            await asyncio.gather(
                _acknowledge_again(query), _edit_tapped_markup(context, query, keyboard)
            )
            return
    outcome = await services.quiz.tap(query.from_user.id, tap)
    if isinstance(outcome, Ignored) and replay:
        again = await services.quiz.answered_again(query.from_user.id, tap)
        if again is not None:
            await _show_result(query, context, again, repeated=True)
            return
    if isinstance(outcome, Ignored):
        await query.answer(_ignored_text(context, outcome.reason))
    elif isinstance(outcome, Toggled):
        keyboard = question_keyboard(texts, outcome.session, outcome.question)
        await asyncio.gather(query.answer(), _edit_tapped_markup(context, query, keyboard))
    elif isinstance(outcome, Outdated):
        await asyncio.gather(query.answer(), _edit_tapped_markup(context, query, None))
        if query.message is not None:
            await context.bot.send_message(query.message.chat.id, texts.outdated)
    else:
        await _show_result(query, context, outcome)


async def _show_result(
    query: CallbackQuery, context: BotContext, outcome: Answered, *, repeated: bool = False
) -> None:
    """The verdict in place of the question (and, with ``quiz.auto_advance``, what comes
    next). ``repeated``: the tap was handled before, whose acknowledgement may have gone out
    already (Telegram refuses a second one; that is no error)."""
    services = context.services
    texts = services.texts
    session = outcome.session
    auto_advance = services.settings.quiz.auto_advance
    text = result_text(
        texts,
        session.position - 1,
        session.total,
        outcome.question,
        outcome.order,
        outcome.verdict,
    )
    keyboard = result_keyboard(
        texts,
        session.id,
        session.position,
        finished=not session.active,
        auto_advance=auto_advance,
    )
    acknowledge = _acknowledge_again(query) if repeated else query.answer()
    if not auto_advance:
        # The verdict and the explanation stay in view until the member taps 下一题.
        await asyncio.gather(acknowledge, _edit_text(query, text, keyboard))
        return
    # The answer is committed; the result, the acknowledgement and what comes next go out
    # together, so a member waits one round trip to Telegram, not three.
    follow_up = (
        _send_question(context, session)
        if outcome.next_question is not None
        else _send_summary(context, session)
    )
    await asyncio.gather(acknowledge, _edit_text(query, text, keyboard), follow_up)


def _meant_tick(query: CallbackQuery, unticked: str) -> bool | None:
    """Whether the member meant to tick (the button showed ☐ when tapped) or to untick, read
    from the keyboard the tap came from; None when the tap does not show it."""
    message = query.message
    markup = getattr(message, "reply_markup", None)
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == query.data:
                return str(button.text).startswith(unticked)
    return None


async def _acknowledge_again(query: CallbackQuery) -> None:
    try:
        await query.answer()
    except BadRequest:
        log.info("callback %s was acknowledged before", query.id)


async def next_callback(update: Update, context: BotContext, tap: NextTap) -> None:
    """下一题 (or 查看得分) under a result: the next question or the summary, once."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    step = await services.quiz.advance(query.from_user.id, tap.session_id, tap.position)
    if isinstance(step, Ignored) and possibly_handled_before.get():
        again = await services.quiz.shown_again(query.from_user.id, tap.session_id, tap.position)
        if again is not None:
            remaining = correction_keyboard(services.texts, tap.session_id, tap.position - 1)
            await asyncio.gather(
                _acknowledge_again(query),
                _edit_tapped_markup(context, query, remaining),
                _send_question(context, again.session),
            )
            return
    if isinstance(step, Ignored):
        await query.answer(_ignored_text(context, step.reason))
        return
    # 下一题 has done its work; 纠错 stays under the result.
    remaining = correction_keyboard(services.texts, tap.session_id, tap.position - 1)
    if isinstance(step, Outdated):
        await asyncio.gather(query.answer(), _edit_tapped_markup(context, query, remaining))
        if query.message is not None:
            await context.bot.send_message(query.message.chat.id, services.texts.outdated)
        return
    follow_up = (
        _send_question(context, step.session)
        if isinstance(step, Started)
        else _send_summary(context, step.session)
    )
    await asyncio.gather(query.answer(), _edit_tapped_markup(context, query, remaining), follow_up)


async def _send_summary(context: BotContext, session: QuizSession) -> None:
    services = context.services
    summary = await services.quiz.summary(session)
    await context.bot.send_message(session.chat_id, summary_text(services.texts, summary))


async def repeat_question(update: Update, context: BotContext) -> bool:
    """Text typed while a quiz is running: say that answers are taps, and show the question
    again at the bottom of the chat (its old buttons removed). False when no quiz runs."""
    member_id = await register(update, context)
    if member_id is None or update.effective_message is None:
        return False
    services = context.services
    session = await services.quiz.in_progress(member_id)
    if session is None or session.current_question_id not in services.quiz.bank.by_id:
        return False
    await update.effective_message.reply_text(
        services.texts.quiz_use_buttons.format(number=session.position + 1, total=session.total)
    )
    if session.message_id is not None:
        await _edit_markup(context, session.chat_id, session.message_id, None)
    await _send_question(context, session)
    return True


async def _send_question(context: BotContext, session: QuizSession) -> None:
    """Show the next question. The answer before it is already recorded, so a timeout here
    would leave the member looking at nothing until /quiz: it is sent once more (at worst
    the member sees it twice; a tap on either counts once)."""
    services = context.services
    question = services.quiz.bank.by_id[session.current_question_id]
    text = question_text(services.texts, session, question)
    keyboard = question_keyboard(services.texts, session, question)
    try:
        message = await context.bot.send_message(session.chat_id, text, reply_markup=keyboard)
    except TimedOut:
        log.warning("quiz %d: the next question timed out; sending it again", session.id)
        message = await context.bot.send_message(session.chat_id, text, reply_markup=keyboard)
    await services.quiz.question_shown(session, message.message_id)


def _ignored_text(context: BotContext, reason: IgnoredReason) -> str:
    texts = context.services.texts
    return {
        IgnoredReason.STALE: texts.tap_stale,
        IgnoredReason.NOT_YOURS: texts.tap_not_yours,
        IgnoredReason.NOTHING_SELECTED: texts.tap_nothing_selected,
        IgnoredReason.INVALID: texts.tap_invalid,
    }[reason]


async def _edit_text(
    query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:
        if not not_modified(error):
            raise


async def _edit_markup(
    context: BotContext, chat_id: int, message_id: int, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Replace a keyboard; a message the member has since deleted needs no keyboard."""
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=keyboard)
    except BadRequest as error:
        if not not_modified(error) and "message to edit not found" not in error.message.lower():
            raise


async def _edit_tapped_markup(
    context: BotContext, query: CallbackQuery, keyboard: InlineKeyboardMarkup | None
) -> None:
    if query.message is not None:
        await _edit_markup(context, query.message.chat.id, query.message.message_id, keyboard)
