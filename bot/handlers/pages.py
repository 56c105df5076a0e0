"""Messages built from what users wrote never exceed Telegram's 4,096 characters.

A list of correction reports, an attendance sheet with leave reasons or a broadcast preview
grows with other people's input; past the limit Telegram refuses the whole message ("message
is too long") and whatever buttons it carried are lost with it. Every such message goes
through here: ``pages`` splits a list into pages (上一页/下一页 buttons from ``page_buttons``),
``fit`` shortens one text with a marker, ``fit_names`` shows as many names as fit and counts
the rest. Length is measured in UTF-16 code units, the stricter of the ways Telegram counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton

from bot.i18n import Texts

MESSAGE_LIMIT = 4096


def length(text: str) -> int:
    """Telegram's measure of a text: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int, marker: str) -> str:
    """``text`` if it fits in ``limit``, else as much of it as fits followed by ``marker``."""
    if length(text) <= limit:
        return text
    room = max(0, limit - length(marker))
    cut = text[:room]
    while length(cut) > room:  # surrogate pairs: drop characters until it fits
        cut = cut[:-1]
    return cut + marker


def fit_names(names: Sequence[str], limit: int, texts: Texts, separator: str = "、") -> str:
    """The names joined by ``separator``, as many as fit in ``limit``, then "等，另有 N 人"."""
    shown: list[str] = []
    used = 0
    for index, name in enumerate(names):
        rest = len(names) - index - 1
        more = length(texts.and_more.format(count=rest)) if rest else 0
        cost = length(name) + (length(separator) if shown else 0)
        if used + cost + more > limit:
            return separator.join(shown) + texts.and_more.format(count=len(names) - index)
        shown.append(name)
        used += cost
    return separator.join(shown)


def pages(
    header: str, items: Sequence[str], texts: Texts, limit: int = MESSAGE_LIMIT
) -> list[list[int]]:
    """Split ``items`` into pages: each page is the indexes of the items it shows, and
    ``page_text`` of any page fits in ``limit``. An item too long for a page of its own is
    shortened by ``page_text``. Always at least one page."""
    room = limit - length(header) - length(page_marker(texts, 999, 999)) - 4
    result: list[list[int]] = [[]]
    used = 0
    for index, item in enumerate(items):
        cost = min(length(item), room) + 2
        if result[-1] and used + cost > room:
            result.append([])
            used = 0
        result[-1].append(index)
        used += cost
    return result


def page_text(
    header: str,
    items: Sequence[str],
    page: Sequence[int],
    number: int,
    count: int,
    texts: Texts,
    limit: int = MESSAGE_LIMIT,
) -> str:
    """Page ``number`` (0-based) of ``count``: the header, the page's items, and 第 n/m 页."""
    room = limit - length(header) - length(page_marker(texts, 999, 999)) - 4
    body = "\n\n".join(fit(items[i], room, texts.truncated) for i in page)
    marker = f"\n\n{page_marker(texts, number + 1, count)}" if count > 1 else ""
    return fit(f"{header}\n\n{body}{marker}", limit, texts.truncated)


def page_marker(texts: Texts, number: int, count: int) -> str:
    return texts.page_of.format(page=number, pages=count)


def page_buttons(texts: Texts, prefix: str, number: int, count: int) -> list[InlineKeyboardButton]:
    """上一页/下一页 for page ``number`` of ``count``; callback data ``<prefix>:<page>``."""
    row = []
    if number > 0:
        row.append(
            InlineKeyboardButton(texts.page_previous, callback_data=f"{prefix}:{number - 1}")
        )
    if number + 1 < count:
        row.append(InlineKeyboardButton(texts.page_next, callback_data=f"{prefix}:{number + 1}"))
    return row
