"""Turning reports into text: a rich table on a terminal, plain aligned text when piped, Markdown,
or JSON. Nothing here decides anything; it only lays out what the stages returned."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from aiwatch.changes import Change
from aiwatch.check import CheckReport
from aiwatch.timeline import TimelineItem

ITEM_COLUMNS = ("DATE", "DAYS", "TITLE", "LEGAL BASIS", "STATUS")
# Widest a column gets in plain text; longer cells are cut with "…" (JSON keeps everything).
PLAIN_MAX_WIDTH = {"TITLE": 72, "LEGAL BASIS": 48, "CHANGED BY": 48}


def item_cells(item: TimelineItem) -> list[str]:
    when = item.date.isoformat()
    if item.type == "event" and getattr(item.row, "time", None):
        when += f" {item.row.time}"  # type: ignore[attr-defined]
    if item.original_date:
        when += f" (was {item.original_date.isoformat()})"
    status = item.status + (" (tentative)" if item.tentative and item.status != "proposed" else "")
    return [when, str(item.days_left), item.row.title, item.row.legal_basis, status]


def change_cells(change: Change) -> list[str]:
    return [change.id, change.field, change.old or "—", change.new or "—", change.changed_by]


CHANGE_COLUMNS = ("ID", "FIELD", "OLD", "NEW", "CHANGED BY")


def write_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_table(
    title: str, columns: Sequence[str], rows: list[list[str]], out: TextIO, markdown: bool = False
) -> None:
    if markdown:
        out.write(f"### {title}\n\n")
        if rows:
            out.write("| " + " | ".join(columns) + " |\n")
            out.write("|" + "|".join("---" for _ in columns) + "|\n")
            for row in rows:
                out.write("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |\n")
        else:
            out.write("_None._\n")
        out.write("\n")
        return
    if out.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, title_justify="left", show_lines=False)
        for column in columns:
            table.add_column(column, justify="right" if column == "DAYS" else "left")
        for row in rows:
            table.add_row(*row)
        Console(file=out).print(table)
        return
    out.write(title + "\n")
    if not rows:
        out.write("  (none)\n\n")
        return
    rows = [
        [_clip(cell, PLAIN_MAX_WIDTH.get(c)) for c, cell in zip(columns, row, strict=True)]
        for row in rows
    ]
    widths = [max(len(column), *(len(row[i]) for row in rows)) for i, column in enumerate(columns)]
    out.write("  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    out.write("\n")
    for row in rows:
        cells = [
            cell.rjust(w) if columns[i] == "DAYS" else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.write("  " + "  ".join(cells).rstrip() + "\n")
    out.write("\n")


def _clip(cell: str, width: int | None) -> str:
    return cell if width is None or len(cell) <= width else cell[: width - 1] + "…"


def write_check(report: CheckReport, fmt: str, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        write_json(report.to_json(), out)
        return
    markdown = fmt == "markdown"
    end = report.as_of.toordinal() + report.within_days
    from datetime import date

    title = (
        f"AI Act dates from {report.as_of.isoformat()} to {date.fromordinal(end).isoformat()} "
        f"({report.within_days} days)"
    )
    write_table(title, ITEM_COLUMNS, [item_cells(i) for i in report.upcoming], out, markdown)
    if report.previous_check is None:
        out.write(
            "First check: the catalog is recorded as the baseline; "
            "later checks report what changed since the previous one.\n"
        )
        return
    since = report.previous_check.strftime("%Y-%m-%d %H:%M UTC")
    write_table(
        f"Changes since the previous check ({since})",
        CHANGE_COLUMNS,
        [change_cells(c) for c in report.changes],
        out,
        markdown,
    )


def write_timeline(items: list[TimelineItem], fmt: str, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        write_json([item.to_json() for item in items], out)
        return
    write_table(
        f"AI Act timeline ({len(items)} entries)",
        ITEM_COLUMNS,
        [item_cells(i) for i in items],
        out,
        fmt == "markdown",
    )
