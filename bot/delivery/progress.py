"""A batch's progress, shown to whoever started it: 已发送 x/y，失败 z while it runs (edited at
most once a second), then one final summary naming who could not be reached."""

from __future__ import annotations

import logging
import time

from telegram import Bot
from telegram.error import BadRequest

from bot.delivery.service import DeliveryService
from bot.i18n import Texts

log = logging.getLogger(__name__)

NAMES_SHOWN = 30


class ProgressReporter:
    """Keeps a batch's progress message current (at most once a second) and writes the final
    summary exactly once."""

    def __init__(self, bot: Bot, delivery: DeliveryService, texts: Texts) -> None:
        self._bot = bot
        self._delivery = delivery
        self._texts = texts
        self._last: dict[int, float] = {}

    async def changed(self, batch_id: int) -> None:
        batch = await self._delivery.batch(batch_id)
        if batch is None or batch.progress_chat_id is None or batch.progress_message_id is None:
            return
        progress = await self._delivery.progress(batch_id)
        texts = self._texts
        if progress.done:
            if not await self._delivery.finish(batch_id):
                return
            failed = await self._delivery.failed_members(batch_id)
            text = texts.broadcast_done.format(
                sent=progress.sent, total=progress.total, failed=len(failed)
            )
            if failed:
                names = "、".join(m.name for m in failed[:NAMES_SHOWN])
                more = (
                    texts.and_more.format(count=len(failed) - NAMES_SHOWN)
                    if len(failed) > NAMES_SHOWN
                    else ""
                )
                text += "\n" + texts.broadcast_failed_names.format(names=names + more)
            self._last.pop(batch_id, None)
        else:
            now = time.monotonic()
            if now - self._last.get(batch_id, 0.0) < 1.0:
                return
            self._last[batch_id] = now
            text = texts.broadcast_progress.format(
                sent=progress.sent, total=progress.total, failed=progress.failed + progress.skipped
            )
        try:
            await self._bot.edit_message_text(
                text, batch.progress_chat_id, batch.progress_message_id
            )
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                log.warning("batch %d: progress message not updated: %s", batch_id, error)
