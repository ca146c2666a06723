"""Writing calendars to a folder (``aiwatch calendar export``, ``make feeds``): atomically, and only
the files whose bytes changed, so an unchanged catalog leaves the folder exactly as it was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from aiwatch.calendar import EPOCH
from aiwatch.calendars import export_requests, render_request
from aiwatch.store import Store

EXPORT_GLOB = "aiact*.ics"


def export_calendars(store: Store, directory: Path) -> tuple[list[str], list[str], list[str]]:
    """Returns the names written, left unchanged and removed (stale exports of this command)."""
    directory.mkdir(parents=True, exist_ok=True)
    requests = export_requests()
    written, unchanged = [], []
    for name, request in requests.items():
        # Exports have no past window, so the day only matters for computed statuses, which
        # calendars do not carry: any fixed day gives the same bytes.
        body = render_request(store, request, EPOCH.date()).body
        target = directory / name
        if target.is_file() and target.read_bytes() == body:
            unchanged.append(name)
            continue
        _write_atomically(target, body)
        written.append(name)
    removed = []
    for stale in sorted(directory.glob(EXPORT_GLOB)):
        if stale.name not in requests:
            stale.unlink()
            removed.append(stale.name)
    return written, unchanged, removed


def _write_atomically(target: Path, body: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
