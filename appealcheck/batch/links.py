"""Links between appeals: the same file, letter, invoice or receipt submitted by different sellers.

Each document yields a few fingerprints, exact keys built from what a forger reuses when selling one forged
document to many sellers (the file itself; a letter's serial and dates with only the licensee changed; an
invoice's code and number; a receipt's store, date and total; the identifiers a camera or editor writes into
the file). Appeals sharing a key are joined with a union-find, so linking is one pass over a hash index:
linear in the number of appeals, not in pairs.

Seal impressions are not exact keys: a pasted copy of one impression, captured again, is similar, not equal.
Their ink-pressure patterns (`seals.compare.impression`) are compared only within a block (one brand, one
registered seal they were aligned to), as one matrix product per chunk of rows: quadratic in the size of a block
(100,000 patterns in one block take about two minutes on two cores), linear in the number of blocks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from appealcheck.checks.names import canonical
from appealcheck.seals.compare import decode_impression

SEAL_LINK_MIN = 0.85
"""Correlation of two ink-pressure patterns from which they are one impression. Measured in
bench/seal_links.py (3 brands x 20 impressions x 3 captures): one impression recaptured correlates 0.49-0.99
with itself (median 0.87), two impressions of one seal at most 0.78 (5,130 pairs). At 0.85 about half of the
recaptured pairs join and no genuine pair does; photos join least."""
_CHUNK = 256
SEAL_MAX_SELLERS = 50
"""Other sellers one impression may join. Beyond that it is one image shared by many genuine documents (a
printed or electronic stamp that still shows some ink variation), not a forger's paste, and it joins none."""
ID_MAX_SELLERS = 20
"""Sellers one file identifier may join: an identifier on more files than that is a template's or a firmware's
constant, not one original."""
MAX_REASONS = 20
"""Reasons kept per cluster: a large cluster would otherwise list every pair."""


@dataclass(frozen=True)
class Fingerprint:
    """One reusable trait of one document."""

    kind: str
    """file | letter | invoice | receipt."""
    key: str
    appeal_id: str
    file: str
    party: str = ""
    """For letters, the licensee: one letter legitimately shared (a distributor's own authorisation, sent by every
    reseller) names the same licensee everywhere; a forger's letter sold on names a new one each time."""


_REASONS = {
    "file": "the same file (sha256)",
    "letter": "the same letter serial and dates, with a different licensee",
    "invoice": "the same invoice code and number",
    "receipt": "the same receipt (store, date, time, number, total)",
    "device": "the same original file or camera (identifiers in the file's metadata)",
    "seal": "the same seal impression",
}


def _value(doc: dict[str, Any], name: str) -> str | None:
    f = (doc.get("fields") or {}).get(name)
    v = f.get("value") if isinstance(f, dict) else None
    return None if v in (None, "") else str(v)


def fingerprints(record: dict[str, Any]) -> list[Fingerprint]:
    """The fingerprints of every readable document of one result record."""
    aid = str(record.get("appeal_id"))
    out = []
    for d in record.get("documents", []):
        if d.get("error"):
            continue
        f = d.get("file", "")
        if d.get("sha256"):
            out.append(Fingerprint("file", d["sha256"], aid, f))
        kind = d.get("kind")
        if kind == "authorization_letter":
            parts = [_value(d, k) for k in ("serial", "issued_on", "valid_from", "valid_to")]
            if parts[0] and sum(p is not None for p in parts) >= 3:
                key = f"{record.get('brand')}|" + "|".join(p or "" for p in parts)
                out.append(Fingerprint("letter", key, aid, f, canonical(_value(d, "licensee") or "")))
        elif kind == "purchase_invoice":
            code, no = _value(d, "invoice_code"), _value(d, "invoice_no")
            if no and (code or len(no) == 20):
                out.append(Fingerprint("invoice", f"{code or ''}|{no}", aid, f))
        elif kind == "receipt":
            store, date, total = _value(d, "store"), _value(d, "date"), _value(d, "total")
            # The time and receipt number, when printed, tell two sales of the same amount on one day apart.
            extra = "|".join(v or "" for v in (_value(d, "time"), _value(d, "receipt_no")))
            if store and date and total:
                out.append(Fingerprint("receipt", f"{canonical(store)}|{date}|{total}|{extra}", aid, f))
        for name, value in sorted(((d.get("file_meta") or {}).get("ids") or {}).items()):
            if isinstance(value, str) and len(value) >= 8:
                out.append(Fingerprint("device", f"{name}={value}", aid, f))
    return out


@dataclass(frozen=True)
class SealPrint:
    """One seal impression's pattern, for similarity links."""

    block: str
    appeal_id: str
    file: str
    pattern: np.ndarray


def seal_prints(record: dict[str, Any]) -> list[SealPrint]:
    """The seal impression patterns of one result record (seals without a readable pattern are left out)."""
    aid = str(record.get("appeal_id"))
    out = []
    for d in record.get("documents", []):
        for s in d.get("seals") or []:
            v = decode_impression(s.get("impression") or "") if isinstance(s, dict) else None
            if v is None or not v.any() or s.get("partial"):
                continue
            block = f"{record.get('brand')}|{s.get('impression_ref') or s.get('ink') or ''}"
            out.append(SealPrint(block, aid, d.get("file", ""), v / (np.linalg.norm(v) or 1.0)))
    return out


def _seal_pairs(prints: list[SealPrint], seller: dict[str, str]):
    """(i, j, correlation) of impressions from different sellers' appeals that are one impression.

    One pass over the upper triangle, a chunk of rows at a time (memory: _CHUNK x block floats). Each print's
    number of matches is counted exactly; pairs are kept only for prints under SEAL_MAX_SELLERS, so a shared
    image neither joins its thousands of documents nor fills memory with their pairs.
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(prints):
        blocks[p.block].append(i)
    for idx in blocks.values():
        n = len(idx)
        if n < 2:
            continue
        M = np.stack([prints[i].pattern for i in idx]).astype(np.float32)
        owners = [seller.get(prints[i].appeal_id) or prints[i].appeal_id for i in idx]
        degree = np.zeros(n, np.int64)
        kept: list[tuple[int, int, float]] = []
        for c0 in range(0, n, _CHUNK):
            C = M[c0:c0 + _CHUNK] @ M[c0:].T
            C[np.arange(C.shape[0]), np.arange(C.shape[0])] = -1.0  # a print with itself
            hit = C >= SEAL_LINK_MIN
            hit[np.tril_indices(C.shape[0], -1, C.shape[1])] = False  # the lower part of this chunk's square
            per_row = hit.sum(axis=1)
            degree[c0:c0 + C.shape[0]] += per_row
            degree[c0:] += hit.sum(axis=0)
            # Few rows have any hit: read those rows only (np.nonzero over the whole chunk costs a matrix product).
            for r in np.flatnonzero(per_row).tolist():
                a = c0 + r
                if degree[a] > SEAL_MAX_SELLERS:
                    continue
                for c in np.flatnonzero(hit[r]).tolist():
                    b = c0 + c
                    if owners[a] != owners[b]:
                        kept.append((a, b, float(C[r, c])))
        for a, b, corr in kept:
            if degree[a] <= SEAL_MAX_SELLERS and degree[b] <= SEAL_MAX_SELLERS:
                yield idx[a], idx[b], corr


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True)
class Cluster:
    """Appeals joined by shared documents."""

    id: str
    appeals: tuple[str, ...]
    reasons: tuple[str, ...]
    """Why, in words, with the shared document names."""


def link(records: list[dict[str, Any]]) -> list[Cluster]:
    """Clusters of appeals from different sellers that share a fingerprint, largest first."""
    seller = {str(r.get("appeal_id")): canonical(((r.get("seller") or {}).get("name")) or "") for r in records}
    index: dict[tuple[str, str], list[Fingerprint]] = defaultdict(list)
    for r in records:
        for fp in fingerprints(r):
            index[(fp.kind, fp.key)].append(fp)
    uf = _UnionFind()
    why: dict[tuple[str, str], set[str]] = defaultdict(set)
    prints = [p for r in records for p in seal_prints(r)]
    for i, j, corr in _seal_pairs(prints, seller):
        a, b = prints[i], prints[j]
        uf.union(a.appeal_id, b.appeal_id)
        first = min(a.appeal_id, b.appeal_id)
        if len(why[(first, "seal")]) < MAX_REASONS:
            why[(first, "seal")].add(f"{_REASONS['seal']} (ink pattern correlation {corr:.2f}): "
                                     f"{a.appeal_id}/{a.file}, {b.appeal_id}/{b.file}")
    for (kind, _key), fps in index.items():
        appeals = sorted({fp.appeal_id for fp in fps})
        sellers = {seller.get(a) or a for a in appeals}
        # The same seller filing the same document twice is a resubmission, not a forger's trade.
        if len(appeals) < 2 or len(sellers) < 2:
            continue
        if kind == "letter" and len({fp.party for fp in fps}) < 2:
            continue
        if kind == "device" and len(sellers) > ID_MAX_SELLERS:
            continue
        for a in appeals[1:]:
            uf.union(appeals[0], a)
        files = ", ".join(sorted({f"{fp.appeal_id}/{fp.file}" for fp in fps}))
        why[(appeals[0], kind)].add(f"{_REASONS[kind]}: {files}")
    groups: dict[str, set[str]] = defaultdict(set)
    for a in list(uf.parent):
        groups[uf.find(a)].add(a)
    reasons: dict[str, set[str]] = defaultdict(set)
    for (a, _kind), texts in why.items():
        root = uf.find(a)
        reasons[root] |= set(sorted(texts)[:max(0, MAX_REASONS - len(reasons[root]))])
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), min(kv[1])))
    return [Cluster(f"C{i + 1}", tuple(sorted(members)), tuple(sorted(reasons[root])))
            for i, (root, members) in enumerate(ordered)]


def attach(records: list[dict[str, Any]], clusters: list[Cluster]) -> list[dict[str, Any]]:
    """Records with `links` set from the clusters (a record in no cluster gets an empty list)."""
    by_appeal = {a: c for c in clusters for a in c.appeals}
    out = []
    for r in records:
        c = by_appeal.get(str(r.get("appeal_id")))
        links = [] if c is None else [{"cluster": c.id, "appeals": [a for a in c.appeals if a != r.get("appeal_id")],
                                       "reasons": list(c.reasons)}]
        out.append({**r, "links": links})
    return out
