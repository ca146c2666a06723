"""Statuses that are computed, never typed: a duty whose date has passed unmet is overdue."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from aiwatch.vocabulary import OVERDUE, REPLACED_STATUSES, TENTATIVE_STATUSES


class HasDuty(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def duty_of(self) -> str | None: ...
    @property
    def met_on(self) -> date | None: ...


def effective_status(entry: HasDuty, entry_date: date, as_of: date) -> str:
    """The status to show on ``as_of``: the typed one, or ``overdue`` for a duty of the Commission
    or a Member State whose date has passed with no ``met_on`` (or that was met only later)."""
    if entry.duty_of is None or entry.status in REPLACED_STATUSES | TENTATIVE_STATUSES:
        return entry.status
    if entry_date < as_of and (entry.met_on is None or entry.met_on > as_of):
        return OVERDUE
    return entry.status
