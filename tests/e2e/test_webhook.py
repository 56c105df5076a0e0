"""Webhook mode: the bot registers its URL with the Bot API and answers updates posted to it,
checking Telegram's secret token header."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from bot.config import Mode
from tests.e2e.conftest import Harness

SECRET = "s3cret-token_value"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_updates_posted_to_the_webhook_are_answered(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    telegram = harness.settings.telegram
    hook = telegram.webhook.model_copy(
        update={"listen": "127.0.0.1", "port": port, "public_url": "https://bot.example.org"}
    )
    harness.settings = harness.settings.model_copy(
        update={"telegram": telegram.model_copy(update={"mode": Mode.WEBHOOK, "webhook": hook})}
    )
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", SECRET)
    async with harness.bot():
        info = await harness.client.get_bot()
        # Telegram posts to the public HTTPS address; a proxy forwards to the local port.
        assert info["webhook"]["url"] == "https://bot.example.org/telegram"
        user = await harness.client.create_user("王五")
        # Telegram would deliver this update to the webhook; the test posts it the same way.
        sent = await harness.client.send_text(user["id"], "/start")
        update = {"update_id": 1, "message": sent}
        url = f"http://127.0.0.1:{port}/telegram"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as refused:
                assert refused.status == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with http.post(url, json=update, headers=headers) as accepted:
                assert accepted.status == 200
        reply = await harness.client.wait_for_message(user["id"])
        assert "王五同志" in reply["text"]
