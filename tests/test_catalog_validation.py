"""A broken catalog is refused with a message naming the file and the entry; nothing is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aiwatch.catalog.loader import load_catalog
from aiwatch.errors import CatalogError, CatalogErrors
from catalog_factory import event, milestone, write_catalog

# (what is wrong, the entries, a phrase the message must contain, the entry id it must name)
BROKEN: list[tuple[str, list[dict[str, Any]], str, str | None]] = [
    ("unknown key", [milestone("a", colour="red")], "unknown key 'colour'", "a"),
    ("bad date", [milestone("a", date="2026-02-30")], "bad date", "a"),
    ("not a date", [milestone("a", date="next year")], "bad date", "a"),
    (
        "unknown anchor",
        [milestone("a", after="nope", offset="3 days")],
        "unknown entry 'nope'",
        "a",
    ),
    (
        "unknown superseded entry",
        [milestone("a", supersedes="ghost")],
        "'supersedes' names unknown entry 'ghost'",
        "a",
    ),
    (
        "cycle",
        [
            milestone("a", after="b", offset="1 days"),
            milestone("b", after="c", offset="1 days"),
            milestone("c", after="a", offset="1 days"),
        ],
        "cycle: a -> b -> c -> a",
        "a",
    ),
    ("self cycle", [milestone("a", after="a", offset="1 days")], "cycle: a -> a", "a"),
    ("missing sources", [milestone("a", sources=None)], "missing required key 'sources'", "a"),
    ("empty sources", [milestone("a", sources=[])], "'sources' needs at least one value", "a"),
    ("source not a URL", [milestone("a", sources=["EUR-Lex"])], "not an http(s) URL", "a"),
    ("missing title", [milestone("a", title=None)], "missing required key 'title'", "a"),
    ("unknown role", [milestone("a", roles=["ceo"])], "unknown role 'ceo'", "a"),
    ("unknown topic", [milestone("a", topics=["cats"])], "unknown topic 'cats'", "a"),
    ("unknown kind", [milestone("a", kind="party")], "unknown milestone kind 'party'", "a"),
    ("unknown status", [milestone("a", status="maybe")], "unknown status 'maybe'", "a"),
    ("typed overdue", [milestone("a", status="overdue")], "unknown status 'overdue'", "a"),
    (
        "date and rule",
        [milestone("b"), milestone("a", date="2026-01-01", after="b", offset="1 days")],
        "either 'date' or 'after'",
        "a",
    ),
    ("no date at all", [milestone("a", date=None)], "either 'date' or 'after'", "a"),
    ("rule without offset", [milestone("b"), milestone("a", after="b")], "'after' needs", "a"),
    (
        "bad offset",
        [milestone("b"), milestone("a", after="b", offset="soon")],
        "offset 'soon'",
        "a",
    ),
    (
        "met without source",
        [milestone("a", duty_of="commission", met_on="2026-01-01")],
        "'met_on' and 'met_source' go together",
        "a",
    ),
    (
        "met without duty",
        [milestone("a", met_on="2026-01-01", met_source="https://ec.europa.eu/x")],
        "'met_on' is for duties",
        "a",
    ),
    ("duplicate id", [milestone("a"), milestone("a")], "duplicate id", "a"),
    ("bad id", [milestone("Not An Id")], "'id'", "Not An Id"),
    (
        "superseded but no successor",
        [milestone("a", status="superseded")],
        "no entry names it in 'supersedes'",
        "a",
    ),
    (
        "successor in force but original still in force",
        [milestone("a"), milestone("b", supersedes="a", date="2027-12-02")],
        "'a' must be 'superseded' or 'amended'",
        "b",
    ),
    ("time on a milestone", [milestone("a", time="10:00")], "are for events", "a"),
]


@pytest.mark.parametrize(
    ("entries", "phrase", "entry_id"),
    [pytest.param(e, p, i, id=name) for name, e, p, i in BROKEN],
)
def test_broken_entry_is_reported_with_file_and_id(
    tmp_path: Path, entries: list[dict[str, Any]], phrase: str, entry_id: str | None
) -> None:
    folder = write_catalog(tmp_path / "cat", entries)
    with pytest.raises(CatalogErrors) as info:
        load_catalog(folder)
    matching = [e for e in info.value.errors if phrase in e.message]
    assert matching, f"no error mentions {phrase!r}: {info.value}"
    assert matching[0].path == str(folder / "milestones.toml")
    assert matching[0].entry_id == entry_id
    assert str(folder / "milestones.toml") in str(info.value)


def test_bad_event_time_zone_names_the_event(tmp_path: Path) -> None:
    folder = write_catalog(
        tmp_path / "cat", [milestone("a")], [event("board", time="10:00", tz="Europe/Atlantis")]
    )
    with pytest.raises(CatalogErrors) as info:
        load_catalog(folder)
    assert "events.toml: entry 'board': unknown time zone 'Europe/Atlantis'" in str(info.value)


def test_invalid_toml_names_the_file_and_line(tmp_path: Path) -> None:
    folder = write_catalog(tmp_path / "cat", [milestone("a")])
    (folder / "events.toml").write_text('[[event]]\nid = "x\n', encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(folder)
    assert "events.toml: not valid TOML" in str(info.value)
    assert "line 2" in str(info.value)


def test_unknown_top_level_table_is_an_error(tmp_path: Path) -> None:
    folder = write_catalog(tmp_path / "cat", [milestone("a")])
    text = (folder / "milestones.toml").read_text()
    (folder / "milestones.toml").write_text(text + "\n[[milstone]]\nid = 'typo'\n")
    with pytest.raises(CatalogErrors) as info:
        load_catalog(folder)
    assert "unknown top-level key 'milstone'" in str(info.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    folder = write_catalog(
        tmp_path / "cat", [milestone("a", colour="red"), milestone("b", roles=["ceo"])]
    )
    with pytest.raises(CatalogErrors) as info:
        load_catalog(folder)
    assert {e.entry_id for e in info.value.errors} == {"a", "b"}


def test_missing_folder_and_missing_milestones_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="catalog folder not found"):
        load_catalog(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CatalogError, match=r"milestones\.toml not found"):
        load_catalog(tmp_path / "empty")
