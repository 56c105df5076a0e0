"""The services handlers reach through their typed context: built once in ``post_init``."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.progress import ProgressReporter
from bot.delivery.scheduler import Scheduler
from bot.delivery.sender import Sender
from bot.delivery.service import DeliveryService
from bot.delivery.themeday import ThemeDayService
from bot.i18n import Texts
from bot.org.service import OrgService
from bot.quiz.service import QuizService
from bot.schedule.planner import Schedule
from bot.stats.report_process import ReportProcess
from bot.stats.service import StatsService
from bot.storage import Storage


@dataclass(frozen=True)
class Services:
    settings: Settings
    storage: Storage
    quiz: QuizService
    org: OrgService
    stats: StatsService
    reports: ReportProcess
    delivery: DeliveryService
    sender: Sender
    progress: ProgressReporter
    themeday: ThemeDayService
    schedule: Schedule
    scheduler: Scheduler
    texts: Texts
    clock: Clock
