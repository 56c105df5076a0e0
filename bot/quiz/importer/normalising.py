"""Normalising what people actually type in a 题库 into the bank's fields.

Answers come as ``B``, ``B.``, ``（B）``, ``B、``, ``答案：B``, ``a,c,d`` or ``ＡＣ``; judge
answers as 对/错, √/×, 正确/错误, T/F, 是/否…; types and difficulties as words; 出处 with or
without the document's name. Everything the bank's own rules decide (answer letters among the
options, option width, quotes in the reference) is left to the loader's checks, which the
importer calls on each draft; only what those checks cannot see is judged here: words that mean
nothing, gaps among the options, and copies — the same question twice, or nearly the same
(stems or options that differ only in spaces and punctuation, "一 年" / "一年").

Every problem is reported at the later copy, and every row is read to the end, so that one
run lists all problems of all rows.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.quiz import bank_texts as say
from bot.quiz.importer.reading import ImportProblem, Record, Spot
from bot.quiz.questions import JUDGE_OPTIONS, OPTION_LETTERS, QuestionType
from bot.quiz.reference import Line, Reference

DEFAULT_DIFFICULTY = 2
DEFAULT_CHAPTER = "综合"
"""The chapter of questions from a sheet without 章节 and a run without ``--chapter``."""

TYPE_WORDS: dict[str, QuestionType] = {
    **dict.fromkeys(("单选", "单选题", "单项选择", "单项选择题", "single"), QuestionType.SINGLE),
    **dict.fromkeys(
        ("多选", "多选题", "多项选择", "多项选择题", "不定项选择题", "multiple"),
        QuestionType.MULTIPLE,
    ),
    **dict.fromkeys(("判断", "判断题", "是非题", "对错题", "judge"), QuestionType.JUDGE),
}
TRUE_WORDS = frozenset(
    {"正确", "对", "对的", "√", "✓", "✔", "☑", "是", "正", "true", "t", "y", "yes", "v"}
)
FALSE_WORDS = frozenset(
    {"错误", "错", "错的", "×", "✗", "✘", "☒", "否", "非", "false", "f", "n", "no", "x"}
)
DIFFICULTY_WORDS = {
    **dict.fromkeys(("1", "易", "容易", "简单", "低"), 1),
    **dict.fromkeys(("2", "中", "中等", "一般", "适中"), 2),
    **dict.fromkeys(("3", "难", "困难", "较难", "高"), 3),
}

_OPTION_PREFIX = re.compile(r"^\s*([A-HＡ-Ｈ])\s*[.、．)）:：]\s*")
_ANSWER_LABEL = re.compile(r"^(?:正确答案|参考答案|标准答案|答案|answer)\s*[:：]?\s*", re.I)
_ANSWER_MARKS = re.compile(r"[\s,，、;；/|.。．:：()（）\[\]【】{}<>]+")
_SPLIT_TAGS = re.compile(r"[,，、;；\s]+")


@dataclass(frozen=True)
class Defaults:
    """What a sheet may leave out, from the command line or the reference."""

    document: str
    title: str
    chapter: str = DEFAULT_CHAPTER
    reference: Reference | None = None


@dataclass
class Draft:
    """One question as it will be written, with the spot of every field for messages."""

    record: Record
    data: dict[str, Any]
    option_spots: list[Spot]
    flagged: set[str] = field(default_factory=set)
    """Fields already reported here: the loader's findings on them would say it again."""

    def spot(self, key: str, index: int | None = None) -> Spot:
        if key == "options" and self.option_spots:
            inside = index is not None and index < len(self.option_spots)
            return self.option_spots[index if inside and index is not None else 0]
        return self.record.spot_of(key)


@dataclass
class Normalised:
    drafts: list[Draft]
    problems: list[ImportProblem]
    defaulted_difficulty: int = 0
    defaulted_chapter: int = 0
    similar_kept: int = 0


def fold(text: str) -> str:
    """Text compared loosely for ids: full-width folded, case and spaces ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def loose(text: str) -> str:
    """Text compared for near-copies: as ``fold``, and punctuation ignored too."""
    return "".join(ch for ch in fold(text) if not unicodedata.category(ch).startswith("P"))


def type_word(text: str) -> QuestionType | None:
    return TYPE_WORDS.get(fold(text))


def _bare_answer(text: str) -> str:
    """The answer without a label (``答案：``) and the brackets and dots around it."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return _ANSWER_LABEL.sub("", folded).strip()


def judge_word(text: str) -> str | None:
    """正确 or 错误 for any common way of writing them, else None."""
    word = _ANSWER_MARKS.sub("", _bare_answer(text)).casefold().rstrip("!！")
    if word in TRUE_WORDS:
        return JUDGE_OPTIONS[0]
    if word in FALSE_WORDS:
        return JUDGE_OPTIONS[1]
    return None


def answer_letters(text: str) -> str | None:
    """``B.``, ``（B）``, ``答案：B``, ``A,C,D``, ``ａｃ`` → ``B`` or ``ACD`` (sorted); None when
    the text is not letters at all. Letters beyond the options are kept for the loader to name."""
    letters = _ANSWER_MARKS.sub("", _bare_answer(text)).upper()
    if letters and letters.isascii() and letters.isalpha():
        return "".join(sorted(letters))
    return None


def question_id(prefix: str, document: str, stem: str, options: Sequence[str]) -> str:
    """``prefix-`` and ten hex digits of a hash of the document, stem and options (spacing and
    full-width forms ignored), at most 32 characters: the same question gets the same id in
    every import, and 40 bits keep collisions unlikely in banks of many thousand questions."""
    digest = hashlib.sha256("\x1f".join(fold(p) for p in (document, stem, *options)).encode())
    return f"{prefix}-{digest.hexdigest()[:10]}"


def id_prefix(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-_")
    return cleaned[:21] or "q"


def document_from_sources(records: Sequence[Record]) -> tuple[str | None, str | None]:
    """The document named before the article in every 出处 (``党章 第三条``), when all agree;
    else None and why."""
    documents = sorted(
        {r.value("source").split()[0] for r in records if len(r.value("source").split()) > 1}
    )
    if len(documents) == 1:
        return documents[0], None
    if documents:
        names = "、".join(documents)
        return None, say.DOCUMENTS_DIFFER.format(count=len(documents), names=names)
    return None, say.NO_DOCUMENT


def normalise(records: Sequence[Record], defaults: Defaults, *, allow_similar: bool) -> Normalised:
    """Every record as a draft for the loader's checks, with what is wrong beyond them."""
    result = Normalised([], [])
    for record in records:
        result.drafts.append(_draft(record, defaults, result))
    _copies(result, defaults.document, allow_similar=allow_similar)
    return result


def _draft(record: Record, defaults: Defaults, result: Normalised) -> Draft:
    draft = Draft(record, {}, [])

    def problem(key: str, message: str, spot: Spot | None = None) -> None:
        draft.flagged.add(key)
        result.problems.append((spot or record.spot_of(key)).problem(message))

    kind: QuestionType | None = None
    typed = record.value("type") or (record.sheet if type_word(record.sheet) else "")
    if typed:
        kind = type_word(typed)
        if kind is None:
            problem("type", say.NOT_A_TYPE)

    options: list[str] = []
    texts = [cell.text if cell else "" for cell in record.options]
    filled = max((i for i, text in enumerate(texts) if text), default=-1)
    for index, cell in enumerate(record.options[: filled + 1]):
        letter = OPTION_LETTERS[index]
        if cell is None:
            problem("options", say.OPTION_GAP_NO_COLUMN.format(letter=letter), record.spot)
            continue
        text = texts[index]
        if not text:
            problem("options", say.OPTION_GAP_EMPTY, cell.spot)
            continue
        numbered = _OPTION_PREFIX.match(text)
        if numbered and unicodedata.normalize("NFKC", numbered.group(1)) == letter:
            text = text[numbered.end() :]  # "A. 十八岁" in the 选项A column
        options.append(text)
        draft.option_spots.append(cell.spot)

    raw_answer = record.value("answer")
    words = [judge_word(option) for option in options]
    # A judge question written as a choice between 正确 and 错误 (a common spreadsheet habit):
    # keep its meaning, drop the options the bank format has no place for.
    true_or_false = len(options) == 2 and set(words) == set(JUDGE_OPTIONS)
    letters = answer_letters(raw_answer)
    if kind is None and (true_or_false or (not options and judge_word(raw_answer))):
        kind = QuestionType.JUDGE
    answer = raw_answer
    if kind is QuestionType.JUDGE:
        if true_or_false:
            if letters in ("A", "B"):
                answer = words[OPTION_LETTERS.index(letters)] or raw_answer
            options, draft.option_spots = [], []
        answer = judge_word(answer) or answer
    else:
        if letters is not None:
            answer = letters
        elif raw_answer:
            problem("answer", say.NOT_AN_ANSWER)
        if kind is None:
            kind = QuestionType.MULTIPLE if letters and len(letters) > 1 else QuestionType.SINGLE

    difficulty = DEFAULT_DIFFICULTY
    if record.value("difficulty"):
        level = DIFFICULTY_WORDS.get(fold(record.value("difficulty")))
        if level is None:
            problem("difficulty", say.NOT_A_DIFFICULTY)
        difficulty = level or DEFAULT_DIFFICULTY
    else:
        result.defaulted_difficulty += 1

    quote = record.value("quote")
    quoted = _quoted_line(quote, defaults.reference)
    chapter = record.value("chapter") or (quoted.chapter if quoted else "")
    if not chapter:
        chapter = defaults.chapter
        result.defaulted_chapter += 1
    values: dict[str, Any] = {
        "id": record.value("id"),
        "type": kind.value,
        "chapter": chapter,
        "stem": record.value("stem"),
        "options": options,
        "answer": answer,
        "explanation": record.value("explanation"),
        "source": _source(record.value("source"), quoted, defaults),
        "quote": quote,
        "difficulty": difficulty,
        "tags": [tag for tag in _SPLIT_TAGS.split(record.value("tags")) if tag],
    }
    # Empty values are left out, so that the loader names a required one as missing.
    draft.data = {key: item for key, item in values.items() if item}
    return draft


def _quoted_line(quote: str, reference: Reference | None) -> Line | None:
    """The reference line a quote is taken from (a verified one where there is a choice)."""
    lines = reference.lines_quoting(quote) if reference and quote else ()
    return next((line for line in lines if line.verified), lines[0] if lines else None)


def _source(text: str, quoted: Line | None, defaults: Defaults) -> str:
    """``党章第三条``, ``《中国共产党章程》第三条`` or ``第三条`` → ``党章 第三条``. Without a
    出处: the article of the reference line quoted, else the document alone."""
    document, title = defaults.document, defaults.title
    if not text:
        reference = defaults.reference
        article = reference.article_of(quoted) if reference and quoted else ""
        return f"{document} {article}" if article else document
    for name in (document, f"《{title}》", title):
        if text.startswith(name):
            rest = text.removeprefix(name).strip()
            return f"{document} {rest}" if rest else document
    return f"{document} {text}"


def _copies(result: Normalised, document: str, *, allow_similar: bool) -> None:
    """Copies reported at the later one: the same question (stem and options alike after
    folding spaces and full-width forms) is dropped; nearly the same (punctuation aside, the
    options in any order) is refused unless ``allow_similar``; so are two options of one
    question that differ only in spaces and punctuation."""
    exact: dict[str, Spot] = {}
    near: dict[tuple[str, frozenset[str]], Spot] = {}
    kept: list[Draft] = []
    for draft in result.drafts:
        options = draft.data.get("options", [])
        stem = draft.data.get("stem", "")
        spot = draft.record.spot
        key = question_id("", document, stem, options)
        if key in exact:
            row = exact[key].row
            result.problems.append(spot.problem(say.DUPLICATE_QUESTION.format(row=row)))
            continue
        exact[key] = spot
        kept.append(draft)
        similar = (loose(stem), frozenset(loose(o) for o in options))
        if similar in near and stem:
            if allow_similar:
                result.similar_kept += 1
            else:
                message = say.SIMILAR_QUESTION.format(row=near[similar].row)
                result.problems.append(spot.problem(message))
                draft.flagged.add("stem")
        near.setdefault(similar, spot)
        seen: dict[str, int] = {}
        for index, option in enumerate(options):
            folded = loose(option)
            first = seen.setdefault(folded, index)
            if first == index or options[first] == option:
                continue  # the loader reports an exact copy
            if allow_similar:
                result.similar_kept += 1
                continue
            letter = OPTION_LETTERS[first]
            message = say.SIMILAR_OPTION.format(letter=letter)
            result.problems.append(draft.option_spots[index].problem(message))
    result.drafts = kept
