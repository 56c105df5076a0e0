"""Coverage of the question bank, for ``bank stats``: questions per document, chapter and
article, per type and difficulty, and the articles that still need questions.

Articles come from each question's ``source`` (``党章 第三条``). When a bank file names a
reference text, every article of that text (a line beginning ``第X条``) is listed as well, so
an article without any question shows with 0 instead of silently missing. Reference lines are
read and matched exactly as the loader does, so an article counts here when ``bank check``
accepts it as a source.

Verification is counted per document: the reference lines still marked 【未核对】, the
questions resting on them (a valid bank has none: the loader refuses such a quote, so the
figure is the target 0 made visible) and the questions of files with no reference at all, whose
quotes nobody checked. Documents registered with ``bank reference add`` that no question cites
yet are listed with 0.

Questions with open correction reports are flagged when the caller supplies the counts: the
reports live in storage, and this module stays free of it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.quiz import bank_texts as say
from bot.quiz.bank import LoadedBank, reference_path
from bot.quiz.questions import Question, QuestionType, display_width
from bot.quiz.reference import Line, Reference, ReferenceCache, shown_path

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
    """The reference's chapters in its order (0 where no question is on one), then chapters
    only the questions name, in the order they first appear."""
    articles: tuple[ArticleCount, ...]
    """In the order of the reference text where there is one, else by article number."""
    reported: tuple[tuple[Question, int], ...] | None
    """Questions with open correction reports and their counts; None when the counts were
    not given, which is not the same as none open."""
    references: tuple[str, ...] = ()
    """The reference files the document's questions are checked against."""
    unverified: tuple[tuple[str, Line], ...] = ()
    """(reference file, line) of every line still marked 【未核对】."""
    on_unverified: int = 0
    """Questions whose quote is found only in unverified lines (target 0)."""
    unchecked: int = 0
    """Questions in files that name no reference: their quotes are not checked."""
    without_explanation: int = 0

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


def coverage(
    loaded: LoadedBank,
    open_reports: Mapping[str, int] | None = None,
    registered: Sequence[Reference] = (),
) -> Coverage:
    """Coverage of each document of a loaded (hence valid) bank, in file order, then of each
    ``registered`` document no file names.

    ``open_reports`` maps question ids to their number of open correction reports."""
    references = ReferenceCache()
    by_document: dict[str, list[tuple[str, tuple[Question, ...], Reference | None]]] = {}
    for summary in loaded.files:
        path = Path(summary.path)
        reference = (
            references.get(reference_path(path, summary.reference)) if summary.reference else None
        )
        by_document.setdefault(summary.document, []).append(
            (summary.path, summary.questions, reference)
        )
    used = {r.path.resolve() for parts in by_document.values() for _, _, r in parts if r}
    for extra in registered:
        if extra.path.resolve() not in used and extra.short_name not in by_document:
            by_document[extra.short_name] = [("", (), extra)]
    documents = []
    for document, parts in by_document.items():
        questions = [q for _, part, _ in parts for q in part]
        texts = list(dict.fromkeys(r for _, _, r in parts if r is not None))
        lines = [line for reference in texts for line in reference.lines]
        reported = None
        if open_reports is not None:
            reported = tuple((q, open_reports[q.id]) for q in questions if open_reports.get(q.id))
        chapters = Counter({line.heading: 0 for line in lines if line.kind == "chapter"})
        chapters.update(q.chapter for q in questions)
        documents.append(
            DocumentCoverage(
                document=document,
                files=tuple(path for path, _, _ in parts if path),
                questions=len(questions),
                types=Counter(q.type for q in questions),
                difficulties=Counter(q.difficulty for q in questions),
                chapters=tuple(chapters.items()),
                articles=_articles(questions, lines),
                reported=reported,
                references=tuple(shown_path(r.path) for r in texts),
                unverified=tuple(
                    (shown_path(r.path), line) for r in texts for line in r.unverified
                ),
                on_unverified=sum(
                    1
                    for _, part, reference in parts
                    if reference is not None
                    for q in part
                    if not any(line.verified for line in reference.lines_quoting(q.quote))
                ),
                unchecked=sum(len(part) for _, part, reference in parts if reference is None),
                without_explanation=sum(1 for q in questions if not q.explanation),
            )
        )
    unmatched = None
    if open_reports is not None:
        unmatched = sum(n for qid, n in open_reports.items() if qid not in loaded.bank.by_id)
    return Coverage(tuple(documents), unmatched)


def _articles(questions: Sequence[Question], lines: Sequence[Line]) -> tuple[ArticleCount, ...]:
    counts = Counter(article_of(q) for q in questions)
    headings = [line.heading for line in lines]
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
        say.STATS_SUMMARY.format(
            total=total, documents=len(documents), types=_types(types), levels=_levels(levels)
        )
    ]
    for document in documents:
        files = ", ".join(document.files) or say.STATS_NO_QUESTIONS.format(
            references=", ".join(document.references)
        )
        lines += [
            "",
            say.STATS_DOCUMENT.format(
                document=document.document, files=files, count=document.questions
            ),
            say.STATS_KINDS.format(
                types=_types(document.types), levels=_levels(document.difficulties)
            ),
            say.STATS_CHAPTERS,
        ]
        lines += [
            say.STATS_CHAPTER.format(chapter=chapter, count=count)
            for chapter, count in document.chapters
        ]
        cited = sum(1 for a in document.articles if a.questions)
        known = sum(1 for a in document.articles if a.in_reference)
        listed = say.STATS_ARTICLES_LISTED.format(known=known) if known else ""
        lines.append(say.STATS_ARTICLES.format(cited=cited, listed=listed))
        lines += _wrapped([f"{a.article} {a.questions}" for a in document.articles], "    ")
        thin = document.thin
        if thin:
            lines.append(say.STATS_THIN.format(minimum=MIN_PER_ARTICLE, count=len(thin)))
            lines += _wrapped([f"{a.article} {a.questions}" for a in thin], "    ")
        else:
            lines.append(say.STATS_NOT_THIN.format(minimum=MIN_PER_ARTICLE))
        lines += _verification(document)
        if document.reported:
            lines.append(say.STATS_REPORTED.format(count=len(document.reported)))
            lines += [
                say.STATS_REPORTED_ITEM.format(
                    id=q.id, article=article_of(q), count=count, stem=_excerpt(q.stem)
                )
                for q, count in document.reported
            ]
    if coverage.unmatched_reports is not None:
        flagged = sum(len(d.reported or ()) for d in documents)
        lines += ["", say.STATS_REPORTS.format(count=flagged)]
        if coverage.unmatched_reports:
            lines.append(say.STATS_REPORTS_GONE.format(count=coverage.unmatched_reports))
    return "\n".join(lines)


def _verification(document: DocumentCoverage) -> list[str]:
    """Questions on unverified lines, the lines still unverified, unchecked quotes."""
    lines = []
    if document.references:
        lines.append(say.STATS_ON_UNVERIFIED.format(count=document.on_unverified))
        references = ", ".join(document.references)
        lines.append(
            say.STATS_UNVERIFIED.format(references=references, count=len(document.unverified))
        )
        lines += [
            say.STATS_UNVERIFIED_LINE.format(
                path=path,
                line=line.number,
                chapter=line.chapter or "-",
                text=_excerpt(line.text, 60),
            )
            for path, line in document.unverified
        ]
    if document.unchecked:
        lines.append(say.STATS_UNCHECKED.format(count=document.unchecked))
    if document.without_explanation:
        lines.append(say.STATS_NO_EXPLANATION.format(count=document.without_explanation))
    return lines


def _types(counts: Mapping[QuestionType, int]) -> str:
    return say.TYPES.format(**{kind.value: counts.get(kind, 0) for kind in QuestionType})


def _levels(counts: Mapping[int, int]) -> str:
    return say.LEVELS.format(easy=counts.get(1, 0), medium=counts.get(2, 0), hard=counts.get(3, 0))


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
