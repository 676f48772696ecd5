#!/usr/bin/env python
"""Wall time of one `adapt` theme fit (AdaptedThemes, the default model's corpus + 60 own rows),
with the cross-validation fits in one process and on every core. Timing only: the own rows are
60 of the corpus's test-split rows.

    .venv/bin/python bench/adapt_speed.py [--k 60] [--repeats 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from adapt_common import prepared, read_rows, theme_params  # noqa: E402

from classifier.models.adapted import AdaptedThemes  # noqa: E402
from classifier.pipeline.persistence import load_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    path = ROOT / "training_data" / "representations.csv"
    corpus = read_rows(path, lambda r: r["split"] != "test" and r["themes"].strip())
    test = read_rows(path, lambda r: r["split"] == "test" and r["themes"].strip())[::5][: args.k]
    c_docs, c_gold, _ = prepared(path, corpus)
    o_docs, o_gold, o_V = prepared(path, test)
    base = load_model(ROOT / "models" / "default")
    params = {k: v for k, v in theme_params(base.themes).items() if k in AdaptedThemes._param_names()}
    for jobs in (1, -1):
        for _ in range(args.repeats):
            load = os.getloadavg()[0]
            t = time.perf_counter()
            AdaptedThemes(taxonomy=base.taxonomy, **params).fit(
                o_docs, o_gold, c_docs, c_gold, own_vectors=o_V, base=base.themes, n_jobs=jobs
            )
            took = time.perf_counter() - t
            print(f"n_jobs={jobs}: {took:.1f} s (load average before: {load:.1f}, {os.cpu_count()} cores)", flush=True)


if __name__ == "__main__":
    main()
