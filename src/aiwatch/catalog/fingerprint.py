"""Which files make a catalog, and a hash of them: equal hashes mean nothing to re-read.

Kept apart from the loader so that the common case, an unchanged catalog, costs a few file reads
and no validation machinery at all.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from aiwatch import __version__

# The files of a catalog folder, and which tables each may hold. milestones.toml is required.
CATALOG_FILES: dict[str, tuple[str, ...]] = {
    "milestones.toml": ("milestone", "event"),
    "events.toml": ("event", "milestone"),
}
# Bump when the meaning of the files changes, so stored fingerprints stop matching.
CATALOG_FORMAT = "1"


def catalog_files(directory: Path) -> list[Path]:
    return [directory / name for name in CATALOG_FILES if (directory / name).is_file()]


def catalog_fingerprint(directory: Path) -> str:
    """A hash of the catalog files' bytes and of the aiwatch version that reads them."""
    digest = hashlib.sha256(f"{__version__}/{CATALOG_FORMAT}".encode())
    for path in catalog_files(directory):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
