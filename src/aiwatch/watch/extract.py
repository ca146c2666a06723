"""The extract stage (pure): deadlines and event dates mentioned in an item's title or summary.

A date counts when it names at least a day and a month and either follows a deadline cue ("until",
"bis", "jusqu'au", "senast", "tot", "entro", "hasta", ...) or stands in an item about an event or a
meeting. The item's own publication date is never a mentioned date, nor is a date before it. Dates
are found by a pattern (which also skips the many items that mention none) and read by dateparser
in the item's language and English; a phrase without a year means its next occurrence.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from aiwatch.watch.classify import fold

LANGUAGES = ("en", "de", "fr", "sv", "nl", "it", "es")
MONTHS = (  # noqa: SIM905 (a line per language reads better than a list)
    "january february march april may june july august september october november december "
    "januar februar märz marz maerz mai juni juli oktober dezember "
    "janvier février fevrier mars avril juin juillet août aout septembre octobre novembre "
    "décembre decembre januari februari maj augusti maart mei augustus "
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre dicembre "
    "enero febrero abril mayo junio julio septiembre setiembre octubre noviembre diciembre "
    "jan feb mar apr jun jul aug sep sept oct okt nov dec dez"
).split()
_MONTH = "(?:" + "|".join(sorted(set(MONTHS), key=len, reverse=True)) + r")\.?"
# Where a date is written: "15 January 2027", "15. Januar", "15 de enero de 2027", "January 15,
# 2027", "2027-01-15", "15.01.2027". The regex only finds the phrase; dateparser reads it.
DATE_PHRASE = re.compile(
    r"\b(?P<dm>\d{1,2})(?:st|nd|rd|th|er|e|º|\.)?\s+(?:de\s+)?" + _MONTH
    + r"(?:,?\s+(?:de\s+|del\s+)?(?P<y1>\d{4}))?\b"
    + r"|\b" + _MONTH + r"\s+(?P<md>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>\d{4}))?"
    + r"|\b(?P<y3>\d{4})-\d{2}-\d{2}\b"
    + r"|\b\d{1,2}[./]\d{1,2}[./](?P<y4>\d{4})\b",
    re.IGNORECASE,
)  # fmt: skip
DIGIT = re.compile(r"\d")
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
    if not DIGIT.search(text):
        return []  # every date form aiwatch reads has a digit in it
    base = (published or now).date()
    results: list[MentionedDate] = []
    for match in DATE_PHRASE.finditer(text):
        phrase = match.group(0)
        has_year = any(match.group(g) for g in ("y1", "y2", "y3", "y4"))
        read = read_phrase(phrase, lang if lang in LANGUAGES else "en")
        if read is None:
            continue
        day = read if has_year else next_occurrence(read.month, read.day, base)
        if day is None or (published is not None and day <= published.date()):
            continue  # the item's own date, or a date already past when it was published
        before = fold(text[max(0, match.start() - CUE_WINDOW) : match.start()] + " " + phrase)
        if any(cue + " " in before for cue in DEADLINE_CUES):
            kind = "consultation-deadline"
        elif label in EVENT_LABELS:
            kind = "event"
        else:
            continue
        if all(existing.date != day for existing in results):
            results.append(MentionedDate(day, kind, phrase.strip()))
    return results


@functools.lru_cache(maxsize=4096)
def read_phrase(phrase: str, lang: str) -> dt.date | None:
    """A date phrase read by dateparser in the item's language (then English); None if it is not
    a real date. Cached: the same phrases recur across items and feeds."""
    parsed = _parser(lang).get_date_data(phrase)
    if parsed.date_obj is None or parsed.period != "day":
        return None
    return parsed.date_obj.date()  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=16)
def _parser(lang: str) -> Any:
    from dateparser.date import DateDataParser  # slow to import: only items with dates pay

    languages = [lang, "en"] if lang != "en" else ["en"]
    return DateDataParser(
        languages=languages,
        settings={"REQUIRE_PARTS": ["day", "month"], "PREFER_DATES_FROM": "future",
                  "RETURN_AS_TIMEZONE_AWARE": False, "DATE_ORDER": "DMY"},
    )  # fmt: skip


def next_occurrence(month: int, day: int, base: dt.date) -> dt.date | None:
    """A day and month with no year: their first occurrence on or after ``base``."""
    for year in (base.year, base.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate >= base:
            return candidate
    return None
