"""Relative dates: offsets as the EU counts them, and dependants that follow their anchor."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aiwatch.catalog.loader import load_catalog
from aiwatch.catalog.resolve import add_offset
from catalog_factory import milestone, write_catalog


@pytest.mark.parametrize(
    ("anchor", "offset", "expected"),
    [
        (date(2024, 7, 12), "20 days", date(2024, 8, 1)),  # AI Act: publication -> entry into force
        (date(2026, 7, 24), "3 days", date(2026, 7, 27)),  # Omnibus: publication -> in force
        (date(2024, 8, 1), "6 months", date(2025, 2, 1)),
        (date(2025, 8, 31), "6 months", date(2026, 2, 28)),  # clamped to the month's end
        (date(2027, 8, 31), "6 months", date(2028, 2, 29)),  # leap year
        (date(2024, 8, 1), "5 years", date(2029, 8, 1)),
        (date(2029, 8, 1), "-9 months", date(2028, 11, 1)),
        (date(2026, 12, 20), "2 weeks", date(2027, 1, 3)),  # across the year end
        (date(2026, 12, 31), "1 day", date(2027, 1, 1)),
    ],
)
def test_offsets(anchor: date, offset: str, expected: date) -> None:
    assert add_offset(anchor, offset) == expected


def test_relative_dates_follow_their_anchor_and_explain_themselves(tmp_path: Path) -> None:
    entries = [
        milestone("omnibus-oj-publication", date="2026-07-24", kind="publication"),
        milestone(
            "omnibus-entry-into-force",
            after="omnibus-oj-publication",
            offset="3 days",
            kind="entry-into-force",
            legal_basis="Art. 4",
        ),
        milestone("later", after="omnibus-entry-into-force", offset="1 month"),
    ]
    catalog = load_catalog(write_catalog(tmp_path / "a", entries))
    assert catalog.entries["omnibus-entry-into-force"].date == date(2026, 7, 27)
    assert catalog.entries["later"].date == date(2026, 8, 27)
    derivation = catalog.entries["omnibus-entry-into-force"].derivation
    assert derivation == "omnibus-oj-publication (2026-07-24) + 3 days, per Art. 4"
    assert "stated in Art. 113" in catalog.entries["omnibus-oj-publication"].derivation

    entries[0]["date"] = "2026-08-10"  # the anchor moves: every dependant moves with it
    moved = load_catalog(write_catalog(tmp_path / "b", entries))
    assert moved.entries["omnibus-entry-into-force"].date == date(2026, 8, 13)
    assert moved.entries["later"].date == date(2026, 9, 13)
