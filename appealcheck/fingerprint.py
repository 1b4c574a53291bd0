"""Fingerprints of the package's own source, for cache keys that must change when the code behind them does."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path, PurePath


def source_fingerprint(keep: Callable[[PurePath], bool]) -> str:
    """Hash of every .py file of the package whose path relative to the package (e.g. checks/seals.py) `keep`
    accepts; 16 hex digits."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if keep(rel):
            h.update(str(rel).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]
