"""Writing an imported bank: stable ids across re-imports, what changed, the YAML file.

A question keeps its id when the sheet is imported again, so that recorded answers and
correction reports stay attached: first by content (the id is a hash of the document, stem and
options), then, for a question whose wording was corrected, by its stem alone (options edited)
or its options alone (stem edited), among the questions of the file being replaced. Whatever
changed is reported field by field before anything is written.
"""

from __future__ import annotations

import os
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.quiz import bank_texts as say
from bot.quiz.importer.normalising import Draft, loose, question_id
from bot.spreadsheets import read_text
from bot.yamlfile import InvalidFileError


@dataclass(frozen=True)
class Change:
    id: str
    place: str
    fields: tuple[str, ...]
    """Field names (``stem``, ``answer``…) that differ from the file being replaced."""


@dataclass(frozen=True)
class Changes:
    added: tuple[Change, ...] = ()
    changed: tuple[Change, ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    """(id, stem) of questions the new sheet no longer has."""
    same: int = 0


def previous_questions(output: Path) -> list[dict[str, Any]]:
    """The questions of the bank file an import replaces; none if there is none (or it is
    not a bank file: then every question counts as new)."""
    return bank_questions(output) if output.exists() else []


def bank_questions(path: Path) -> list[dict[str, Any]]:
    """The question mappings of a bank file that have a string id; none if it cannot be read.

    Read without positions (libyaml when present): nothing here is reported at a line, and
    the positioned reader takes seconds on a file of a few thousand questions."""
    try:
        text = read_text(path, str(path))
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (InvalidFileError, yaml.YAMLError, ValueError):
        return []
    questions = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(questions, list):
        return []
    return [q for q in questions if isinstance(q, dict) and isinstance(q.get("id"), str)]


def assign_ids(
    drafts: Sequence[Draft], previous: Sequence[Mapping[str, Any]], prefix: str, document: str
) -> None:
    """Give each draft an id: its own 编号 if the sheet has one, else the id of the question it
    revises (the same text; or the same stem, or the same options, where only one old and one
    new question share it), else the hash of its text."""
    hashed = {
        id(d): question_id(prefix, document, d.data.get("stem", ""), d.data.get("options", []))
        for d in drafts
    }
    free = {q["id"]: q for q in previous}
    waiting = [d for d in drafts if "id" not in d.data]
    for draft in list(waiting):  # the same text: the same id
        if hashed[id(draft)] in free:
            draft.data = {"id": hashed[id(draft)], **draft.data}
            free.pop(hashed[id(draft)])
            waiting.remove(draft)
    taken = {d.data["id"] for d in drafts if "id" in d.data}
    # Corrected wording: the id of what it corrects, matched by stem alone, then by options
    # alone; only where the match is one to one, since stems like 下列说法正确的是 are shared
    # by different questions, which must not inherit each other's answers.
    for key in (_stem_key, _options_key):
        olds = Counter(key(q) for q in previous)
        news = Counter(key(d.data) for d in drafts)
        for draft in list(waiting):
            wanted = key(draft.data)
            if wanted is None or olds[wanted] != 1 or news[wanted] != 1:
                continue
            match = next(qid for qid, q in free.items() if qid not in taken and key(q) == wanted)
            draft.data = {"id": match, **draft.data}
            free.pop(match)
            taken.add(match)
            waiting.remove(draft)
    for draft in waiting:
        draft.data = {"id": hashed[id(draft)], **draft.data}
    for draft in drafts:  # "id" first in the written mapping
        draft.data = {"id": draft.data["id"], **{k: v for k, v in draft.data.items() if k != "id"}}


def _stem_key(question: Mapping[str, Any]) -> tuple[str, str] | None:
    stem = question.get("stem")
    return (str(question.get("type")), loose(stem)) if isinstance(stem, str) and stem else None


def _options_key(question: Mapping[str, Any]) -> tuple[str, tuple[str, ...]] | None:
    options = question.get("options")
    if not isinstance(options, list) or len(options) < 2:
        return None
    return (str(question.get("type")), tuple(loose(str(o)) for o in options))


def changes(drafts: Sequence[Draft], previous: Sequence[Mapping[str, Any]]) -> Changes:
    before = {q["id"]: q for q in previous}
    added: list[Change] = []
    changed: list[Change] = []
    same = 0
    for draft in drafts:
        place = draft.record.spot.place
        old = before.pop(draft.data["id"], None)
        if old is None:
            added.append(Change(draft.data["id"], place, ()))
            continue
        keys = dict.fromkeys([*draft.data, *old])
        fields = tuple(
            k for k in keys if k != "id" and _same(old.get(k)) != _same(draft.data.get(k))
        )
        if fields:
            changed.append(Change(draft.data["id"], place, fields))
        else:
            same += 1
    removed = tuple((qid, str(q.get("stem", ""))) for qid, q in before.items())
    return Changes(tuple(added), tuple(changed), removed, same)


def _same(value: Any) -> Any:
    """Values as compared across a re-import: a date the YAML reader made is its text."""
    return value.isoformat() if isinstance(value, date) else value


def change_lines(result: Changes, output: Path) -> list[str]:
    """The report of what a re-import changed, for the command line."""
    lines = [
        say.CHANGES.format(
            output=output,
            added=len(result.added),
            changed=len(result.changed),
            removed=len(result.removed),
            same=result.same,
        )
    ]
    lines += [
        say.CHANGED_ITEM.format(
            id=c.id, place=c.place, fields="、".join(say.FIELD_NAMES.get(f, f) for f in c.fields)
        )
        for c in result.changed
    ]
    lines += [say.ADDED_ITEM.format(id=c.id, place=c.place) for c in result.added]
    lines += [say.REMOVED_ITEM.format(id=qid, stem=stem) for qid, stem in result.removed]
    return lines


def bank_yaml(
    source: Path,
    document: str,
    title: str,
    revision: str,
    reference: str | None,
    questions: Sequence[Mapping[str, Any]],
) -> str:
    try:
        revised: date | str = date.fromisoformat(revision)
    except ValueError:
        revised = revision
    head: dict[str, Any] = {"document": document, "title": title, "revision": revised}
    if reference:
        head["reference"] = reference
    head["questions"] = [dict(q) for q in questions]
    # libyaml's dumper, when present, writes the same text four times faster.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body = yaml.dump(
        head,
        Dumper=dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
        default_flow_style=False,
    )
    # A blank line between questions, as in the hand-written files.
    body = body.replace("\n- id: ", "\n\n- id: ")
    comment = (
        f"# Imported from {source.name} with `python -m bot bank import`; importing an updated\n"
        "# sheet again keeps each question's id. Questions without explanation show the quote.\n"
    )
    return comment + body


def write_atomically(output: Path, text: str) -> None:
    """Beside the output, then renamed over it: a bot starting meanwhile reads the old file or
    the new one, never half of one; the temporary name is not *.yaml, so it is never read."""
    # Created with open(), not mkstemp, so the file gets the usual permissions (umask).
    temporary = output.parent / f".{output.name}.{secrets.token_hex(4)}.importing"
    try:
        with temporary.open("x", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
