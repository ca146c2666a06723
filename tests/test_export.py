"""`aiwatch calendar export` and the repository's feeds/: deterministic, atomic, never stale."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from aiwatch.export import export_calendars
from aiwatch.settings import load_settings
from aiwatch.sync import prepare_store

ROOT = Path(__file__).resolve().parent.parent


def export_bundled(target: Path, db: Path) -> tuple[list[str], list[str], list[str]]:
    store = prepare_store(load_settings(database_url=f"sqlite:///{db}"), dt.datetime.now(dt.UTC))
    try:
        return export_calendars(store, target)
    finally:
        store.close()


def test_feeds_folder_is_the_export_of_the_bundled_catalog(tmp_path: Path) -> None:
    export_bundled(tmp_path / "fresh", tmp_path / "a.db")
    expected = {p.name: p.read_bytes() for p in (tmp_path / "fresh").glob("*.ics")}
    committed = {p.name: p.read_bytes() for p in (ROOT / "feeds").glob("*.ics")}
    assert sorted(committed) == sorted(expected), "feeds/ is stale: run `make feeds`"
    stale = [name for name in expected if committed[name] != expected[name]]
    assert not stale, f"feeds/ is stale ({', '.join(stale[:3])}...): run `make feeds`"


def test_export_is_deterministic_and_leaves_unchanged_files_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    written, unchanged, _ = export_bundled(out, tmp_path / "a.db")
    assert "aiact.ics" in written and "aiact-role-deployer.ics" in written
    assert "aiact-topic-high-risk.ics" in written and not unchanged
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    written, unchanged, _ = export_bundled(out, tmp_path / "b.db")  # another fresh database
    assert written == [] and len(unchanged) == len(stamps)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps


def test_export_removes_its_own_stale_files_only(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "aiact-topic-retired.ics").write_text("old")
    (out / "notes.txt").write_text("mine")
    _, _, removed = export_bundled(out, tmp_path / "a.db")
    assert removed == ["aiact-topic-retired.ics"]
    assert (out / "notes.txt").read_text() == "mine"
    assert not list(out.glob(".*.tmp"))
