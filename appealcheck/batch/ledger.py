"""The results ledger: JSONL, one appeal a line, appended, flushed and fsynced one record at a time.

After a crash at any moment the file holds whole records and at most one torn tail line; `open` cuts
the tail off (saying so) and keeps everything before it, so `--resume` never loses, repeats or tears a record.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appealcheck.errors import InputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LedgerState:
    """What an existing ledger holds."""

    records: list[dict[str, Any]]
    torn_bytes: int
    """Bytes cut from the end: a record that was being written when the run died."""


def read_ledger(path: Path) -> LedgerState:
    """Read every whole record. Refuses a file that is not an appealcheck ledger."""
    if not path.exists() or path.stat().st_size == 0:
        return LedgerState([], 0)
    data = path.read_bytes()
    records: list[dict[str, Any]] = []
    good_end = 0
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            break  # a torn last line
        line = data[pos:nl]
        try:
            rec = json.loads(line)
        except ValueError:
            if not records:
                raise InputError(str(path), "is not an appealcheck results file (its first line is not JSON); "
                                            "choose another -o path") from None
            # A torn line in the middle can only be followed by garbage from the same crash.
            break
        if not isinstance(rec, dict) or "schema_version" not in rec or "appeal_id" not in rec:
            raise InputError(str(path), f"line {len(records) + 1} is not an appealcheck result; choose another -o path")
        records.append(rec)
        pos = nl + 1
        good_end = pos
    return LedgerState(records, len(data) - good_end)


def current(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per appeal: a later record for the same input (a rescan after --resume) replaces the earlier,
    in the place of the first. Records that do not say their input are all kept."""
    order: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for n, r in enumerate(records):
        inp = r.get("input") if isinstance(r.get("input"), dict) else {}
        # Records without an input (scan --json output gathered by hand) are never merged: ids may repeat.
        key = f"{inp.get('root')}|{inp['path']}" if inp.get("path") else f"record|{n}"
        if key in order:
            out[order[key]] = r
        else:
            order[key] = len(out)
            out.append(r)
    return out


class Ledger:
    """Append-only writer. Use as a context manager."""

    def __init__(self, path: Path):
        self.path = path
        self._fh = None

    def open(self, resume: bool) -> LedgerState:
        """Open for appending; without resume an existing ledger is refused rather than overwritten."""
        state = read_ledger(self.path) if self.path.exists() else LedgerState([], 0)
        if state.records and not resume:
            raise InputError(str(self.path), f"already holds {len(state.records)} results; pass --resume to continue "
                                             "it, or choose another -o path")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if state.torn_bytes:
            log.warning("%s: cutting a torn last record (%d bytes) left by an earlier crash", self.path,
                        state.torn_bytes)
            with self.path.open("r+b") as fh:
                fh.truncate(self.path.stat().st_size - state.torn_bytes)
                fh.flush()
                os.fsync(fh.fileno())
        # Unbuffered: a write that fails (a full disk) leaves nothing pending for close() to fail on again.
        self._fh = self.path.open("ab", buffering=0)
        return state

    def append(self, record: dict[str, Any]) -> None:
        """Write one record durably: a crash after this returns never loses it."""
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        try:
            view = memoryview(line)
            while view:
                n = self._fh.write(view)
                if not n:
                    raise OSError(28, "No space left on device")
                view = view[n:]
            os.fsync(self._fh.fileno())
        except OSError as exc:
            raise InputError(str(self.path), f"cannot write results ({exc.strerror}); free space or choose "
                                             "another -o path, then rerun with --resume") from None

    def close(self) -> None:
        """Close the file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
