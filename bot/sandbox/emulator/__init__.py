"""A local Telegram Bot API emulator and its control client.

The real python-telegram-bot ``Application``/``Bot`` talk to :class:`Emulator` over HTTP exactly
as to Telegram (``base_url=emu.base_url``); simulated users, inspection and fault injection go
through the ``/_emulator`` control API, most conveniently via :class:`EmulatorClient`.
See ``docs/emulator.md``.
"""

from .client import EmulatorClient, EmulatorError
from .server import DEFAULT_TOKEN, Emulator

__all__ = ["DEFAULT_TOKEN", "Emulator", "EmulatorClient", "EmulatorError"]
