"""Dates relative to other entries: offsets, cycles, and how each date explains itself."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from aiwatch.catalog.schema import EntrySpec, parse_offset


def add_offset(anchor: date, offset: str) -> date:
    """``anchor`` moved by ``offset``. Months and years keep the day of the month, clamped to the
    month's last day (31 August + 6 months = 28 or 29 February), as Regulation 1182/71 Art. 3(2)(c)
    counts periods expressed in months."""
    count, unit = parse_offset(offset)
    if unit == "days":
        return anchor + timedelta(days=count)
    if unit == "weeks":
        return anchor + timedelta(weeks=count)
    months = count * (12 if unit == "years" else 1)
    month_index = anchor.month - 1 + months
    year, month = anchor.year + month_index // 12, month_index % 12 + 1
    day = min(anchor.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def find_cycle(specs: dict[str, EntrySpec]) -> list[str] | None:
    """The first chain of ``after`` references that loops back on itself, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in specs:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in specs and state.get(node) != 2:
            if state.get(node) == 1:
                return [*path[path.index(node) :], node]
            state[node] = 1
            path.append(node)
            node = specs[node].after
        for visited in path:
            state[visited] = 2
    return None


def resolve_dates(specs: dict[str, EntrySpec]) -> dict[str, tuple[date, str]]:
    """Every entry's date with its derivation; references must exist and be acyclic already.

    The derivation is what a reader needs to trust the date: the article that states it, or the
    anchor and the offset it was computed from, all the way down.
    """
    resolved: dict[str, tuple[date, str]] = {}

    def resolve(entry_id: str) -> tuple[date, str]:
        if entry_id in resolved:
            return resolved[entry_id]
        spec = specs[entry_id]
        if spec.date is not None:
            result = (spec.date, f"stated in {spec.legal_basis}, {spec.instrument}")
        else:
            assert spec.after is not None and spec.offset is not None
            anchor_date, _ = resolve(spec.after)
            result = (
                add_offset(anchor_date, spec.offset),
                f"{spec.after} ({anchor_date.isoformat()}) + {spec.offset}, per {spec.legal_basis}",
            )
        resolved[entry_id] = result
        return result

    for entry_id in specs:
        resolve(entry_id)
    return resolved
