"""``python -m bot receive`` and ``python -m bot work``: one bot served by several processes
(docs/scaling.md). ``python -m bot run`` stays the single-process mode."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys

from bot.app import quiet_http_logs, redact_token_in_logs
from bot.cli.run import NO_TOKEN
from bot.config import load_settings, read_token
from bot.handlers.quiz_view import screen
from bot.quiz.bank import load_bank
from bot.scaling.logs import log_as
from bot.scaling.serve import serve_receiver, serve_worker


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    receive = commands.add_parser(
        "receive", help="the door of several processes: store updates for the workers"
    )
    _common(receive, "receiver")
    receive.set_defaults(handler=_receive)
    work = commands.add_parser("work", help="one of several workers handling stored updates")
    _common(work, "worker")
    work.add_argument(
        "--lease-seconds",
        type=float,
        default=6.0,
        help="length of the worker's leases: a killed worker's chats move on after this",
    )
    work.set_defaults(handler=_work)


def _common(parser: argparse.ArgumentParser, role: str) -> None:
    parser.add_argument(
        "--id",
        default=None,
        help=f"this {role}'s name in logs, leases and /health (default: host name and pid)",
    )
    parser.add_argument(
        "--health-port", type=int, default=None, help="serve GET /health on this port"
    )
    parser.add_argument("--health-host", default="0.0.0.0", help="address of /health")
    parser.add_argument("--base-url", help="a self-hosted Bot API server")


def _name(args: argparse.Namespace) -> str:
    return str(args.id) if args.id else f"{socket.gethostname()}-{os.getpid()}"


def _settings(args: argparse.Namespace, role: str):  # type: ignore[no-untyped-def]
    settings = load_settings(args.config)
    if args.base_url:
        telegram = settings.telegram.model_copy(update={"base_url": args.base_url})
        settings = settings.model_copy(update={"telegram": telegram})
    log_as(role, _name(args), settings.log_level)
    quiet_http_logs()
    return settings


def _receive(args: argparse.Namespace) -> int:
    settings = _settings(args, "receiver")
    token = read_token(settings)
    if token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    redact_token_in_logs(token)
    asyncio.run(
        serve_receiver(
            settings,
            token,
            name=_name(args),
            health_port=args.health_port,
            health_host=args.health_host,
        )
    )
    return 0


def _work(args: argparse.Namespace) -> int:
    settings = _settings(args, "worker")
    token = read_token(settings)
    if token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    redact_token_in_logs(token)
    loaded = load_bank(settings.question_bank, screen)
    asyncio.run(
        serve_worker(
            settings,
            loaded.bank,
            token,
            name=_name(args),
            health_port=args.health_port,
            health_host=args.health_host,
            ttl=args.lease_seconds,
        )
    )
    return 0
