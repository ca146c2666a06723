"""The bundled catalog: it loads, every date has an official source, and the dates the Act and the
Digital Omnibus state are the ones it holds."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlparse

import pytest

from aiwatch.catalog.loader import Catalog, load_catalog
from aiwatch.settings import bundled_config_dir


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(bundled_config_dir())


def test_it_is_broad(catalog: Catalog) -> None:
    types = [entry.entry_type for entry in catalog.entries.values()]
    assert types.count("milestone") >= 60
    assert types.count("event") >= 40


def test_every_entry_cites_an_official_source(catalog: Catalog) -> None:
    for entry in catalog.entries.values():
        hosts = [urlparse(url).hostname or "" for url in entry.sources]
        assert any(h == "europa.eu" or h.endswith(".europa.eu") for h in hosts), entry.id
        if entry.met_on is not None:
            assert entry.met_source, entry.id


# Dates as Regulation (EU) 2024/1689 and Regulation (EU) 2026/1744 state them.
STATED = {
    "aiact-oj-publication": date(2024, 7, 12),
    "aiact-entry-into-force": date(2024, 8, 1),  # Art. 113: twentieth day after publication
    "prohibitions-apply": date(2025, 2, 2),  # Art. 113(a)
    "ai-literacy-apply": date(2025, 2, 2),  # Art. 113(a)
    "gpai-obligations-apply": date(2025, 8, 2),  # Art. 113(b)
    "penalties-apply": date(2025, 8, 2),  # Art. 113(b)
    "aiact-general-application": date(2026, 8, 2),  # Art. 113, second paragraph
    "gpai-enforcement-powers-start": date(2026, 8, 2),  # Art. 113(b) excludes Art. 101
    "art6-guidelines": date(2026, 2, 2),  # Art. 6(5)
    "legacy-gpai-models-compliance": date(2027, 8, 2),  # Art. 111(3)
    "legacy-high-risk-public-authorities-compliance": date(2030, 8, 2),  # Art. 111(2)
    "large-scale-it-systems-compliance": date(2030, 12, 31),  # Art. 111(1)
    "omnibus-proposal": date(2025, 11, 19),  # COM(2025) 836
    "omnibus-oj-publication": date(2026, 7, 24),  # OJ L, 2026/1744
    "omnibus-entry-into-force": date(2026, 7, 27),  # Reg. 2026/1744 Art. 4: third day
    "high-risk-annex-iii-apply-omnibus": date(2027, 12, 2),
    "high-risk-annex-i-apply-omnibus": date(2028, 8, 2),
    "transparency-art50-2-grace-omnibus": date(2026, 12, 2),  # new Art. 111(4)
    "prohibition-non-consensual-intimate-material-omnibus": date(2026, 12, 2),
    "prohibition-csam-generation-omnibus": date(2026, 12, 2),
}


@pytest.mark.parametrize(("entry_id", "expected"), sorted(STATED.items()))
def test_stated_dates(catalog: Catalog, entry_id: str, expected: date) -> None:
    assert catalog.entries[entry_id].date == expected


def test_the_omnibus_replaced_the_high_risk_dates(catalog: Catalog) -> None:
    for original, successor in [
        ("high-risk-annex-iii-apply", "high-risk-annex-iii-apply-omnibus"),
        ("high-risk-annex-i-apply", "high-risk-annex-i-apply-omnibus"),
    ]:
        assert catalog.entries[original].status == "superseded"
        assert catalog.entries[successor].supersedes == original
        assert catalog.entries[successor].instrument == "Regulation (EU) 2026/1744"
        assert [e.id for e in catalog.lineage(successor)] == [original, successor]
    assert catalog.entries["high-risk-annex-iii-apply"].date == date(2026, 8, 2)
    assert catalog.entries["high-risk-annex-i-apply"].date == date(2027, 8, 2)


def test_duties_carry_who_owes_them(catalog: Catalog) -> None:
    duties = [e for e in catalog.entries.values() if e.duty_of]
    assert {e.duty_of for e in duties} == {"commission", "member-state"}
    assert catalog.entries["art6-guidelines"].duty_of == "commission"
    assert catalog.entries["art6-guidelines"].met_on is None  # only a draft was published
