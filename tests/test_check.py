"""`aiwatch check` and `aiwatch timeline` on the bundled catalog, at frozen dates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from aiwatch.store import Store
from catalog_factory import milestone, write_catalog


def as_json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@freeze_time("2026-07-20 08:00:00")
def test_august_2026_wave_is_within_30_days(cli: Any) -> None:
    report = as_json(cli("check", "--offline", "--within", "30", "--format", "json"))
    assert report["as_of"] == "2026-07-20"
    due = {item["id"]: item for item in report["upcoming"]}
    assert due["aiact-general-application"]["date"] == "2026-08-02"
    assert due["aiact-general-application"]["days_left"] == 13
    assert due["transparency-art50-apply"]["legal_basis"]
    assert "gpai-enforcement-powers-start" in due
    # Annex III no longer applies on 2 August 2026: the Omnibus moved it.
    assert "high-risk-annex-iii-apply" not in due
    assert "high-risk-annex-iii-apply-omnibus" not in due


@freeze_time("2026-07-20 08:00:00")
def test_annex_iii_shows_the_omnibus_date_with_the_original_in_its_history(cli: Any) -> None:
    items = as_json(cli("timeline", "--format", "json", "--topic", "high-risk"))
    by_id = {item["id"]: item for item in items}
    assert "high-risk-annex-iii-apply" not in by_id  # not left behind as a second date
    annex_iii = by_id["high-risk-annex-iii-apply-omnibus"]
    assert annex_iii["date"] == "2027-12-02"
    assert annex_iii["original_date"] == "2026-08-02"
    assert annex_iii["instrument"] == "Regulation (EU) 2026/1744"
    assert [(h["date"], h["entry_id"]) for h in annex_iii["history"]] == [
        ("2026-08-02", "high-risk-annex-iii-apply"),
        ("2027-12-02", "high-risk-annex-iii-apply-omnibus"),
    ]
    assert "Regulation (EU) 2024/1689" in annex_iii["history"][0]["changed_by"]
    assert by_id["high-risk-annex-i-apply-omnibus"]["original_date"] == "2027-08-02"
    every = as_json(cli("timeline", "--format", "json", "--all", "--topic", "high-risk"))
    assert "high-risk-annex-iii-apply" in {item["id"] for item in every}


@freeze_time("2026-07-20 08:00:00")
def test_timeline_json_fields(cli: Any) -> None:
    items = as_json(cli("timeline", "--format", "json"))
    required = {"id", "title", "date", "kind", "legal_basis", "status", "roles", "topics",
                "sources", "derivation", "history"}  # fmt: skip
    for item in items:
        assert required <= item.keys()
        assert item["sources"] and item["derivation"] and item["history"]
    dates = [item["date"] for item in items]
    assert dates == sorted(dates)
    eif = next(item for item in items if item["id"] == "aiact-entry-into-force")
    assert eif["date"] == "2024-08-01"
    assert eif["derivation"].startswith("aiact-oj-publication (2024-07-12) + 20 days")


def test_overdue_is_computed_from_the_date_and_met_on(cli: Any) -> None:
    def status(as_of: str, entry_id: str) -> str:
        items = as_json(cli("timeline", "--format", "json", "--as-of", as_of))
        return next(i["status"] for i in items if i["id"] == entry_id)

    # Art. 6(5) guidelines were due on 2 February 2026 and had not been adopted.
    assert status("2026-01-15", "art6-guidelines") != "overdue"
    assert status("2026-11-23", "art6-guidelines") == "overdue"
    # The GPAI code of practice was due 2 May 2025 and published 10 July 2025: overdue in between.
    assert status("2025-06-01", "gpai-codes-of-practice-ready") == "overdue"
    assert status("2025-08-01", "gpai-codes-of-practice-ready") != "overdue"


@freeze_time("2026-07-20 08:00:00")
def test_fail_within_exit_codes(cli: Any) -> None:
    assert cli("check", "--offline", "--fail-within", "30").exit_code == 1
    assert cli("check", "--offline", "--fail-within", "5").exit_code == 0
    # Filters apply: nothing for notified bodies falls due in the next 30 days.
    assert (
        cli("check", "--offline", "--fail-within", "30", "--role", "notified-body").exit_code == 1
    )  # everyone
    assert cli("check", "--offline", "--fail-within", "30", "--topic", "sandboxes").exit_code == 0


def test_fail_on_changed_reports_what_moved(cli: Any, bundled_copy: Path) -> None:
    with freeze_time("2026-11-01 08:00:00"):
        first = as_json(
            cli(
                "check",
                "--offline",
                "--format",
                "json",
                "--fail-on",
                "changed",
                config=bundled_copy,
            )
        )
        assert first["changes"] == [] and first["previous_check"] is None
    path = bundled_copy / "milestones.toml"
    text = path.read_text(encoding="utf-8")
    block_start = text.index('id = "review-ai-office"')
    date_at = text.index('date = "2028-08-02"', block_start)
    path.write_text(text[:date_at] + 'date = "2028-09-01"' + text[date_at + 19 :], "utf-8")
    with freeze_time("2026-11-02 08:00:00"):
        second = cli(
            "check", "--offline", "--format", "json", "--fail-on", "changed", config=bundled_copy
        )
        assert second.exit_code == 1
        report = json.loads(second.stdout)
        assert report["previous_check"] == "2026-11-01T08:00:00Z"
        assert [(c["id"], c["field"], c["old"], c["new"]) for c in report["changes"]] == [
            ("review-ai-office", "date", "2028-08-02", "2028-09-01")
        ]
        assert report["changes"][0]["seen_at"] == "2026-11-02T08:00:00Z"
    with freeze_time("2026-11-03 08:00:00"):
        assert cli("check", "--offline", "--fail-on", "changed", config=bundled_copy).exit_code == 0


def test_json_keys_stay_when_lists_are_empty(cli: Any) -> None:
    report = as_json(cli("check", "--offline", "--format", "json", "--as-of", "2040-01-01"))
    assert report["upcoming"] == [] and report["changes"] == []
    assert report["new_items"] == [] and report["sources"] == []
    assert {"generated_at", "as_of"} <= report.keys()


def test_as_of_answers_what_will_be_due_then(cli: Any) -> None:
    report = as_json(
        cli("check", "--offline", "--format", "json", "--as-of", "2027-11-01", "--within", "60")
    )
    item = next(i for i in report["upcoming"] if i["id"] == "high-risk-annex-iii-apply-omnibus")
    assert item["days_left"] == 31
    assert {"id", "title", "date", "days_left", "kind", "legal_basis", "status", "roles",
            "topics", "sources"} <= item.keys()  # fmt: skip


def test_year_end_window(cli: Any, tmp_path: Path) -> None:
    folder = write_catalog(
        tmp_path / "cat",
        [milestone("new-year", date="2027-01-01"), milestone("mid-jan", date="2027-01-15")],
    )
    report = as_json(
        cli(
            "check",
            "--offline",
            "--format",
            "json",
            "--as-of",
            "2026-12-31",
            "--within",
            "14",
            config=folder,
        )
    )
    assert [(i["id"], i["days_left"]) for i in report["upcoming"]] == [("new-year", 1)]


def test_table_output_is_plain_text_when_piped(cli: Any) -> None:
    result = cli("check", "--offline", "--as-of", "2026-07-20", "--within", "30")
    assert result.exit_code == 0
    assert "AI Act dates from 2026-07-20 to 2026-08-19 (30 days)" in result.stdout
    assert "2026-08-02" in result.stdout
    assert "\x1b[" not in result.stdout and "━" not in result.stdout and "│" not in result.stdout


def test_markdown_output(cli: Any) -> None:
    result = cli(
        "check", "--offline", "--as-of", "2026-07-20", "--within", "30", "--format", "markdown"
    )
    assert result.exit_code == 0
    assert "| DATE | DAYS | TITLE | LEGAL BASIS | STATUS |" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--role", "ceo"], "--role: unknown value 'ceo'; valid: provider, deployer"),
        (["timeline", "--topic", "cats"], "--topic: unknown value 'cats'"),
        (["check", "--as-of", "tomorrow"], "--as-of: 'tomorrow' is not a date"),
        (["check", "--fail-on", "rain"], "--fail-on: unknown condition 'rain'"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(cli: Any, args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_broken_catalog_exits_2_and_writes_nothing(cli: Any, db_url: str, tmp_path: Path) -> None:
    folder = write_catalog(
        tmp_path / "cat", [milestone("a"), milestone("b", after="zzz", offset="1 days")]
    )
    result = cli("check", "--offline", config=folder)
    assert result.exit_code == 2
    assert (
        f"{folder / 'milestones.toml'}: entry 'b': 'after' names unknown entry 'zzz'"
        in result.stderr
    )
    assert not (tmp_path / "aiwatch.db").exists()  # the SQLite case: not even an empty file
    store = Store(db_url)
    assert store.schema_revision() is None  # no tables were created either
    store.close()


def test_broken_catalog_keeps_the_database_as_it_was(cli: Any, tmp_path: Path) -> None:
    folder = write_catalog(tmp_path / "cat", [milestone("a", date="2027-01-01")])
    assert cli("timeline", config=folder).exit_code == 0
    before = as_json(cli("timeline", "--format", "json", config=folder))
    write_catalog(folder, [milestone("a", date="2027-02-01"), milestone("b", roles=["ceo"])])
    assert cli("timeline", config=folder).exit_code == 2
    write_catalog(folder, [milestone("a", date="2027-01-01")])
    assert as_json(cli("timeline", "--format", "json", config=folder)) == before


def test_terminal_gets_a_rich_table() -> None:
    import io

    from aiwatch.render import write_table

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    write_table("Title", ["DATE", "DAYS"], [["2026-12-02", "9"]], out)
    assert "2026-12-02" in out.getvalue()
    assert any(ch in out.getvalue() for ch in "┃│━─")
