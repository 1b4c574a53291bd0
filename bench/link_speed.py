"""Linking speed: N synthetic appeal records (each with a letter, an invoice and a receipt) linked into clusters.

Every letter carries one seal impression pattern, all aligned to the same registered seal (one block: the worst
case for the pairwise seal comparison); the serial forgers' letters share theirs, recaptured with noise.

Usage: python bench/link_speed.py [N]    (default 100000)
"""

from __future__ import annotations

import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appealcheck.batch.links import link  # noqa: E402
from appealcheck.seals.compare import encode_impression  # noqa: E402


def records(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    forgers = [f"AC-2024-{i:05d}" for i in range(200)]
    forger_seal = {f: nrng.normal(size=288) for f in forgers}
    out = []
    for i in range(n):
        serial = rng.choice(forgers) if rng.random() < 0.05 else f"AC-{i:07d}"
        base = forger_seal.get(serial)
        pattern = nrng.normal(size=288) if base is None else base + nrng.normal(scale=0.3, size=288)
        docs = [
            {"file": "l.png", "kind": "authorization_letter", "sha256": f"{rng.getrandbits(128):032x}",
             "fields": {"serial": {"value": serial}, "issued_on": {"value": "2024-01-01"},
                        "licensee": {"value": f"seller {i}"}, "valid_from": {"value": "2024-01-01"},
                        "valid_to": {"value": "2025-12-31"}},
             "seals": [{"impression": encode_impression(pattern), "impression_ref": "acme-official"}]},
            {"file": "i.png", "kind": "purchase_invoice", "sha256": f"{rng.getrandbits(128):032x}",
             "fields": {"invoice_code": {"value": "031001900111"}, "invoice_no": {"value": f"{i:08d}"}}},
            {"file": "r.png", "kind": "receipt", "sha256": f"{rng.getrandbits(128):032x}",
             "fields": {"store": {"value": f"store {i % 5000}"}, "date": {"value": "2024-03-01"},
                        "total": {"value": round(rng.uniform(10, 99999), 2)}}},
        ]
        out.append({"appeal_id": f"A{i}", "brand": "acme", "seller": {"name": f"seller {i}"}, "documents": docs})
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    recs = records(n)
    t0 = time.perf_counter()
    clusters = link(recs)
    took = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{n} appeals ({3 * n} documents, {6 * n} fingerprints, {n} seal patterns in one block) linked in "
          f"{took:.1f} s; "
          f"{len(clusters)} clusters, largest {len(clusters[0].appeals) if clusters else 0}; peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
