"""Real German receipts (../shared/realdata/receipts_de): fields read and false alarms on genuine documents.

Usage: python bench/realdata_receipts.py [REALDATA_DIR]

Prints per receipt the total and date read against the source's labels, the kind assigned, and any finding;
then the share of totals and dates read correctly and the share of receipts with any finding (all are genuine).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appealcheck.api import Scanner, ScanOptions  # noqa: E402


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "realdata"
    folder = root / "receipts_de"
    rows = list(csv.DictReader((folder / "labels.csv").open(encoding="utf-8")))
    scanner = Scanner(ScanOptions(today=dt.date(2020, 12, 31)))
    ok_total = ok_date = flagged = content = clean = 0
    t0 = time.perf_counter()
    for row in rows:
        r = scanner.scan(folder / row["path"])
        d = r.documents[0]
        total = d.fields.get("total")
        date = d.fields.get("date")
        want_date = dt.datetime.strptime(row["date_ddmmyyyy"], "%d%m%Y").date().isoformat()
        t_ok = total is not None and abs(float(total.value) - float(row["total_eur"])) < 0.005
        d_ok = date is not None and date.value == want_date
        ok_total += t_ok
        ok_date += d_ok
        flagged += bool(d.findings)
        content += any(f.id.startswith("content.") for f in d.findings)
        clean += r.verdict == "clean"
        print(f"{Path(row['path']).name:34} kind={d.kind:16} total={total.value if total else None!s:>8} "
              f"(want {row['total_eur']:>6}) {'ok' if t_ok else 'XX'}  date={date.value if date else None} "
              f"{'ok' if d_ok else 'XX'}  findings={[f.id for f in d.findings]} verdict={r.verdict}")
    n = len(rows)
    print(f"\n{n} receipts in {time.perf_counter() - t0:.0f} s: total read {ok_total}/{n} ({ok_total / n:.0%}), "
          f"date read {ok_date}/{n} ({ok_date / n:.0%}), with any finding {flagged}/{n} ({flagged / n:.0%}), "
          f"with a content finding {content}/{n} ({content / n:.0%}), "
          f"verdict clean {clean}/{n} ({clean / n:.0%})")


if __name__ == "__main__":
    main()
