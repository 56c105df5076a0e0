"""The database schema, as numbered migrations applied in order at start-up.

``PRAGMA user_version`` records how far a database has come. A migration once shipped is
never edited: a change is a new entry at the end. Times are UTC milliseconds since the epoch,
so that period statistics are integer range scans.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: members, quizzes and every answer.
    """
    CREATE TABLE members (
        id INTEGER PRIMARY KEY,
        telegram_id INTEGER NOT NULL UNIQUE,
        first_name TEXT NOT NULL,
        last_name TEXT,
        username TEXT,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
    );

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
        bank_version TEXT NOT NULL
    );
    -- At most one quiz in progress per member, whatever the handlers believe.
    CREATE UNIQUE INDEX quiz_sessions_one_active ON quiz_sessions(member_id)
        WHERE status = 'active';
    CREATE INDEX quiz_sessions_member ON quiz_sessions(member_id, started_at);

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
            status = CASE WHEN position + 1 >= json_array_length(question_ids)
                          THEN 'finished' ELSE 'active' END,
            finished_at = CASE WHEN position + 1 >= json_array_length(question_ids)
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
)
