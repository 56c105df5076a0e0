"""The typed callback context: ``context.services`` instead of ``bot_data["..."]`` look-ups."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot
from telegram.request import BaseRequest

from bot.org.access import Actor
from bot.services import Services


class BotData:
    """Application-wide data; holds the services once ``post_init`` has built them."""

    def __init__(self) -> None:
        self.services: Services | None = None
        self.requests: tuple[BaseRequest, ...] = ()
        """The Bot's connection pools, for ``running`` to close if starting fails."""


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """Set for each update by the command registry: ``actor`` is who is asking, with their
    roles, checked before the command runs."""

    _actor: Actor | None = None

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            raise RuntimeError("the command registry sets the actor before a command runs")
        return self._actor

    @actor.setter
    def actor(self, actor: Actor) -> None:
        self._actor = actor

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are built in post_init; no update is handled before")
        return services


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any
]
