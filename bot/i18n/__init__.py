"""Every word the bot says to people, in one catalogue per locale.

``Texts`` lists each message once; a locale is one instance of it (``zh_cn.py``, and
``zh_tw.py`` in Traditional characters). Another locale is one more instance: a missing
message is a TypeError at import, not a hole discovered in a chat.
"""

from __future__ import annotations

from bot.i18n.texts import Texts
from bot.i18n.zh_cn import TEXTS as ZH_CN
from bot.i18n.zh_tw import TEXTS as ZH_TW

LOCALES: dict[str, Texts] = {"zh-CN": ZH_CN, "zh-TW": ZH_TW}


def catalogue(locale: str) -> Texts:
    """The texts for ``locale`` (checked when the config is read)."""
    return LOCALES[locale]


__all__ = ["LOCALES", "ZH_CN", "ZH_TW", "Texts", "catalogue"]
