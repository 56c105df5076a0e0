"""Names in 拼音 order, as a Chinese roster is sorted: by the reading of each character, the
surname read as a surname.

Code-point order puts 张 before 李 and 曾 far from 郑; pypinyin gives each character's common
reading, which for a handful of surnames is not the surname's reading (曾 is zēng, not céng;
单 shàn, not dān; 解 xiè, not jiě), so those come from a table. The sort key is the tone-
numbered syllables (``zeng1 guo2 fan1``), which orders by letters first, tone second, as
dictionaries and rosters do.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

SURNAMES = {
    "万俟": ("mo4", "qi2"),
    "尉迟": ("yu4", "chi2"),
    "单于": ("chan2", "yu2"),
    "长孙": ("zhang3", "sun1"),
    "曾": ("zeng1",),
    "单": ("shan4",),
    "解": ("xie4",),
    "仇": ("qiu2",),
    "区": ("ou1",),
    "查": ("zha1",),
    "朴": ("piao2",),
    "盖": ("ge3",),
    "乐": ("yue4",),
    "缪": ("miao4",),
    "覃": ("qin2",),
    "翟": ("zhai2",),
    "种": ("chong2",),
    "召": ("shao4",),
    "秘": ("bi4",),
    "员": ("yun4",),
    "繁": ("po2",),
    "黑": ("he4",),
    "谌": ("chen2",),
    "任": ("ren2",),
    "沈": ("shen3",),
    "葛": ("ge3",),
    "句": ("gou1",),
    "过": ("guo1",),
    "华": ("hua4",),
    "折": ("she2",),
    "隗": ("wei3",),
    "能": ("nai4",),
    "相": ("xiang4",),
    "行": ("xing2",),
    "宿": ("su4",),
    "洗": ("xian3",),
    "纪": ("ji3",),
    "燕": ("yan1",),
    "那": ("na1",),
    "蕃": ("pi2",),
    "阚": ("kan4",),
    "郇": ("huan2",),
    "眭": ("sui1",),
    "曲": ("qu1",),
    "重": ("chong2",),
    "应": ("ying1",),
    "薄": ("bo2",),
    "柏": ("bai3",),
    "尉": ("wei4",),
    "冼": ("xian3",),
}
"""Surnames whose reading is not the character's most common one (and compound surnames)."""


class PinyinOrder:
    """Sort keys for names. Holds the readings it has looked up, so a ledger of a whole city
    (180,000 names from a few thousand characters) asks pypinyin once per character."""

    def __init__(self) -> None:
        self._readings: dict[str, str] = {}

    def _reading(self, char: str) -> str:
        reading = self._readings.get(char)
        if reading is None:
            (reading,) = lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True)
            reading = reading.lower()
            self._readings[char] = reading
        return reading

    def key(self, name: str) -> tuple[str, ...]:
        """``曾国藩`` → ``("zeng1", "guo2", "fan1")``; letters that are not Chinese are kept,
        in lower case, so a name in Latin letters sorts among the syllables."""
        name = name.strip()
        for length in (2, 1):
            surname = SURNAMES.get(name[:length])
            if surname is not None and len(name) > length:
                return surname + tuple(self._reading(c) for c in name[length:])
        return tuple(self._reading(c) for c in name)

    def spelled(self, name: str) -> str:
        """The key as text, for a sheet's hidden sort column: ``zeng1 guo2 fan1``."""
        return " ".join(self.key(name))
