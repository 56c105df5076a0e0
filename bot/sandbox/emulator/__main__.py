"""``python -m bot.sandbox.emulator``: run the emulator standalone until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .limits import FloodControl
from .server import DEFAULT_TOKEN, Emulator


async def _serve(args: argparse.Namespace) -> None:
    emulator = Emulator(
        token=args.token,
        username=args.username,
        first_name=args.first_name,
        latency_ms=args.latency_ms,
        privacy_mode=not args.no_privacy,
        flood_control=FloodControl() if args.limits else None,
    )
    await emulator.start(args.host, args.port)
    print(f"Telegram Bot API emulator at {emulator.url}", flush=True)
    print(f"  base_url={emulator.base_url}  token={emulator.token}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--username", default="branch_study_bot")
    parser.add_argument("--first-name", default="支部学习助手")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--no-privacy", action="store_true", help="bot sees all group messages")
    parser.add_argument(
        "--limits", action="store_true", help="enforce Telegram's flood limits (answer 429)"
    )
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
