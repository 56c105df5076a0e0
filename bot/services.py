"""The services handlers reach through their typed context: built once in ``post_init``."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Texts
from bot.quiz.service import QuizService
from bot.storage import Storage


@dataclass(frozen=True)
class Services:
    settings: Settings
    storage: Storage
    quiz: QuizService
    texts: Texts
    clock: Clock
