"""aiwatch: the EU AI Act's deadlines, governance calendar and Commission news, kept current."""

from __future__ import annotations

__version__ = "0.1.0"
