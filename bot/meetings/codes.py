"""Reading the sign-in code a member types: forgiving, because many members are older and type
on a phone in a hurry, and strict in what it returns.

``parse_code`` accepts the code's digits with any spaces between them (ASCII or
full-width), full-width digits (１２３４), Chinese numerals (一二三四, 〇/零 for 0), and a
leading 签到 or 签到码 with an optional colon; it returns the code as ASCII digits, or
None for anything else. It never raises, whatever the input.
"""

from __future__ import annotations

import re
import unicodedata

CODE_DIGITS = 4
"""A code is this many digits: short to type, and guessing is rate-limited per member."""

_CHINESE = str.maketrans("〇零一二三四五六七八九", "00123456789")
_PREFIX = re.compile(r"^(?:签到码|签到|簽到碼|簽到)[:：]?")
_CODE = re.compile(rf"[0-9]{{{CODE_DIGITS}}}")


def parse_code(text: object) -> str | None:
    """The code in ``text`` as ``CODE_DIGITS`` ASCII digits, or None if it is not one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    # NFKC turns full-width digits, colons and spaces into their ASCII forms.
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    compact = _PREFIX.sub("", compact).translate(_CHINESE)
    return compact if _CODE.fullmatch(compact) and compact.isascii() else None


def format_code(code: str) -> str:
    """The code as shown at the meeting: digits spaced for reading aloud (1 2 3 4)."""
    return " ".join(code)
