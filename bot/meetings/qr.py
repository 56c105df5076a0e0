"""The sign-in QR code as a PNG: the deep link the members' phones open, drawn by ``segno``
(pure Python, no image library needed). Error correction M survives a phone photographing a
projector; scale 10 keeps each module big enough to scan from a few metres."""

from __future__ import annotations

import io

import segno


def qr_png(link: str) -> bytes:
    """A PNG of the QR code of ``link``."""
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


def signin_link(bot_username: str, token: str, prefix: str) -> str:
    """``https://t.me/<bot>?start=<prefix><token>``: opens the private chat with the bot and
    sends ``/start <prefix><token>`` when the member taps Start."""
    return f"https://t.me/{bot_username}?start={prefix}{token}"
