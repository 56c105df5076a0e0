"""Message text formatting: Telegram's HTML parse mode, automatic entities, UTF-16 offsets.

``parse_html`` follows TDLib's ``parse_html`` (the code behind the Bot API) step by step: it
walks the UTF-8 bytes, so error messages carry the same byte offsets Telegram reports, and it
counts entity offsets/lengths in UTF-16 code units. ``find_auto_entities`` adds the entities
Telegram detects by itself in any text (``bot_command``, ``mention``, ``hashtag``, ``url``), and
``finish_text`` trims surrounding whitespace and orders entities the way the server returns them.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

JsonDict = dict[str, Any]

_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
        "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
# TDLib's get_type_priority: equal offset and length are ordered by this.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_SPACES = b" \t\r\n\f\v"
_LINK_SCHEMES = frozenset({"http", "https", "tg", "ton", "ftp"})


def _is_alnum(byte: int) -> bool:
    return chr(byte).isascii() and chr(byte).isalnum()


class HtmlParseError(ValueError):
    """Malformed markup; the message is what Telegram puts after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _decode_entity(data: bytes, pos: int) -> tuple[int, int]:
    """Decode ``&...;`` at ``pos``; returns (code point, next position) or (0, pos)."""
    size = len(data)
    end = pos + 1
    value = 0
    if end < size and data[end] == ord("#"):
        end += 1
        if end < size and data[end] == ord("x"):
            end += 1
            while end < size and chr(data[end]) in "0123456789abcdefABCDEF":
                value = value * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while end < size and 48 <= data[end] <= 57:
                value = value * 10 + data[end] - 48
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while end < size and chr(data[end]).isascii() and chr(data[end]).isalpha():
            end += 1
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(
            data[pos + 1 : end].decode("ascii")
        )
        if named is None:
            return 0, pos
        value = ord(named)
    if end < size and data[end] == ord(";"):
        end += 1
    return value, end


def check_url(url: str) -> str | None:
    """Normalise a link target like Telegram does, or ``None`` if it is not a valid URL."""
    if not url or any(ch.isspace() for ch in url):
        return None
    if "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _LINK_SCHEMES or not parts.netloc:
        return None
    if parts.scheme.lower() in ("http", "https") and "." not in parts.netloc:
        return None
    if not parts.path and parts.scheme.lower() in ("http", "https"):
        url = parts._replace(path="/").geturl()
    return url


class _HtmlParser:
    """One run of TDLib's HTML parser over UTF-8 bytes."""

    def __init__(self, markup: str):
        self.data = markup.encode("utf-8", "surrogatepass")
        self.result = bytearray()
        self.entities: list[JsonDict] = []
        self.utf16 = 0
        self.recheck = False

    def at(self, i: int) -> int:
        return self.data[i] if i < len(self.data) else 0

    def is_space(self, i: int) -> bool:
        return i < len(self.data) and self.data[i] in _SPACES

    def append_code_point(self, value: int) -> None:
        self.result += chr(value).encode("utf-8", "surrogatepass")
        self.utf16 += 2 if value > 0xFFFF else 1
        if 0xD800 <= value <= 0xDFFF:
            self.recheck = True

    def parse(self) -> tuple[str, list[JsonDict]]:
        data = self.data
        size = len(data)
        stack: list[tuple[str, str, int, int]] = []  # tag, argument, utf16 offset, byte pos
        i = 0
        while i < size:
            c = data[i]
            if c == ord("&"):
                value, end = _decode_entity(data, i)
                if value:
                    self.append_code_point(value)
                    i = end
                    continue
            if c != ord("<"):
                if c & 0xC0 != 0x80:
                    self.utf16 += 2 if c >= 0xF0 else 1
                self.result.append(c)
                i += 1
                continue
            begin = i
            i += 1
            if self.at(i) != ord("/"):
                i = self.start_tag(begin, i, stack)
            else:
                i = self.end_tag(begin, i, stack)
        if stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"'
            )
        try:
            text = self.result.decode("utf-8")
        except UnicodeDecodeError:
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, check "
                "for unmatched surrogate code units"
            ) from None
        if self.recheck and any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, check "
                "for unmatched surrogate code units"
            )
        for entity in self.entities:
            if entity["type"] == "_code_with_language":
                entity["type"] = "code"
                del entity["language"]
        return text, sort_entities(self.entities)

    def start_tag(self, begin: int, i: int, stack: list[tuple[str, str, int, int]]) -> int:
        data = self.data
        while i < len(data) and not self.is_space(i) and data[i] != ord(">"):
            i += 1
        if i >= len(data):
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        tag = data[begin + 1 : i].decode("utf-8", "replace").lower()
        if tag not in _TAGS:
            raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
        argument = ""
        while self.at(i) != ord(">"):
            while self.is_space(i):
                i += 1
            if self.at(i) == ord(">"):
                break
            if i >= len(data):
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            name_begin = i
            while i < len(data) and not self.is_space(i) and data[i] not in b"=>":
                i += 1
            name = data[name_begin:i].decode("utf-8", "replace")
            if not name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                )
            while self.is_space(i):
                i += 1
            if self.at(i) != ord("="):
                if i >= len(data):
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if tag == "blockquote" and name == "expandable":
                    argument = "expandable"
                continue
            i += 1
            while self.is_space(i):
                i += 1
            if i >= len(data):
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            value, i = self.attribute_value(i)
            if i >= len(data):
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            if tag == "a" and name == "href":
                argument = value
            elif tag == "code" and name == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and name == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and name == "emoji-id":
                argument = value
            elif tag == "blockquote" and name == "expandable":
                argument = "expandable"
        if tag == "span" and argument != "spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        stack.append((tag, argument, self.utf16, len(self.result)))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        data = self.data
        if data[i] not in b"'\"":
            token_begin = i
            while i < len(data) and (_is_alnum(data[i]) or data[i] in b".-"):
                i += 1
            if i < len(data) and not self.is_space(i) and data[i] != ord(">"):
                raise HtmlParseError(f"Unexpected end of name token at byte offset {token_begin}")
            return data[token_begin:i].decode("ascii").lower(), i
        quote = data[i]
        i += 1
        value = bytearray()
        while i < len(data) and data[i] != quote:
            if data[i] == ord("&"):
                code_point, end = _decode_entity(data, i)
                if code_point:
                    value += chr(code_point).encode("utf-8", "surrogatepass")
                    i = end
                    continue
            value.append(data[i])
            i += 1
        if i < len(data):
            i += 1
        return value.decode("utf-8", "replace"), i

    def end_tag(self, begin: int, i: int, stack: list[tuple[str, str, int, int]]) -> int:
        data = self.data
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        while i < len(data) and not self.is_space(i) and data[i] != ord(">"):
            i += 1
        end_name = data[begin + 2 : i].decode("utf-8", "replace").lower()
        while self.is_space(i):
            i += 1
        if self.at(i) != ord(">"):
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        tag, argument, offset, byte_pos = stack[-1]
        if end_name and end_name != tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", '
                f'found "</{end_name}>"'
            )
        if self.utf16 > offset:
            self.add_entity(tag, argument, offset, self.utf16 - offset, byte_pos)
        stack.pop()
        return i + 1

    def add_entity(self, tag: str, argument: str, offset: int, length: int, pos: int) -> None:
        entity: JsonDict = {"offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
        if tag in _SIMPLE or tag == "span":
            entity["type"] = _SIMPLE.get(tag, "spoiler")
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if argument else "blockquote"
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise HtmlParseError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=argument)
        elif tag == "a":
            url = check_url(argument or self.result[pos:].decode("utf-8", "replace"))
            if url is None:
                return
            entity.update(type="text_link", url=url)
        elif tag == "pre":
            if last is not None and same_span and last["type"] == "_code_with_language":
                last.update(type="pre")
                return
            entity["type"] = "pre"
        else:  # code
            if last is not None and same_span and last["type"] == "pre" and argument:
                last["language"] = argument
                return
            entity["type"] = "_code_with_language" if argument else "code"
            if argument:
                entity["language"] = argument
        self.entities.append(entity)


def parse_html(markup: str) -> tuple[str, list[JsonDict]]:
    """Turn Telegram HTML into plain text and entities; raises :class:`HtmlParseError`."""
    return _HtmlParser(markup).parse()


_AUTO_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?!\w)")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
    ("url", re.compile(r"(?<![\w@])https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’”]")),
)
_BLOCKS_AUTO = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})


def _utf16_offsets(text: str) -> list[int]:
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return offsets


def find_auto_entities(text: str, explicit: list[JsonDict]) -> list[JsonDict]:
    """Entities Telegram detects by itself, except inside code, pre and links."""
    offsets = _utf16_offsets(text)
    blocked = [
        (e["offset"], e["offset"] + e["length"]) for e in explicit if e["type"] in _BLOCKS_AUTO
    ]
    found: list[JsonDict] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = offsets[match.start()], offsets[match.end()]
            spans = blocked + taken
            if any(start < b_end and b_start < end for b_start, b_end in spans):
                continue
            taken.append((start, end))
            found.append({"type": kind, "offset": start, "length": end - start})
    return found


def sort_entities(entities: list[JsonDict]) -> list[JsonDict]:
    """Telegram's order: by offset, longer first, then by type priority."""
    return sorted(
        entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50))
    )


def finish_text(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Trim surrounding whitespace, clip entities to the kept text, add automatic entities."""
    stripped = text.strip(" \t\r\n")
    if not stripped:
        return "", []
    shift = utf16_len(text[: len(text) - len(text.lstrip(" \t\r\n"))])
    limit = utf16_len(stripped)
    kept: list[JsonDict] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, sort_entities(kept + find_auto_entities(stripped, kept))
