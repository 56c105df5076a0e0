"""The shipped question bank, loaded with the real loader: every file valid (which includes
every quote found word for word in its reference text and every cited article existing),
and every article of the Party Constitution asked at least twice."""

from __future__ import annotations

from pathlib import Path

from bot.quiz.bank import load_bank
from bot.quiz.coverage import MIN_PER_ARTICLE, article_number, coverage

BANK = Path(__file__).parents[2] / "question_bank"
CONSTITUTION_ARTICLES = 55


def test_the_shipped_bank_is_valid_and_covers_every_constitution_article_twice() -> None:
    loaded = load_bank([BANK])  # raises, listing every problem, if anything is wrong
    documents = {d.document: d for d in coverage(loaded).documents}
    constitution = documents["党章"]
    numbered = {article_number(a.article): a for a in constitution.articles}
    assert set(range(1, CONSTITUTION_ARTICLES + 1)) <= set(numbered)
    thin = [
        f"{numbered[n].article}: {numbered[n].questions}"
        for n in range(1, CONSTITUTION_ARTICLES + 1)
        if numbered[n].questions < MIN_PER_ARTICLE
    ]
    assert thin == []
    assert all(numbered[n].in_reference for n in range(1, CONSTITUTION_ARTICLES + 1))
