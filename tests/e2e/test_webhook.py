"""Webhook mode: the bot registers its URL with the Bot API and answers updates posted to it,
checking Telegram's secret token header; without a secret or an https address it does not
start at all (finding 1: a forged "/promote … admin" posted to an open webhook was obeyed)."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from bot.config import Mode, WebhookSettings
from bot.yamlfile import InvalidFileError
from tests.e2e.conftest import ADMIN, Harness, person

SECRET = "s3cret-token_value"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def webhook_mode(harness: Harness, port: int, public_url: str = "https://bot.example.org") -> None:
    telegram = harness.settings.telegram
    hook = telegram.webhook.model_copy(update={"port": port, "public_url": public_url})
    harness.settings = harness.settings.model_copy(
        update={"telegram": telegram.model_copy(update={"mode": Mode.WEBHOOK, "webhook": hook})}
    )


def test_the_webhook_listens_on_localhost_unless_told_otherwise() -> None:
    assert WebhookSettings().listen == "127.0.0.1"


async def test_forged_updates_without_the_secret_are_refused(
    org_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness = org_harness
    port = free_port()
    webhook_mode(harness, port)
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", SECRET)
    async with harness.bot():
        info = await harness.client.get_bot()
        # Telegram posts to the public HTTPS address; a proxy forwards to the local port.
        assert info["webhook"]["url"] == "https://bot.example.org/telegram"
        admin = await person(harness, "管理员", ADMIN)
        stranger = await harness.client.create_user("王五")
        # A forged update "from the admin" promoting the stranger to admin.
        forged = await harness.client.send_text(admin.id, f"/promote {stranger['id']} admin")
        url = f"http://127.0.0.1:{port}/telegram"
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                update = {"update_id": 1, "message": forged}
                async with http.post(url, json=update, headers=headers) as refused:
                    assert refused.status == 403
            async with http.post(
                url, data=b"not json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            ) as garbage:
                assert garbage.status == 400
            sent = await harness.client.send_text(stranger["id"], "/start")
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with http.post(
                url, json={"update_id": 2, "message": sent}, headers=headers
            ) as accepted:
                assert accepted.status == 200
        reply = await harness.client.wait_for_message(stranger["id"])
        assert "王五同志" in reply["text"]
        # Nothing the forged updates asked for happened.
        assert harness.rows("SELECT * FROM role_grants") == []
        sent_to_admin = await harness.client.get_messages(admin.id)
        assert [m for m in sent_to_admin if m["from"]["is_bot"]] == []


@pytest.mark.parametrize(
    ("secret", "public_url", "expected"),
    [
        (None, "https://bot.example.org", "secret token is required"),
        ("bad secret!", "https://bot.example.org", "A-Z a-z 0-9"),
        (SECRET, "http://bot.example.org", "https:// address is required"),
        (SECRET, None, "https:// address is required"),
    ],
)
async def test_webhook_mode_does_not_start_unprotected(
    harness: Harness,
    monkeypatch: pytest.MonkeyPatch,
    secret: str | None,
    public_url: str | None,
    expected: str,
) -> None:
    port = free_port()
    webhook_mode(harness, port, public_url)  # type: ignore[arg-type]
    if secret is None:
        monkeypatch.delenv("BOT_WEBHOOK_SECRET", raising=False)
    else:
        monkeypatch.setenv("BOT_WEBHOOK_SECRET", secret)
    with pytest.raises(InvalidFileError, match=expected):
        async with harness.bot():
            pass
    with socket.socket() as sock:  # nothing was left listening
        assert sock.connect_ex(("127.0.0.1", port)) != 0
