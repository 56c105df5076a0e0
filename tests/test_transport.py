"""The Bot API transports: aiohttp's errors keep python-telegram-bot's meaning, and the retry
wrapper retries exactly what is safe to retry, whatever transport it wraps."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.transport import AiohttpRequest, RetryingRequest


class ScriptedTransport(BaseRequest):
    """A transport that answers from a script: (status, payload) pairs or exceptions."""

    def __init__(self, script: list[tuple[int, bytes] | Exception]) -> None:
        self.script = script
        self.calls = 0

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, *args: object, **kwargs: object) -> tuple[int, bytes]:
        step = self.script[self.calls]
        self.calls += 1
        if isinstance(step, Exception):
            raise step
        return step


def flood(seconds: float) -> tuple[int, bytes]:
    body = {"ok": False, "error_code": 429, "parameters": {"retry_after": seconds}}
    return 429, json.dumps(body).encode()


OK = (200, b'{"ok":true,"result":true}')


async def send(request: BaseRequest) -> tuple[int, bytes]:
    return await request.do_request("http://x/bot1:A/sendMessage", "POST", RequestData())


@pytest.mark.parametrize(
    ("script", "calls"),
    [
        ([flood(0.01), OK], 2),
        ([(502, b"{}"), (500, b"{}"), OK], 3),
        ([NetworkError("refused"), OK], 2),
    ],
)
async def test_retries_what_telegram_did_not_act_on(
    script: list[tuple[int, bytes] | Exception], calls: int
) -> None:
    inner = ScriptedTransport(script)
    assert await send(RetryingRequest(inner, backoff=0.01)) == OK
    assert inner.calls == calls


async def test_a_timeout_is_not_retried_and_a_long_flood_wait_is_returned() -> None:
    inner = ScriptedTransport([TimedOut(), OK])
    with pytest.raises(TimedOut):
        await send(RetryingRequest(inner))
    assert inner.calls == 1
    inner = ScriptedTransport([flood(3600)])
    assert (await send(RetryingRequest(inner)))[0] == 429


@pytest.fixture
async def slow_server() -> AsyncIterator[str]:
    """A server whose answers take 0.5 s."""

    async def answer(request: web.Request) -> web.Response:
        await asyncio.sleep(0.5)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot1:A/sendMessage"
    finally:
        await runner.cleanup()


async def test_aiohttp_read_timeout_is_timed_out(slow_server: str) -> None:
    request = AiohttpRequest(read_timeout=0.1)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(slow_server, "POST", RequestData())
        assert (await request.do_request(slow_server, "POST", read_timeout=2))[0] == 200
    finally:
        await request.shutdown()


async def test_aiohttp_full_pool_is_timed_out_and_says_not_sent(slow_server: str) -> None:
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.05)
    await request.initialize()
    try:
        first = asyncio.create_task(request.do_request(slow_server, "POST"))
        await asyncio.sleep(0.1)
        with pytest.raises(TimedOut, match="not"):
            await request.do_request(slow_server, "POST")
        assert (await first)[0] == 200
    finally:
        await request.shutdown()


async def test_aiohttp_refused_connection_is_a_network_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        request = AiohttpRequest()
        await request.initialize()
        try:
            with pytest.raises(NetworkError) as caught:
                await request.do_request(f"http://127.0.0.1:{port}/bot1:A/getMe", "POST")
            assert not isinstance(caught.value, TimedOut)
        finally:
            await request.shutdown()


async def test_aiohttp_refuses_to_send_before_initialize() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/bot1:A/getMe", "POST")
