"""On-disk OCR cache: SQLite under the user cache dir, keyed by image content + engine + variant.

A re-scan of the same pages costs no OCR. Safe for several worker processes (WAL, busy timeout);
a cache that cannot be opened or written is skipped, never fatal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from pathlib import Path

import numpy as np

from appealcheck.models import OcrLine

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """APPEALCHECK_CACHE_DIR, else the platform's user cache dir."""
    env = os.environ.get("APPEALCHECK_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("appealcheck"))


def image_key(image: np.ndarray) -> str:
    """Content hash of an image array (shape included, so a crop never collides with a page)."""
    h = hashlib.sha256()
    h.update(repr(image.shape).encode())
    h.update(np.ascontiguousarray(image).data)
    return h.hexdigest()


class OcrCache:
    """Get and put OCR lines by key."""

    def __init__(self, directory: Path | None = None):
        self.path = (directory or default_cache_dir()) / "ocr-v1.sqlite"
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._broken = False

    def _db(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("CREATE TABLE IF NOT EXISTS ocr (key TEXT PRIMARY KEY, lines TEXT NOT NULL)")
                conn.commit()
                self._conn = conn
            except (sqlite3.Error, OSError) as exc:
                log.warning("OCR cache at %s unusable, continuing without it: %s", self.path, exc)
                self._broken = True
                return None
        return self._conn

    def get(self, key: str) -> list[OcrLine] | None:
        """Cached lines, or None."""
        with self._lock:
            db = self._db()
            if db is None:
                return None
            try:
                row = db.execute("SELECT lines FROM ocr WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error as exc:
                log.warning("OCR cache read failed: %s", exc)
                return None
        if row is None:
            return None
        try:
            return [OcrLine(text=d["t"], box=tuple(d["b"]), polygon=tuple(tuple(p) for p in d["p"]),
                            confidence=d["c"], source=d.get("s", "page")) for d in json.loads(row[0])]
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, lines: list[OcrLine]) -> None:
        """Store lines under key."""
        payload = json.dumps([{"t": ln.text, "b": list(ln.box), "p": [list(p) for p in ln.polygon],
                               "c": ln.confidence, "s": ln.source} for ln in lines], ensure_ascii=False)
        with self._lock:
            db = self._db()
            if db is None:
                return
            try:
                db.execute("INSERT OR REPLACE INTO ocr (key, lines) VALUES (?, ?)", (key, payload))
                db.commit()
            except sqlite3.Error as exc:
                log.warning("OCR cache write failed: %s", exc)
