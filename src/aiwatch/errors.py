"""The exceptions aiwatch raises, one root with a branch per domain.

    AiwatchError
    ├── ConfigError (ValueError)          settings that cannot be used; .path
    ├── CatalogError (ValueError)         a catalog file or entry that is wrong; .path, .entry_id
    │   └── CatalogErrors                 several CatalogErrors found in one load
    ├── StoreError                        the database cannot be opened or is in use; .url
    └── SourceError                       a feed or a sources file that is wrong; .url, .path

Foreign exceptions (tomllib, pydantic, SQLAlchemy) are translated into these at the one place that
calls the foreign code, with ``raise ... from``.
"""

from __future__ import annotations

from pathlib import Path


class AiwatchError(Exception):
    """Root of every error aiwatch raises on purpose."""


class ConfigError(AiwatchError, ValueError):
    """A setting or a settings file that cannot be used."""

    def __init__(self, message: str, path: Path | str | None = None) -> None:
        self.path = str(path) if path is not None else None
        super().__init__(f"{self.path}: {message}" if self.path else message)


class CatalogError(AiwatchError, ValueError):
    """One problem in the catalog, naming the file and, where there is one, the entry id."""

    def __init__(self, message: str, path: Path | str, entry_id: str | None = None) -> None:
        self.path = str(path)
        self.entry_id = entry_id
        self.message = message
        where = f"{self.path}: entry '{entry_id}'" if entry_id else self.path
        super().__init__(f"{where}: {message}")


class CatalogErrors(CatalogError):
    """Every problem found in one load, so that a user fixes them all in one go."""

    def __init__(self, errors: list[CatalogError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.message, first.path, first.entry_id)
        self.args = ("\n".join(str(e) for e in errors),)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class StoreError(AiwatchError):
    """The database cannot be opened, migrated or used."""

    def __init__(self, message: str, url: str | None = None) -> None:
        self.url = url
        super().__init__(message)


class SourceError(AiwatchError):
    """A news source that cannot be polled or a sources file that is wrong; .url or .path."""

    def __init__(self, message: str, url: str | None = None, path: str | None = None) -> None:
        self.url = url
        self.path = path
        where = url or path
        super().__init__(f"{where}: {message}" if where else message)
