"""Benchmark: would the callback acknowledgement pay for riding on the webhook's HTTP answer?

Telegram lets a bot answer a webhook request with one Bot API method call in the response
body, which saves that call's request. For a quiz tap the candidate is
``answerCallbackQuery``. What it could save is the bot's CPU for one such call per tap; this
measures that CPU (python-telegram-bot building the request, the transport, parsing the
reply) by answering N real callback queries through the emulator from this process, and
prints it beside the bot's CPU per answer measured by ``bench/answers.py`` (given with
``--cpu-per-answer`` and ``--acks-per-answer``), i.e. the share of an answer's CPU the
riding acknowledgement could save at most.

    python bench/webhook_ack.py --json --cpu-per-answer 0.0059 --acks-per-answer 2.5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.answers import TOKEN, free_port, spawn, wait_ready  # noqa: E402
from bot.config import Http  # noqa: E402
from bot.transport import telegram_request  # noqa: E402


async def measure(args: argparse.Namespace, scratch: Path) -> dict[str, object]:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.ext import ExtBot

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    emulator = spawn(["-m", "bot.sandbox.emulator", "--port", str(port)], scratch / "emu.log")
    try:
        async with aiohttp.ClientSession() as http:
            await wait_ready(http, f"{url}/_emulator/bot")

            async def control(path: str, body: dict[str, object]) -> dict[str, object]:
                async with http.post(f"{url}/_emulator{path}", json=body) as response:
                    return dict(await response.json())

            user = await control("/users", {"first_name": "党员", "started": True})
            user_id = user["user"]["id"]  # type: ignore[index]
            figures: dict[str, object] = {"calls": args.calls}
            for transport in ("aiohttp", "httpx"):
                bot = ExtBot(
                    TOKEN,
                    base_url=f"{url}/bot",
                    request=telegram_request(Http(transport), pool_size=16, pool_timeout=None),
                )
                await bot.initialize()
                button = InlineKeyboardButton("好", callback_data="x")
                message = await bot.send_message(
                    user_id, "按钮", reply_markup=InlineKeyboardMarkup([[button]])
                )
                ids = []
                for _ in range(args.calls):
                    tapped = await control(
                        "/callbacks",
                        {
                            "user_id": user_id,
                            "chat_id": user_id,
                            "message_id": message.message_id,
                            "callback_data": "x",
                        },
                    )
                    ids.append(str(tapped["callback_query_id"]))
                slots = asyncio.Semaphore(64)

                async def ack(
                    query_id: str, bot: ExtBot[None] = bot, slots: asyncio.Semaphore = slots
                ) -> None:
                    async with slots:
                        await bot.answer_callback_query(query_id)

                cpu, wall = time.process_time(), time.perf_counter()
                await asyncio.gather(*(ack(query_id) for query_id in ids))
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                await bot.shutdown()
                per_call = cpu / args.calls
                figures[transport] = {
                    "cpu_s_per_ack": round(per_call, 6),
                    "acks_per_s": round(args.calls / wall, 1),
                }
                if args.cpu_per_answer:
                    figures[transport]["share_of_answer_cpu_saved_at_most"] = round(  # type: ignore[index]
                        per_call * args.acks_per_answer / args.cpu_per_answer, 3
                    )
            return figures
    finally:
        emulator.terminate()
        emulator.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--cpu-per-answer", type=float, default=0.0)
    parser.add_argument("--acks-per-answer", type=float, default=1.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        figures = asyncio.run(measure(args, Path(scratch)))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
