"""The extract stage (pure): deadlines and event dates mentioned in an item's title or summary.

A date counts when it names at least a day and a month and either follows a deadline cue ("until",
"bis", "jusqu'au", "senast", "tot", "entro", "hasta", ...) or stands in an item about an event or a
meeting. The item's own publication date is never a mentioned date, nor is a date before it. Dates
are read by dateparser, in the item's language and English; a cheap pattern check first skips the
many items that mention no date at all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from aiwatch.watch.classify import fold

LANGUAGES = ("en", "de", "fr", "sv", "nl", "it", "es")
MONTHS = (  # noqa: SIM905 (a line per language reads better than a list)
    "january february march april may june july august september october november december "
    "januar februar marz maerz mai juni juli oktober dezember "
    "janvier fevrier mars avril juin juillet aout septembre octobre novembre decembre "
    "januari februari mars april maj juni juli augusti oktober "
    "januari februari maart mei augustus "
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre dicembre "
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre "
    "diciembre jan feb mar apr jun jul aug sep sept oct okt nov dec dez"
).split()
MONTH_ALT = "|".join(sorted(set(MONTHS), key=len, reverse=True))
DATE_HINT = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th|er|e|\.)?\s+(?:de\s+)?(?:" + MONTH_ALT
    + r")\b|\b(?:" + MONTH_ALT
    + r")\s+\d{1,2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"
)  # fmt: skip
DEADLINE_CUES = tuple(
    fold(cue).rstrip()
    for cue in (
        "until", "by", "before", "deadline", "closes", "closing", "no later than", "open till",
        "bis", "bis zum", "bis spatestens", "frist", "jusqu", "jusqu au", "avant le",
        "au plus tard", "date limite", "senast", "till och med", "sista dag", "tot", "uiterlijk",
        "tot en met", "entro", "fino al", "scadenza", "hasta", "antes del", "plazo",
    )
)  # fmt: skip
EVENT_LABELS = frozenset({"event", "board-meeting"})
CUE_WINDOW = 40


@dataclass(frozen=True)
class MentionedDate:
    date: dt.date
    kind: str  # "consultation-deadline" or "event"
    phrase: str


def mentioned_dates(
    title: str,
    summary: str,
    label: str,
    lang: str | None,
    published: dt.datetime | None,
    now: dt.datetime,
) -> list[MentionedDate]:
    text = f"{title}. {summary}" if summary else title
    if not DATE_HINT.search(fold(text)):
        return []
    from dateparser.search import search_dates  # slow to import; only items with dates pay

    base = (published or now).replace(tzinfo=None)
    languages = [lang] if lang in LANGUAGES and lang != "en" else []
    found = search_dates(
        text,
        languages=[*languages, "en"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "future",
            "REQUIRE_PARTS": ["day", "month"],
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    results: list[MentionedDate] = []
    position = 0
    for phrase, moment in found or ():
        at = text.find(phrase, position)
        position = at + len(phrase) if at >= 0 else position
        day = moment.date()
        if published is not None and day <= published.date():
            continue  # the item's own date, or a date already past when it was published
        before = fold(text[max(0, at - CUE_WINDOW) : max(at, 0)] + " " + phrase)
        if any(cue + " " in before for cue in DEADLINE_CUES):
            kind = "consultation-deadline"
        elif label in EVENT_LABELS:
            kind = "event"
        else:
            continue
        if all(existing.date != day for existing in results):
            results.append(MentionedDate(day, kind, phrase.strip()))
    return results
