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
PLAIN_MAX_WIDTH = {"TITLE": 72, "LEGAL BASIS": 48, "CHANGED BY": 48, "ERROR": 60, "LAST ERROR": 60}


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
        f"({report.within_days} day{'' if report.within_days == 1 else 's'})"
    )
    write_table(title, ITEM_COLUMNS, [item_cells(i) for i in report.upcoming], out, markdown)
    if report.sources:
        write_table(
            "Sources polled",
            SOURCE_COLUMNS,
            [source_cells(source) for source in report.sources],
            out,
            markdown,
        )
    if report.previous_check is None:
        out.write(
            "First check: the catalog and the sources' current items are recorded as the "
            "baseline; later checks report what changed since the previous one.\n"
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
    if report.sources or report.new_items:
        write_table(
            f"New items since the previous check ({since})",
            ITEM_NEWS_COLUMNS,
            [news_cells(item) for item in report.new_items],
            out,
            markdown,
        )


SOURCE_COLUMNS = ("SOURCE", "STATUS", "HTTP", "ITEMS", "NEW", "ERROR")
ITEM_NEWS_COLUMNS = ("PUBLISHED", "LABEL", "TITLE", "DATES", "SOURCE")


def source_cells(source: dict[str, Any]) -> list[str]:
    status = source["status"] + (" (stale)" if source.get("stale") else "")
    return [
        source["name"], status, str(source.get("http_status") or "—"), str(source["items"]),
        str(source["new"]), source.get("error") or "",
    ]  # fmt: skip


def news_cells(item: dict[str, Any]) -> list[str]:
    published = (item["published"] or "")[:10]
    return [
        published, item["label"], item["title"], ", ".join(item["mentioned_dates"]),
        item["source"],
    ]  # fmt: skip


def write_sources(rows: list[dict[str, Any]], fmt: str, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        write_json(rows, out)
        return
    columns = ("SOURCE", "STATUS", "LAST POLL", "HTTP", "ITEMS", "NEXT POLL", "LAST ERROR")
    cells = [
        [
            row["name"],
            row["status"] + (" (stale)" if row.get("stale") else ""),
            (row.get("last_poll") or "—")[:16].replace("T", " "),
            str(row.get("http_status") or "—"),
            str(row.get("items", 0)),
            (row.get("next_poll") or "—")[:16].replace("T", " "),
            row.get("last_error") or "",
        ]
        for row in rows
    ]
    write_table(f"Sources ({len(rows)})", columns, cells, out)


def write_trial(result: dict[str, Any], fmt: str, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        write_json(result, out)
        return
    out.write(f"{result['url']}: {result['status']}, HTTP {result['http_status'] or '—'}\n")
    if result["error"]:
        out.write(f"  {result['error']}\n")
    cells = [
        [(i["published"] or "")[:10], i["label"], i["rule"], i["title"],
         ", ".join(i["mentioned_dates"])]
        for i in result["items"]
    ]  # fmt: skip
    write_table(
        f"Items ({len(cells)})", ("PUBLISHED", "LABEL", "RULE", "TITLE", "DATES"), cells, out
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
