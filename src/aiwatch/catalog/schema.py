"""The shape of one catalog entry, as written in TOML, and the checks that need only that entry."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from aiwatch.vocabulary import (
    DEFAULT_INSTRUMENT,
    EVENT_KINDS,
    EVENT_STATUSES,
    MILESTONE_KINDS,
    MILESTONE_STATUSES,
    ROLES,
    TOPICS,
)

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TIME_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d$"
OFFSET_RE = re.compile(r"^\s*(-?\d+)\s+(day|days|week|weeks|month|months|year|years)\s*$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$")

EntryType = Literal["milestone", "event"]


def _one_of(value: str, allowed: dict[str, str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} '{value}'; valid: {', '.join(allowed)}")
    return value


class EntrySpec(BaseModel):
    """One [[milestone]] or [[event]] table. Unknown keys are errors: typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    entry_type: EntryType = Field(exclude=True)
    id: str = Field(pattern=ID_PATTERN, max_length=100)
    title: str = Field(min_length=1, max_length=120)
    date: dt.date | None = None
    after: str | None = None
    offset: str | None = None
    time: str | None = Field(default=None, pattern=TIME_PATTERN)
    end_time: str | None = Field(default=None, pattern=TIME_PATTERN)
    tz: str | None = None
    kind: str
    legal_basis: str = Field(min_length=1)
    instrument: str = DEFAULT_INSTRUMENT
    roles: list[str] = Field(min_length=1)
    topics: list[str] = Field(default_factory=list)
    status: str
    summary: str = ""
    sources: list[str] = Field(min_length=1)
    supersedes: str | None = None
    duty_of: Literal["commission", "member-state"] | None = None
    met_on: dt.date | None = None
    met_source: str | None = None
    note: str | None = None

    @field_validator("roles", "topics")
    @classmethod
    def _words_known(cls, words: list[str], info: ValidationInfo) -> list[str]:
        vocabulary, what = (ROLES, "role") if info.field_name == "roles" else (TOPICS, "topic")
        for word in words:
            _one_of(word, vocabulary, what)
        return words

    @field_validator("sources", "met_source")
    @classmethod
    def _urls(cls, urls: list[str] | str | None, info: ValidationInfo) -> list[str] | str | None:
        for url in [urls] if isinstance(urls, str) else urls or ():
            if not URL_RE.match(url):
                raise ValueError(f"{info.field_name} '{url}' is not an http(s) URL")
        return urls

    @field_validator("offset")
    @classmethod
    def _offset_parses(cls, offset: str | None) -> str | None:
        if offset is not None and not OFFSET_RE.match(offset):
            raise ValueError(
                f"offset '{offset}' is not of the form 'N days', 'N weeks', 'N months' or 'N years'"
            )
        return offset

    @model_validator(mode="after")
    def _consistent(self) -> EntrySpec:
        is_event = self.entry_type == "event"
        _one_of(self.kind, EVENT_KINDS if is_event else MILESTONE_KINDS, f"{self.entry_type} kind")
        _one_of(self.status, EVENT_STATUSES if is_event else MILESTONE_STATUSES, "status")
        if (self.date is None) == (self.after is None):
            raise ValueError(
                "give either 'date' or 'after' (with 'offset'), not both and not neither"
            )
        if self.offset is not None and self.after is None:
            raise ValueError("'offset' needs 'after', the entry it counts from")
        if self.after is not None and self.offset is None:
            raise ValueError("'after' needs 'offset', e.g. offset = \"3 days\"")
        if not is_event and (self.time or self.end_time or self.tz):
            raise ValueError(
                "'time', 'end_time' and 'tz' are for events; milestones are whole days"
            )
        if (self.end_time or self.tz) and not self.time:
            raise ValueError("'end_time' and 'tz' need 'time'")
        if self.met_on is not None and self.duty_of is None:
            raise ValueError(
                '\'met_on\' is for duties: add duty_of = "commission" or "member-state"'
            )
        if (self.met_on is None) != (self.met_source is None):
            raise ValueError(
                "'met_on' and 'met_source' go together: a fulfilled duty needs a source"
            )
        if self.supersedes == self.id:
            raise ValueError("an entry cannot supersede itself")
        return self


def parse_offset(offset: str) -> tuple[int, str]:
    """'6 months' -> (6, 'months'); the unit is always plural. Validated by EntrySpec first."""
    match = OFFSET_RE.match(offset)
    if match is None:  # pragma: no cover - EntrySpec rejects these before
        raise ValueError(offset)
    count, unit = int(match.group(1)), match.group(2)
    return count, unit if unit.endswith("s") else unit + "s"
