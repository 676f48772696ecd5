"""Time `complaints report` on a large export (default 100,000 rows) built from the demo export.

    python bench/report_speed.py                 # recorded labels (themes, kind, complainant columns)
    python bench/report_speed.py --no-labels     # same rows without those columns: the model labels them

Rows are drawn with replacement from both demo years and re-dated into one
financial year (2024-25), so every table is full. Results: bench/REPORT_RESULTS.md.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEMO = ROOT / "training_data" / "demo_export"


def make_export(rows: int, labels: bool, out: Path) -> Path:
    frames = [
        pd.read_csv(DEMO / f, dtype=str, keep_default_na=False) for f in ("cases_2023-24.csv", "cases_2024-25.csv")
    ]
    pool = pd.concat(frames, ignore_index=True)
    rng = np.random.default_rng(0)
    big = pool.iloc[rng.integers(0, len(pool), rows)].reset_index(drop=True)
    received = pd.Timestamp("2024-04-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
    taken = pd.to_timedelta(rng.integers(1, 40, rows), unit="D")
    has_resp = big["Date Responded"].ne("")
    big["Date Received"] = received.strftime("%d/%m/%Y")
    big["Date Responded"] = np.where(has_resp, (received + taken).strftime("%d/%m/%Y"), "")
    big["Case Ref"] = [f"CR-{i:06d}" for i in range(rows)]
    if not labels:
        big = big.drop(columns=["Themes", "Type", "Complainant Type"])
    path = out / f"cases_{rows}{'' if labels else '_nolabels'}.csv"
    big.to_csv(path, index=False)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--no-labels", action="store_true")
    args = ap.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = make_export(args.rows, not args.no_labels, out)
    from classifier.report import build_report

    cpu0, t0 = time.process_time(), time.perf_counter()
    report = build_report(path, out / "report", year="2024-25")
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    source = "from the model" if args.no_labels else "recorded"
    print(
        f"{args.rows:,} rows ({path.stat().st_size / 1e6:.1f} MB CSV, labels {source}): "
        f"{wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak:.0f} MB, {len(report.tables)} tables"
    )


if __name__ == "__main__":
    main()
