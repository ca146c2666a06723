"""The catalog: the Act's dated milestones and governance events, loaded from TOML and validated.

config/milestones.toml, config/events.toml
  ─▶ loader.read_files      (TOML syntax, top-level keys)
  ─▶ schema.EntrySpec       (fields, types, vocabularies, per entry)
  ─▶ resolve.resolve_dates  (references, cycles, relative dates, supersession)
  ─▶ Catalog                (immutable, every date known and explained)
"""

from __future__ import annotations

# Import from the submodules (loader, fingerprint, status): importing this package costs nothing.
