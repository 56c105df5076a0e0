"""The services handlers reach through their typed context: built once in ``post_init``.

There is no storage here: each service was given the stores it needs, and handlers reach
data only through a service.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.conversations.service import ConversationService
from bot.corrections.service import CorrectionsService
from bot.delivery.progress import ProgressReporter
from bot.delivery.scheduler import Scheduler
from bot.delivery.sender import Sender
from bot.delivery.service import DeliveryService
from bot.handlers.signin_board import SigninBoard
from bot.i18n import Texts
from bot.meetings.records import RecordService
from bot.meetings.service import MeetingService
from bot.meetings.signin import SigninService
from bot.org.service import OrgService
from bot.quiz.service import QuizService
from bot.schedule.planner import Schedule
from bot.stats.report_process import ReportProcess
from bot.stats.service import StatsService


@dataclass(frozen=True, kw_only=True)
class Services:
    settings: Settings
    texts: Texts
    clock: Clock
    org: OrgService
    quiz: QuizService
    corrections: CorrectionsService
    conversations: ConversationService
    stats: StatsService
    reports: ReportProcess
    delivery: DeliveryService
    sender: Sender
    progress: ProgressReporter
    meetings: MeetingService
    records: RecordService
    signin: SigninService
    board: SigninBoard
    """The secretaries' live sign-in counts (a Telegram adapter, like ``progress``)."""
    schedule: Schedule
    scheduler: Scheduler
