"""The database schema, as numbered migrations applied in order at start-up.

``PRAGMA user_version`` records how far a database has come. A migration once shipped is
never edited: a change is a new entry at the end. Times are UTC milliseconds since the epoch,
so that period statistics are integer range scans.
"""

from __future__ import annotations

MEETINGS_AS_EVENTS = """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        -- <rule>:<branch>:<UTC time to the minute>, e.g. theme_day:zb-001:20261207T0100.
        key TEXT NOT NULL UNIQUE,
        branch_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        occurs_at INTEGER NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        topic TEXT NOT NULL DEFAULT '',
        place TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
        created_at INTEGER NOT NULL
    );
    CREATE INDEX events_branch ON events(branch_id, kind, occurs_at);
    CREATE INDEX events_kind ON events(kind, occurs_at);

    -- A theme day was a batch of kind theme_day holding attendance. It keeps its id, so the
    -- 参加/请假 and 签到 buttons already in members' chats still point at it.
    INSERT INTO events (id, key, branch_id, kind, occurs_at, topic, created_at)
    SELECT id, key, unit_id, 'theme_day', occurs_at, title, created_at
    FROM batches WHERE kind = 'theme_day';

    CREATE TABLE event_attendance (
        event_id INTEGER NOT NULL REFERENCES events(id),
        member_id INTEGER NOT NULL REFERENCES members(id),
        reply TEXT CHECK (reply IN ('yes', 'leave')),
        reason TEXT,
        replied_at INTEGER,
        present INTEGER NOT NULL DEFAULT 0,
        signed_by INTEGER,
        signed_kind TEXT CHECK (signed_kind IN ('self', 'proxy', 'late')),
        signed_at INTEGER,
        PRIMARY KEY (event_id, member_id)
    ) WITHOUT ROWID;
    INSERT INTO event_attendance
    SELECT batch_id, member_id, reply, reason, replied_at, present, signed_by, signed_kind,
           signed_at
    FROM attendance;
    DROP TABLE attendance;
    ALTER TABLE event_attendance RENAME TO attendance;

    -- The batches that announce a meeting (its reminders, its 补课) point at it.
    ALTER TABLE batches ADD COLUMN event_id INTEGER REFERENCES events(id);
    UPDATE batches SET event_id = (
        SELECT e.id FROM events e
        WHERE batches.key = 'makeup:' || e.key
           OR substr(batches.key, 1, length(e.key) + 10) = 'reminder:' || e.key || ':'
    )
    WHERE kind IN ('reminder', 'makeup');
    DELETE FROM batches WHERE kind = 'theme_day';
    CREATE INDEX batches_event ON batches(event_id) WHERE event_id IS NOT NULL;
    """
"""Meetings as events (a migration of its own so that its upgrade test can find it): a
meeting that happens and the messages that announce it become two records. A theme day was
a batch of kind ``theme_day`` holding the attendance; it becomes an event with the same id,
so the 参加/请假 and 签到 buttons already in members' chats still point at it, and its
reminders and 补课 batches point at the event."""
MEMBERSHIP_BACKFILL = """
    -- Every move a member made between branches, from the transfers the bot keeps (a join
    -- is a transfer from no branch): each lasts until the member's next one.
    INSERT INTO memberships (member_id, branch_id, joined_at, left_at, left_reason)
    SELECT member_id, to_branch, at, LEAD(at) OVER moves,
           CASE WHEN LEAD(at) OVER moves IS NULL THEN NULL ELSE 'transfer' END
    FROM transfers WHERE member_id IN (SELECT id FROM members)
    WINDOW moves AS (PARTITION BY member_id ORDER BY at, id);
    -- Members in a branch without a transfer (listed on a roster, written by an import):
    -- in their branch since the row was made. NOT IN, not a correlated NOT EXISTS: transfers
    -- has no index on member_id here, and SQLite scanned all of it once per member (hours
    -- for a city); the list is built once. Same rows (transfers.member_id is NOT NULL).
    INSERT INTO memberships (member_id, branch_id, joined_at)
    SELECT id, branch_id, created_at FROM members
    WHERE branch_id IS NOT NULL
      AND id NOT IN (SELECT member_id FROM transfers);
"""
"""Fills ``memberships`` from ``transfers`` and ``members`` (the migration that adds the
table, and ``bench/citygen.py`` after writing those two directly)."""

MIGRATIONS: tuple[str, ...] = (
    # 1: members, quizzes and every answer.
    """
    CREATE TABLE members (
        id INTEGER PRIMARY KEY,
        -- NULL for someone listed on a branch roster who has not opened the bot yet.
        telegram_id INTEGER UNIQUE,
        first_name TEXT NOT NULL DEFAULT '',
        last_name TEXT,
        username TEXT,
        real_name TEXT,
        branch_id TEXT,
        party_joined_on TEXT,
        pending_invite TEXT,
        unreachable_since INTEGER,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER
    );
    CREATE INDEX members_branch ON members(branch_id);

    CREATE TABLE quiz_sessions (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id),
        chat_id INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'finished', 'cancelled')),
        question_ids TEXT NOT NULL,
        option_orders TEXT NOT NULL,
        position INTEGER NOT NULL DEFAULT 0,
        selection TEXT NOT NULL DEFAULT '[]',
        message_id INTEGER,
        question_shown_at INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        score INTEGER NOT NULL DEFAULT 0,
        question_count INTEGER NOT NULL,
        -- The member's branch when the quiz started: statistics follow the branch at the time.
        branch_id TEXT,
        bank_version TEXT NOT NULL
    );
    -- At most one quiz in progress per member, whatever the handlers believe.
    CREATE UNIQUE INDEX quiz_sessions_one_active ON quiz_sessions(member_id)
        WHERE status = 'active';
    CREATE INDEX quiz_sessions_member ON quiz_sessions(member_id, started_at);
    CREATE INDEX quiz_sessions_branch ON quiz_sessions(branch_id, finished_at)
        WHERE status = 'finished';
    -- City-wide reports scan one period of finished quizzes, whatever the branch.
    CREATE INDEX quiz_sessions_finished
        ON quiz_sessions(finished_at, branch_id, member_id, score, question_count)
        WHERE status = 'finished';

    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES quiz_sessions(id),
        member_id INTEGER NOT NULL REFERENCES members(id),
        position INTEGER NOT NULL,
        question_id TEXT NOT NULL,
        chosen TEXT NOT NULL,
        correct INTEGER NOT NULL,
        timed_out INTEGER NOT NULL DEFAULT 0,
        points INTEGER NOT NULL,
        answered_at INTEGER NOT NULL,
        ms_taken INTEGER NOT NULL,
        -- A double tap or a retried update can never record a second answer.
        UNIQUE (session_id, position)
    );
    -- Recording an answer moves its quiz on in the same statement, so the two can never
    -- disagree and an answer costs one write.
    CREATE TRIGGER answers_advance_quiz AFTER INSERT ON answers
    BEGIN
        UPDATE quiz_sessions SET
            position = position + 1,
            selection = '[]',
            score = score + NEW.points,
            question_shown_at = NEW.answered_at,
            message_id = NULL,
            status = CASE WHEN position + 1 >= question_count
                          THEN 'finished' ELSE 'active' END,
            finished_at = CASE WHEN position + 1 >= question_count
                               THEN NEW.answered_at END
        WHERE id = NEW.session_id AND position = NEW.position;
    END;
    CREATE INDEX answers_member ON answers(member_id, answered_at);
    CREATE INDEX answers_question ON answers(question_id);

    -- The member's bag: questions drawn since the bag was last refilled.
    CREATE TABLE seen_questions (
        member_id INTEGER NOT NULL REFERENCES members(id),
        question_id TEXT NOT NULL,
        PRIMARY KEY (member_id, question_id)
    ) WITHOUT ROWID;
    """,
    # 2: the organisation — units, invites, role grants, transfers, group chats.
    """
    CREATE TABLE org_units (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        level TEXT NOT NULL,
        kind TEXT NOT NULL,
        parent_id TEXT,
        leaderboard INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        updated_at INTEGER NOT NULL
    );

    CREATE TABLE invites (
        code TEXT PRIMARY KEY,
        branch_id TEXT NOT NULL REFERENCES org_units(id),
        created_by INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER
    );
    CREATE INDEX invites_branch ON invites(branch_id);

    -- Roles given with /promote; roles named in config.yaml are not stored.
    CREATE TABLE role_grants (
        telegram_id INTEGER NOT NULL,
        unit_id TEXT NOT NULL,
        granted_by INTEGER NOT NULL,
        granted_at INTEGER NOT NULL,
        PRIMARY KEY (telegram_id, unit_id)
    ) WITHOUT ROWID;

    -- 组织关系接转: every move of a member between branches.
    CREATE TABLE transfers (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id),
        from_branch TEXT,
        to_branch TEXT NOT NULL,
        by_telegram_id INTEGER NOT NULL,
        at INTEGER NOT NULL
    );

    CREATE TABLE group_chats (
        chat_id INTEGER PRIMARY KEY,
        unit_id TEXT NOT NULL REFERENCES org_units(id),
        bound_by INTEGER NOT NULL,
        bound_at INTEGER NOT NULL
    );

    -- Refusals are part of the trace (痕迹): who asked for what they may not see.
    CREATE TABLE refusals (
        id INTEGER PRIMARY KEY,
        telegram_id INTEGER NOT NULL,
        command TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    """,
    # 3: delivery — the outbox of scheduled reminders and broadcasts, and attendance.
    """
    -- A batch is one thing sent to many: a broadcast, or one occurrence of a schedule.
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        unit_id TEXT,
        created_by INTEGER,
        created_at INTEGER NOT NULL,
        occurs_at INTEGER,
        progress_chat_id INTEGER,
        progress_message_id INTEGER,
        finished_at INTEGER
    );

    -- One row per recipient, written once under a unique key, drained by the sender.
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batches(id),
        -- NULL for a member the bot cannot write to (never opened it): recorded as failed.
        chat_id INTEGER,
        member_id INTEGER REFERENCES members(id),
        text TEXT NOT NULL,
        reply_markup TEXT,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        expires_at INTEGER,
        last_error TEXT,
        sent_at INTEGER,
        message_id INTEGER,
        UNIQUE (batch_id, chat_id),
        UNIQUE (batch_id, member_id)
    );
    CREATE INDEX deliveries_due ON deliveries(next_attempt_at)
        WHERE status IN ('pending', 'sending');
    CREATE INDEX deliveries_batch ON deliveries(batch_id, status);
    CREATE INDEX batches_kind ON batches(kind, occurs_at);

    -- 参加 / 请假 replies and 签到 for a theme day (a batch of kind theme_day).
    CREATE TABLE attendance (
        batch_id INTEGER NOT NULL REFERENCES batches(id),
        member_id INTEGER NOT NULL REFERENCES members(id),
        reply TEXT CHECK (reply IN ('yes', 'leave')),
        reason TEXT,
        replied_at INTEGER,
        present INTEGER NOT NULL DEFAULT 0,
        signed_by INTEGER,
        signed_kind TEXT CHECK (signed_kind IN ('self', 'proxy', 'late')),
        signed_at INTEGER,
        PRIMARY KEY (batch_id, member_id)
    ) WITHOUT ROWID;

    -- What a person is in the middle of saying: a leave reason, a broadcast text.
    CREATE TABLE pending_input (
        telegram_id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );

    -- How far the scheduler has looked, so occurrences missed while down are found.
    CREATE TABLE scheduler_state (
        name TEXT PRIMARY KEY,
        checked_until INTEGER NOT NULL
    );
    """,
    # 4: 答题纠错 — members' reports of a question they think is wrong.
    """
    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        question_id TEXT NOT NULL,
        bank_version TEXT NOT NULL,
        member_id INTEGER NOT NULL REFERENCES members(id),
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        closed_by INTEGER,
        closed_at INTEGER
    );
    CREATE INDEX corrections_open ON corrections(question_id) WHERE closed_at IS NULL;
    """,
    # 5: covering indexes for statistics. Reports read a branch's finished quizzes and its
    # member counts straight from the index, in branch order, without touching the tables
    # (``status`` is in the index too: SQLite does not count a partial index's own condition
    # as covered):
    # a city's yearly ranking went from 3 s to 1 s, a year's /stats from ~90 to ~23 ms.
    """
    DROP INDEX quiz_sessions_branch;
    CREATE INDEX quiz_sessions_branch
        ON quiz_sessions(branch_id, finished_at, member_id, score, question_count, status)
        WHERE status = 'finished';
    DROP INDEX quiz_sessions_finished;
    DROP INDEX members_branch;
    CREATE INDEX members_branch ON members(branch_id, telegram_id, unreachable_since);
    """,
    # 6: meetings as events (see MEETINGS_AS_EVENTS).
    MEETINGS_AS_EVENTS,
    # 7: the real name asked for after an invite link is a conversation state like the others, so
    # it lapses after ``pending_input_minutes``; a join begun before the upgrade carries on
    # from now. ``members.pending_invite`` is no longer read or written.
    """
    INSERT OR IGNORE INTO pending_input (telegram_id, kind, payload, created_at)
    SELECT telegram_id, 'join_name', json_object('code', pending_invite),
           CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM members WHERE pending_invite IS NOT NULL AND telegram_id IS NOT NULL;
    UPDATE members SET pending_invite = NULL WHERE pending_invite IS NOT NULL;
    """,
    # join: a guarded way in — requests to join a branch or to correct one's real name,
    # each waiting for a secretary's one-tap decision (one open request per person and kind);
    # the reply a correction report is closed with; a broadcast's 收到.
    """
    CREATE TABLE join_requests (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('join', 'rename')),
        telegram_id INTEGER NOT NULL,
        branch_id TEXT NOT NULL,
        name TEXT NOT NULL,
        old_name TEXT,
        invite_code TEXT,
        created_at INTEGER NOT NULL,
        approved INTEGER,
        decided_by INTEGER,
        decided_at INTEGER
    );
    CREATE UNIQUE INDEX join_requests_open ON join_requests(telegram_id, kind)
        WHERE decided_at IS NULL;
    -- The answer a correction was closed with, sent back to the member who reported it.
    ALTER TABLE corrections ADD COLUMN reply TEXT;
    -- When a member tapped 收到 under a broadcast that asked for it.
    ALTER TABLE deliveries ADD COLUMN acknowledged_at INTEGER;
    """,
    # meetings: a secretary's edits of one occurrence (topic and place are already columns): the
    # agenda, the speaker, why it was cancelled, and who last changed it and when.
    """
    ALTER TABLE events ADD COLUMN agenda TEXT NOT NULL DEFAULT '';
    ALTER TABLE events ADD COLUMN speaker TEXT NOT NULL DEFAULT '';
    ALTER TABLE events ADD COLUMN note TEXT NOT NULL DEFAULT '';
    ALTER TABLE events ADD COLUMN edited_by INTEGER;
    ALTER TABLE events ADD COLUMN edited_at INTEGER;
    """,
    # membership over time. A period's figures count the members who were in the unit
    # at its end, so a join, transfer or departure later never changes a past period
    # (docs/organisation.md). One row per stay in a branch; a departure (出党, 去世, 转出本系统)
    # closes the last one and keeps it. ``quiz_sessions_member_finished`` answers "did this
    # member finish a quiz in the period" with one index seek.
    """
    CREATE TABLE memberships (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id),
        branch_id TEXT NOT NULL,
        joined_at INTEGER NOT NULL,
        left_at INTEGER,
        left_reason TEXT CHECK (left_reason IN ('transfer', 'expelled', 'died', 'moved_out')),
        recorded_by INTEGER,
        CHECK (left_at IS NULL OR left_at >= joined_at)
    );
    CREATE INDEX memberships_branch ON memberships(branch_id, joined_at, left_at, member_id);
    -- A member is in at most one branch at a time.
    CREATE UNIQUE INDEX memberships_open ON memberships(member_id) WHERE left_at IS NULL;
    CREATE INDEX quiz_sessions_member_finished ON quiz_sessions(member_id, finished_at)
        WHERE status = 'finished';
    """
    + MEMBERSHIP_BACKFILL,
    # 11: a member's transfers found by the member (merging a roster entry into a joiner, the
    # foreign-key check when a member row goes) instead of by scanning every transfer.
    "CREATE INDEX transfers_member ON transfers(member_id, at);",
    # 12: sign-in at the meeting: a secretary opens one per event (a short code and an unguessable
    # token for the QR link, valid in the meeting's window), with the message showing the live
    # count; a member's wrong codes, counted to stop guessing; when a member confirmed the
    # 补课 (已学习); the study material sent with it.
    """
    CREATE TABLE signin_sessions (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL UNIQUE REFERENCES events(id),
        branch_id TEXT NOT NULL,
        token TEXT NOT NULL UNIQUE,
        code TEXT NOT NULL,
        opens_at INTEGER NOT NULL,
        closes_at INTEGER NOT NULL,
        opened_by INTEGER NOT NULL,
        opened_at INTEGER NOT NULL,
        board_chat INTEGER,
        board_message INTEGER
    );
    CREATE INDEX signin_sessions_branch ON signin_sessions(branch_id, closes_at);
    CREATE INDEX signin_sessions_code ON signin_sessions(code, closes_at);
    CREATE TABLE signin_failures (
        id INTEGER PRIMARY KEY,
        telegram_id INTEGER NOT NULL,
        failed_at INTEGER NOT NULL
    );
    CREATE INDEX signin_failures_person ON signin_failures(telegram_id, failed_at);
    ALTER TABLE attendance ADD COLUMN studied_at INTEGER;
    -- The study material a secretary sets on one occurrence, sent with its 补课.
    ALTER TABLE events ADD COLUMN material TEXT NOT NULL DEFAULT '';
    """,
    # 13: records: a meeting moved to another time (when it was first planned, and how many times
    # it moved, which names each move's announcement), an ad-hoc meeting organised in the chat
    # (党课, 支委会, 党员大会, 党小组会) and whom it is for, how many were expected when that is
    # not the branch, and after it the record: minutes, photos, and when the attendance was
    # frozen (``closed_at``).
    """
    ALTER TABLE events ADD COLUMN moved_from INTEGER;
    ALTER TABLE events ADD COLUMN moves INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE events ADD COLUMN adhoc INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE events ADD COLUMN audience TEXT NOT NULL DEFAULT 'branch';
    ALTER TABLE events ADD COLUMN expected INTEGER;
    ALTER TABLE events ADD COLUMN minutes TEXT NOT NULL DEFAULT '';
    ALTER TABLE events ADD COLUMN closed_at INTEGER;
    ALTER TABLE events ADD COLUMN closed_by INTEGER;
    -- 三会一课 counted per branch and kind from the index alone (a city's year: 356,000
    -- meetings), and the meetings the schedule does not time, whose reminders each tick plans.
    CREATE INDEX events_held ON events(kind, occurs_at, branch_id, status);
    CREATE INDEX events_off_schedule ON events(occurs_at)
        WHERE adhoc = 1 OR moved_from IS NOT NULL;
    CREATE TABLE event_photos (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL REFERENCES events(id),
        file_id TEXT NOT NULL,
        file_unique_id TEXT NOT NULL,
        size INTEGER NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        added_by INTEGER NOT NULL,
        added_at INTEGER NOT NULL,
        UNIQUE (event_id, file_unique_id)
    );
    """,
    # 14: transfer requests: 组织关系转接 into a branch outside the sender's scope waits for the
    # receiving branch's 接收 (docs/organisation.md). At most one pending request per member;
    # a request past ``expires_at`` is marked expired when next touched, one whose member has
    # left the sending branch meanwhile is void.
    """
    CREATE TABLE transfer_requests (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id),
        from_branch TEXT NOT NULL,
        to_branch TEXT NOT NULL,
        requested_by INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (
            status IN ('pending', 'accepted', 'declined', 'withdrawn', 'expired', 'void')
        ),
        decided_by INTEGER,
        decided_at INTEGER,
        -- The sender's copy (in their private chat), whose 撤回 goes once it is decided.
        sender_message INTEGER
    );
    CREATE UNIQUE INDEX transfer_requests_open ON transfer_requests(member_id)
        WHERE status = 'pending';
    -- The foreign-key check when a roster entry is merged into a joiner (see migration 11).
    CREATE INDEX transfer_requests_member ON transfer_requests(member_id);
    """,
    # 15: several processes serving one bot (docs/scaling.md). The receiver writes each
    # update into the inbox once (Telegram's update_id is unique: a redelivered webhook is
    # stored once), under the partition its chat hashes to; the worker holding that
    # partition's lease handles the partition's updates in id order and marks each done.
    # ``leases``: one row per lease (a partition, a worker's heartbeat, the outbox sender and
    # the scheduler), held by ``holder`` until ``expires_at`` (UTC ms) unless renewed.
    """
    CREATE TABLE inbox (
        id INTEGER PRIMARY KEY,
        update_id INTEGER NOT NULL UNIQUE,
        part INTEGER NOT NULL,
        chat_key INTEGER,
        payload TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        done_at INTEGER,
        handled_by TEXT
    );
    CREATE INDEX inbox_pending ON inbox(part, id) WHERE done_at IS NULL;
    CREATE INDEX inbox_done ON inbox(done_at) WHERE done_at IS NOT NULL;
    CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    """,
)
