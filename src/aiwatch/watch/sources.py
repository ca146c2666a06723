"""The news sources to poll, from ``sources.toml``: validated, each problem named with its entry."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from aiwatch.errors import SourceError

SOURCES_FILE = "sources.toml"
INTERVAL_RE = re.compile(r"^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$")
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class SourceSpec(BaseModel):
    """One [[source]] table."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)
    url: str = Field(pattern=r"^https?://\S+$")
    language: str = Field(default="en", pattern=r"^[a-z]{2}$")
    interval: str = "1 hour"
    keywords: tuple[str, ...] = ()
    # false sends Accept-Encoding: identity, for servers whose gzip answers arrive truncated
    compressed: bool = True

    @field_validator("interval")
    @classmethod
    def _interval_parses(cls, interval: str) -> str:
        match = INTERVAL_RE.match(interval)
        if match is None:
            raise ValueError(f"interval '{interval}' is not 'N minutes', 'N hours' or 'N days'")
        if parse_interval(interval) < dt.timedelta(minutes=5):
            raise ValueError("interval must be at least 5 minutes: be kind to the Commission")
        return interval

    @property
    def every(self) -> dt.timedelta:
        return parse_interval(self.interval)

    def keeps(self, text: str) -> bool:
        """The keyword filter: with keywords, an item is kept only if its text names one (whole
        words, case and accents ignored)."""
        if not self.keywords:
            return True
        from aiwatch.watch.classify import fold

        folded = fold(text)
        return any(fold(keyword) in folded for keyword in self.keywords)


def parse_interval(interval: str) -> dt.timedelta:
    match = INTERVAL_RE.match(interval)
    assert match is not None
    unit = match.group(2).rstrip("s")
    return dt.timedelta(seconds=int(match.group(1)) * UNIT_SECONDS[unit])


def load_sources(path: Path) -> list[SourceSpec]:
    """All sources of a file, or SourceError listing every problem with its entry."""
    if not path.is_file():
        raise SourceError("sources file not found", path=str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"not valid TOML: {exc}", path=str(path)) from exc
    problems: list[str] = []
    unknown = sorted(set(data) - {"source"})
    if unknown:
        problems.append(f"unknown top-level key '{unknown[0]}'; expected [[source]] tables")
    specs: list[SourceSpec] = []
    for index, raw in enumerate(data.get("source", [])):
        name = raw.get("name") if isinstance(raw, dict) else None
        label = f"source '{name}'" if isinstance(name, str) else f"source #{index + 1}"
        try:
            spec = SourceSpec.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                message = error["msg"].removeprefix("Value error, ")
                problems.append(f"{label}: {where}: {message}" if where else f"{label}: {message}")
            continue
        if any(other.name == spec.name for other in specs):
            problems.append(f"{label}: duplicate name")
            continue
        specs.append(spec)
    if problems:
        raise SourceError("; ".join(problems), path=str(path))
    return specs
