"""What a question is, once loaded and checked: immutable, with answers as option indices."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    JUDGE = "judge"


JUDGE_OPTIONS = ("正确", "错误")
OPTION_LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class Question:
    """One question. ``answer`` holds indices into ``options``; judge questions get
    ``JUDGE_OPTIONS`` as their two options so that grading treats every type alike."""

    id: str
    type: QuestionType
    document: str
    chapter: str
    stem: str
    options: tuple[str, ...]
    answer: frozenset[int]
    explanation: str
    source: str
    difficulty: int
    quote: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bank:
    """Every question the bot can ask, in file order, with a fast look-up by id.

    ``version`` is a digest of the files, recorded with corrections so a report can be matched
    to the wording the member saw."""

    questions: tuple[Question, ...]
    version: str = ""
    by_id: Mapping[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({q.id: q for q in self.questions}))

    def __len__(self) -> int:
        return len(self.questions)


def article(question: Question) -> str:
    """Where in its document the question rests (第二十二条, 总纲, 序言): its ``source`` without
    the document's short name, which every bank file with a reference writes first."""
    return question.source.removeprefix(question.document).strip()


def document_order(question: Question, indices: Iterable[int]) -> list[int]:
    """``indices`` in the order the document gives them. A bank file's option order is the
    author's (dz-032-03 lists 监督、服务、管理、处罚、教育 for 教育、管理、监督和服务) and the
    loader keeps it; the quote is the document's own words, so options it contains come in
    the order they appear there, and the rest after them in the file's order."""
    quote = question.quote

    def place(index: int) -> tuple[int, int]:
        found = quote.find(question.options[index]) if quote else -1
        return (found if found >= 0 else len(quote), index)

    return sorted(indices, key=place)


def display_width(text: str) -> int:
    """Columns a phone needs for ``text``: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
