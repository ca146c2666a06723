"""Small catalogs for tests, written as real TOML files the way a user would write them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

EUR_LEX = "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"


def milestone(id: str, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": id,
        "title": f"Title of {id}",
        "kind": "application",
        "legal_basis": "Art. 113",
        "roles": ["provider"],
        "topics": ["high-risk"],
        "status": "in-force",
        "sources": [EUR_LEX],
    }
    if "after" not in fields:
        entry["date"] = "2026-08-02"
    entry.update(fields)
    return {k: v for k, v in entry.items() if v is not None}


def event(id: str, **fields: Any) -> dict[str, Any]:
    entry = milestone(id, kind="ai-board", status="held", roles=["everyone"], topics=["ai-board"])
    entry.update(fields)
    return {k: v for k, v in entry.items() if v is not None}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_toml(table: str, entries: list[dict[str, Any]]) -> str:
    lines = []
    for entry in entries:
        lines.append(f"[[{table}]]")
        lines.extend(f"{key} = {_value(value)}" for key, value in entry.items())
        lines.append("")
    return "\n".join(lines)


def write_catalog(
    directory: Path,
    milestones: list[dict[str, Any]],
    events: list[dict[str, Any]] | None = None,
    settings: str = "",
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "milestones.toml").write_text(to_toml("milestone", milestones), encoding="utf-8")
    if events is not None:
        (directory / "events.toml").write_text(to_toml("event", events), encoding="utf-8")
    if settings:
        (directory / "aiwatch.toml").write_text(settings, encoding="utf-8")
    return directory
