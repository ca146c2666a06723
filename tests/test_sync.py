"""The catalog is synced into the database idempotently: an unchanged catalog writes nothing, a
changed date or status writes one revision, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import select

from aiwatch.catalog.loader import load_catalog
from aiwatch.models import Event, Milestone, Revision
from aiwatch.store import Store
from aiwatch.sync import sync_catalog
from catalog_factory import event, milestone, write_catalog

T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)


def sync(store: Store, folder: Path, now: dt.datetime):  # type: ignore[no-untyped-def]
    with store.session() as session:
        return sync_catalog(session, load_catalog(folder), now)


def revisions(store: Store) -> list[Revision]:
    with store.session() as session:
        return list(session.exec(select(Revision).order_by(Revision.id)))  # type: ignore[arg-type]


def entries() -> list[dict[str, object]]:
    return [
        milestone("anchor", date="2026-07-24", kind="publication", status="applied"),
        milestone("dependant", after="anchor", offset="3 days", kind="entry-into-force"),
        milestone("other", date="2027-08-02"),
    ]


def test_first_sync_records_every_entry_once(store: Store, tmp_path: Path) -> None:
    folder = write_catalog(tmp_path / "c", entries(), [event("board-1", date="2026-09-10")])
    result = sync(store, folder, T0)
    assert sorted(result.added) == ["anchor", "board-1", "dependant", "other"]
    created = revisions(store)
    assert [(r.entry_id, r.change) for r in created] == [
        ("anchor", "created"),
        ("dependant", "created"),
        ("other", "created"),
        ("board-1", "created"),
    ]
    assert created[1].new_date == dt.date(2026, 7, 27)
    assert created[0].changed_by == "Regulation (EU) 2024/1689, Art. 113"
    with store.session() as session:
        assert session.get(Event, "board-1") is not None
        assert session.get(Milestone, "board-1") is None


def test_unchanged_catalog_writes_nothing(store: Store, tmp_path: Path) -> None:
    folder = write_catalog(tmp_path / "c", entries())
    sync(store, folder, T0)
    with store.session() as session:
        stamp = session.get(Milestone, "other").updated_at  # type: ignore[union-attr]
    result = sync(store, folder, T1)
    assert not result.wrote_anything
    assert len(revisions(store)) == 3
    with store.session() as session:
        assert session.get(Milestone, "other").updated_at == stamp  # type: ignore[union-attr]


def test_moved_anchor_writes_one_revision_per_moved_entry(store: Store, tmp_path: Path) -> None:
    data = entries()
    sync(store, write_catalog(tmp_path / "c", data), T0)
    data[0]["date"] = "2026-08-10"
    result = sync(store, write_catalog(tmp_path / "c", data), T1)
    assert sorted(result.changed) == ["anchor", "dependant"]
    moved = [r for r in revisions(store) if r.change == "changed"]
    assert [(r.entry_id, r.old_date, r.new_date, r.seen_at) for r in moved] == [
        ("anchor", dt.date(2026, 7, 24), dt.date(2026, 8, 10), T1),
        ("dependant", dt.date(2026, 7, 27), dt.date(2026, 8, 13), T1),
    ]
    # Syncing the same catalog again writes nothing more.
    sync(store, write_catalog(tmp_path / "c", data), T2)
    assert len(revisions(store)) == 5


def test_status_change_is_a_revision_but_a_new_title_is_not(store: Store, tmp_path: Path) -> None:
    data = entries()
    sync(store, write_catalog(tmp_path / "c", data), T0)
    data[2]["title"] = "A clearer title"
    result = sync(store, write_catalog(tmp_path / "c", data), T1)
    assert result.updated == ["other"] and not result.changed
    assert len(revisions(store)) == 3
    data[2]["status"] = "applied"
    sync(store, write_catalog(tmp_path / "c", data), T2)
    last = revisions(store)[-1]
    assert (last.entry_id, last.old_status, last.new_status) == ("other", "in-force", "applied")
    with store.session() as session:
        assert session.get(Milestone, "other").title == "A clearer title"  # type: ignore[union-attr]


def test_entry_leaving_and_returning_to_the_catalog(store: Store, tmp_path: Path) -> None:
    data = entries()
    sync(store, write_catalog(tmp_path / "c", data), T0)
    result = sync(store, write_catalog(tmp_path / "c", data[:2]), T1)
    assert result.removed == ["other"]
    with store.session() as session:
        assert session.get(Milestone, "other").in_catalog is False  # type: ignore[union-attr]
    result = sync(store, write_catalog(tmp_path / "c", data), T2)
    assert result.added == ["other"]
    assert [r.change for r in revisions(store) if r.entry_id == "other"] == [
        "created", "removed", "restored"
    ]  # fmt: skip
