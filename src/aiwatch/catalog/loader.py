"""Reading a catalog folder: TOML files in, a validated ``Catalog`` out, or all errors at once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from aiwatch.catalog.fingerprint import CATALOG_FILES, catalog_files, catalog_fingerprint
from aiwatch.catalog.resolve import find_cycle, resolve_dates
from aiwatch.catalog.schema import EntrySpec, EntryType
from aiwatch.errors import CatalogError, CatalogErrors
from aiwatch.vocabulary import REPLACED_BY_LAW

TABLE_TYPES: dict[str, EntryType] = {"milestone": "milestone", "event": "event"}
IN_FORCE_STATUSES = frozenset({"in-force", "applied"})


@dataclass(frozen=True)
class CatalogEntry:
    """One entry with its date resolved and explained."""

    spec: EntrySpec
    date: date
    derivation: str
    file: str
    superseded_by: tuple[str, ...] = field(default=())

    def __getattr__(self, name: str) -> Any:
        # Every TOML field reads straight through: entry.title, entry.roles, entry.status ...
        return getattr(self.spec, name)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def entry_type(self) -> EntryType:
        return self.spec.entry_type


@dataclass(frozen=True)
class Catalog:
    directory: Path
    entries: dict[str, CatalogEntry]
    fingerprint: str

    def lineage(self, entry_id: str) -> list[CatalogEntry]:
        """The entries this one replaced, oldest first, ending with the entry itself."""
        chain = [self.entries[entry_id]]
        while chain[0].supersedes is not None:
            chain.insert(0, self.entries[chain[0].supersedes])
        return chain


def load_catalog(directory: Path | str) -> Catalog:
    """Load and validate a catalog folder. Raises ``CatalogErrors`` listing every problem found."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CatalogError("catalog folder not found", directory)
    if not (directory / "milestones.toml").is_file():
        raise CatalogError("milestones.toml not found in the catalog folder", directory)

    errors: list[CatalogError] = []
    specs: dict[str, EntrySpec] = {}
    origin: dict[str, str] = {}
    for path in catalog_files(directory):
        for spec in _read_file(path, errors):
            if spec.id in specs:
                errors.append(
                    CatalogError(f"duplicate id, first defined in {origin[spec.id]}", path, spec.id)
                )
                continue
            specs[spec.id] = spec
            origin[spec.id] = str(path)
    errors.extend(_check_references(specs, origin))
    if errors:
        raise CatalogErrors(errors)

    dates = resolve_dates(specs)
    superseded_by: dict[str, list[str]] = {}
    for spec in specs.values():
        if spec.supersedes:
            superseded_by.setdefault(spec.supersedes, []).append(spec.id)
    entries = {
        entry_id: CatalogEntry(
            spec=spec,
            date=dates[entry_id][0],
            derivation=dates[entry_id][1],
            file=origin[entry_id],
            superseded_by=tuple(superseded_by.get(entry_id, ())),
        )
        for entry_id, spec in specs.items()
    }
    return Catalog(directory, entries, catalog_fingerprint(directory))


def _read_file(path: Path, errors: list[CatalogError]) -> list[EntrySpec]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        errors.append(CatalogError(f"not valid TOML: {exc}", path))
        return []
    except UnicodeDecodeError as exc:
        errors.append(CatalogError(f"not UTF-8 text: {exc}", path))
        return []
    allowed = CATALOG_FILES[path.name]
    specs: list[EntrySpec] = []
    for key, tables in data.items():
        if key not in allowed:
            errors.append(
                CatalogError(
                    f"unknown top-level key '{key}'; expected {' or '.join(allowed)}", path
                )
            )
            continue
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            errors.append(CatalogError(f"'{key}' must be an array of tables: [[{key}]]", path))
            continue
        for index, raw in enumerate(tables):
            entry_id = raw.get("id") if isinstance(raw.get("id"), str) else f"{key} #{index + 1}"
            try:
                spec = EntrySpec.model_validate({**raw, "entry_type": TABLE_TYPES[key]})
            except ValidationError as exc:
                errors.extend(CatalogError(m, path, entry_id) for m in _messages(exc))
                continue
            if spec.tz is not None:
                try:
                    ZoneInfo(spec.tz)
                except (ZoneInfoNotFoundError, ValueError):
                    errors.append(CatalogError(f"unknown time zone '{spec.tz}'", path, entry_id))
                    continue
            specs.append(spec)
    return specs


def _messages(exc: ValidationError) -> list[str]:
    """Pydantic's errors in the words of the catalog file."""
    messages = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        if error["type"] == "missing":
            messages.append(f"missing required key '{where}'")
        elif error["type"] == "extra_forbidden":
            messages.append(f"unknown key '{where}'")
        elif error["type"] == "too_short" and where in ("sources", "roles"):
            messages.append(f"'{where}' needs at least one value")
        elif error["type"].startswith("date"):
            messages.append(f"'{where}': bad date {error['input']!r}; write YYYY-MM-DD")
        else:
            text = error["msg"].removeprefix("Value error, ")
            messages.append(f"'{where}': {text}" if where else text)
    return messages


def _check_references(specs: dict[str, EntrySpec], origin: dict[str, str]) -> list[CatalogError]:
    errors = []
    for spec in specs.values():
        for key in ("after", "supersedes"):
            target = getattr(spec, key)
            if target is not None and target not in specs:
                errors.append(
                    CatalogError(
                        f"'{key}' names unknown entry '{target}'", origin[spec.id], spec.id
                    )
                )
    if errors:
        return errors
    cycle = find_cycle(specs)
    if cycle:
        errors.append(
            CatalogError(
                "relative dates form a cycle: " + " -> ".join(cycle), origin[cycle[0]], cycle[0]
            )
        )
    superseded = {spec.supersedes for spec in specs.values() if spec.supersedes}
    for spec in specs.values():
        target = specs[spec.supersedes] if spec.supersedes else None
        if target and spec.status in IN_FORCE_STATUSES and target.status not in REPLACED_BY_LAW:
            errors.append(
                CatalogError(
                    f"is '{spec.status}' and supersedes '{target.id}', so '{target.id}' must be "
                    f"'superseded' or 'amended', not '{target.status}'",
                    origin[spec.id],
                    spec.id,
                )
            )
        if spec.status == "superseded" and spec.id not in superseded:
            errors.append(
                CatalogError(
                    "is 'superseded' but no entry names it in 'supersedes'",
                    origin[spec.id],
                    spec.id,
                )
            )
    return errors
