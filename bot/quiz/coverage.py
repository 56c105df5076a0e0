"""Coverage of the question bank, for ``bank stats``: questions per document, chapter and
article, per type and difficulty, and the articles that still need questions.

Articles come from each question's ``source`` (``党章 第三条``). When a bank file names a
reference text, every article of that text (a line beginning ``第X条``) is listed as well, so
an article without any question shows with 0 instead of silently missing. Reference lines are
read and matched exactly as the loader does, so an article counts here when ``bank check``
accepts it as a source.

Questions with open correction reports are flagged when the caller supplies the counts: the
reports live in storage, and this module stays free of it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.quiz.bank import LoadedBank, ReferenceCache, heading
from bot.quiz.questions import Question, QuestionType, display_width

MIN_PER_ARTICLE = 2
"""Fewer questions than this on an article is reported as thin coverage (issue 6)."""

_ARTICLE = re.compile(r"^第([零〇一二两三四五六七八九十百千\d]+)条")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_WIDTH = 99


@dataclass(frozen=True)
class ArticleCount:
    article: str
    questions: int
    in_reference: bool
    """The article is a ``第X条`` line of the document's reference text."""


@dataclass(frozen=True)
class DocumentCoverage:
    document: str
    files: tuple[str, ...]
    questions: int
    types: Mapping[QuestionType, int]
    difficulties: Mapping[int, int]
    chapters: tuple[tuple[str, int], ...]
    """In the order the chapters first appear in the files."""
    articles: tuple[ArticleCount, ...]
    """In the order of the reference text where there is one, else by article number."""
    reported: tuple[tuple[Question, int], ...] | None
    """Questions with open correction reports and their counts; None when the counts were
    not given, which is not the same as none open."""

    @property
    def thin(self) -> tuple[ArticleCount, ...]:
        """Articles with fewer than ``MIN_PER_ARTICLE`` questions, uncovered ones included."""
        return tuple(a for a in self.articles if a.questions < MIN_PER_ARTICLE)


@dataclass(frozen=True)
class Coverage:
    documents: tuple[DocumentCoverage, ...]
    unmatched_reports: int | None
    """Open reports on ids no longer in the bank (a question reworded since gets a new id):
    they need closing by hand. None when report counts were not given."""


def article_of(question: Question) -> str:
    """The article a question cites: its source without the document, and ``第三条第二款``
    counted as ``第三条``."""
    article = question.source.removeprefix(question.document).strip()
    match = _ARTICLE.match(article)
    return match.group(0) if match else article


def article_number(article: str) -> int | None:
    """``第五十五条`` → 55, ``第一百零二条`` → 102, ``第3条`` → 3; ``总纲`` → None."""
    match = _ARTICLE.match(article)
    if match is None:
        return None
    numeral = match.group(1)
    if numeral.isdigit():
        return int(numeral)
    total = digit = 0
    for character in numeral:
        if character in _UNITS:
            total += (digit or 1) * _UNITS[character]
            digit = 0
        elif character in _DIGITS:
            digit = _DIGITS[character]
        else:  # digits mixed with Chinese numerals: not an article number
            return None
    return total + digit


def coverage(loaded: LoadedBank, open_reports: Mapping[str, int] | None = None) -> Coverage:
    """Coverage of each document of a loaded (hence valid) bank, in file order.

    ``open_reports`` maps question ids to their number of open correction reports."""
    references = ReferenceCache()
    by_document: dict[str, list[tuple[str, tuple[Question, ...], list[str]]]] = {}
    for summary in loaded.files:
        lines = _reference_lines(Path(summary.path), references)
        by_document.setdefault(summary.document, []).append(
            (summary.path, summary.questions, lines)
        )
    documents = []
    for document, parts in by_document.items():
        questions = [q for _, part, _ in parts for q in part]
        lines = [line for _, _, part in parts for line in part]
        reported = None
        if open_reports is not None:
            reported = tuple((q, open_reports[q.id]) for q in questions if open_reports.get(q.id))
        documents.append(
            DocumentCoverage(
                document=document,
                files=tuple(path for path, _, _ in parts),
                questions=len(questions),
                types=Counter(q.type for q in questions),
                difficulties=Counter(q.difficulty for q in questions),
                chapters=tuple(Counter(q.chapter for q in questions).items()),
                articles=_articles(questions, lines),
                reported=reported,
            )
        )
    unmatched = None
    if open_reports is not None:
        unmatched = sum(n for qid, n in open_reports.items() if qid not in loaded.bank.by_id)
    return Coverage(tuple(documents), unmatched)


def _reference_lines(path: Path, references: ReferenceCache) -> list[str]:
    """The reference text a bank file names, as the loader reads it; none if it names none.

    ``FileSummary`` does not carry the reference, so the header is read again; with libyaml
    when present, as positions are not needed and the pure-Python parser takes half a second
    for the shipped bank."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    reference = data.get("reference") if isinstance(data, dict) else None
    return (references.get(path.parent.parent / str(reference)) or []) if reference else []


def _articles(questions: Sequence[Question], lines: Sequence[str]) -> tuple[ArticleCount, ...]:
    counts = Counter(article_of(q) for q in questions)
    headings = [heading(line) for line in lines]
    listed = [m.group(0) for h in headings if (m := _ARTICLE.match(h))]
    names = dict.fromkeys([*listed, *counts])
    unknown = len(lines) + 1

    def order(name: str) -> tuple[int, int]:
        position = next((i for i, h in enumerate(headings) if h.startswith(name)), unknown)
        # Without a reference: sections such as 总纲 first, then articles by number.
        number = article_number(name)
        return (position, -1 if number is None else number)

    in_reference = set(listed)
    return tuple(
        ArticleCount(name, counts[name], name in in_reference) for name in sorted(names, key=order)
    )


def stats_report(coverage: Coverage) -> str:
    """The text ``bank stats`` prints."""
    documents = coverage.documents
    total = sum(d.questions for d in documents)
    types = Counter[QuestionType]()
    levels = Counter[int]()
    for document in documents:
        types.update(document.types)
        levels.update(document.difficulties)
    lines = [
        f"{total} questions on {len(documents)} documents; {_types(types)}; {_levels(levels)}",
    ]
    for document in documents:
        lines += ["", f"{document.document} ({', '.join(document.files)}): {document.questions}"]
        lines.append(f"  {_types(document.types)}; {_levels(document.difficulties)}")
        lines.append("  chapters:")
        lines += [f"    {chapter}: {count}" for chapter, count in document.chapters]
        cited = sum(1 for a in document.articles if a.questions)
        known = sum(1 for a in document.articles if a.in_reference)
        listed = f", {known} articles in the reference" if known else ""
        lines.append(f"  articles: {cited} cited{listed}")
        lines += _wrapped([f"{a.article} {a.questions}" for a in document.articles], "    ")
        thin = document.thin
        if thin:
            lines.append(f"  fewer than {MIN_PER_ARTICLE} questions: {len(thin)}")
            lines += _wrapped([f"{a.article} {a.questions}" for a in thin], "    ")
        else:
            lines.append(f"  every article has at least {MIN_PER_ARTICLE} questions")
        if document.reported:
            lines.append(f"  questions with open correction reports: {len(document.reported)}")
            lines += [
                f"    ! {q.id} ({article_of(q)}): {count} open · {_excerpt(q.stem)}"
                for q, count in document.reported
            ]
    if coverage.unmatched_reports is not None:
        flagged = sum(len(d.reported or ()) for d in documents)
        lines += ["", f"open correction reports: {flagged} questions flagged"]
        if coverage.unmatched_reports:
            lines.append(
                f"  {coverage.unmatched_reports} open reports concern questions no longer in "
                "these files"
            )
    return "\n".join(lines)


def _types(counts: Mapping[QuestionType, int]) -> str:
    return ", ".join(f"{kind.value} {counts.get(kind, 0)}" for kind in QuestionType)


def _levels(counts: Mapping[int, int]) -> str:
    return "difficulty " + ", ".join(f"{level}: {counts.get(level, 0)}" for level in (1, 2, 3))


def _wrapped(items: Sequence[str], indent: str) -> list[str]:
    """Items joined with `` · `` into lines that fit a terminal, counting Chinese as two."""
    lines: list[str] = []
    current = ""
    for item in items:
        candidate = f"{current} · {item}" if current else item
        if current and display_width(indent + candidate) > _WIDTH:
            lines.append(indent + current)
            candidate = item
        current = candidate
    if current:
        lines.append(indent + current)
    return lines


def _excerpt(text: str, width: int = 40) -> str:
    out = ""
    for character in text.replace("\n", " "):
        if display_width(out + character) > width:
            return out + "…"
        out += character
    return out
