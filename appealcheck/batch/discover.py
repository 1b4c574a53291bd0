"""The appeals in a batch folder, and a content hash of each for --resume."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from appealcheck.ingest.files import DOCUMENT_SUFFIXES, sha256_file


@dataclass(frozen=True)
class AppealInput:
    """One appeal of a batch: a sub-folder, a .zip, or a lone document file."""

    path: Path
    rel: str
    """Path relative to the batch folder: the appeal's key in the ledger."""


def discover(root: Path) -> list[AppealInput]:
    """Each sub-folder, .zip and document file directly under root is one appeal, in name order."""
    out = []
    for p in sorted(root.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_dir() or (p.is_file() and (p.suffix.lower() == ".zip" or p.suffix.lower() in DOCUMENT_SUFFIXES)):
            out.append(AppealInput(p, p.name))
    return out


def input_hash(path: Path) -> str | None:
    """sha256 over every file of the appeal (relative path and content); None if it cannot be read now."""
    h = hashlib.sha256()
    try:
        files = [path] if path.is_file() else sorted(f for f in path.rglob("*") if f.is_file())
        for f in files:
            h.update(f.relative_to(path).as_posix().encode() if f != path else b".")
            h.update(b"\0")
            h.update(sha256_file(f).encode())
    except OSError:
        return None
    return h.hexdigest()
