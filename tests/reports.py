"""Lines tests want shown at the end of the run (see conftest.pytest_terminal_summary)."""

from __future__ import annotations

SUMMARY: list[str] = []
