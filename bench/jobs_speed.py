"""Wall-clock speed of `complaints label --jobs N`, end to end, and that the outputs are identical.

Run: .venv/bin/python bench/jobs_speed.py [--rows 3000] [--fast-rows 20000] [--rounds 3] [--jobs 1 2]
Writes the section between the `jobs` markers in bench/SPEED_RESULTS.md.

Each run is the real command in a fresh process (`python -m classifier label
FILE -o OUT --jobs N -q`): start-up, model loading, worker start-up, reading
and writing included, because that is what a user waits for. Runs alternate
(1, 2, 1, 2, ...) so that a change in the machine's load hits both settings;
the load average is recorded before each run. Peak memory is the largest
resident size of any process of the run (the command or one of its workers).
With `--fast` in `complaints label -h` (the TF-IDF-only model), that setting
is measured too, on `--fast-rows` rows. With the default engine `--jobs N`
runs N threads sharing one model; with `--fast`, N worker processes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from machine import cpu_name  # noqa: E402
from speed import build_file  # noqa: E402

OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "SPEED_RESULTS.md"
START, END = "<!-- jobs -->", "<!-- /jobs -->"

_RUN = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=True)
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run(path: Path, out: Path, jobs: int, fast: bool) -> dict:
    cmd = [sys.executable, "-m", "classifier", "label", str(path), "-o", str(out), "--jobs", str(jobs), "-q"]
    if fast:
        cmd.append("--fast")
    load = os.getloadavg()[0]
    done = subprocess.run([sys.executable, "-c", _RUN, *cmd], capture_output=True, text=True, check=True, cwd=ROOT)
    res = json.loads(done.stdout.strip().splitlines()[-1])
    return {**res, "load": load}


_DASK = """
import json, os, sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd, dask.dataframe as dd
from distributed import Client, LocalCluster
from classifier.parallel import label_dask

def main(src, workdir, workers):
    frame = pd.read_csv(src, dtype=str, keep_default_na=False)
    parts = os.path.join(workdir, "dask_in")
    dd.from_pandas(frame, npartitions=8).to_parquet(parts, write_index=False)
    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as c, \\
            Client(c):
        t1 = time.perf_counter()
        label_dask(dd.read_parquet(parts), None).to_parquet(os.path.join(workdir, f"dask_out_{workers}"))
        t2 = time.perf_counter()
    print(json.dumps({"cluster_start": t1 - t0, "label": t2 - t1, "rows": len(frame), "load": os.getloadavg()[0]}))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
"""


_SPLIT = """
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
from classifier.pipeline.persistence import default_model_dir, load_model
from classifier.pipeline.labelling import label_table

def main(src, out, jobs, fast):
    model = load_model(None)
    model.fast = fast
    ort = []
    if not fast:  # CPU time inside onnxruntime's runs (the GIL is released there)
        session = model.encoder._session

        class Timed:
            def __getattr__(self, name):
                return getattr(session, name)

            def run(self, *a, **k):
                c = time.thread_time()
                try:
                    return session.run(*a, **k)
                finally:
                    ort.append(time.thread_time() - c)

        model.encoder._session = Timed()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t, c = time.perf_counter(), time.process_time()
    label_table(src, out, model, jobs=jobs, model_dir=default_model_dir())
    wall, main_cpu = time.perf_counter() - t, time.process_time() - c
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    print(json.dumps({"wall": wall, "main_cpu": main_cpu, "workers_cpu": workers, "ort_cpu": sum(ort)}))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "fast")
"""


def run_split(path: Path, jobs: int, fast: bool) -> dict:
    """CPU seconds of the labelling process, of its workers and inside onnxruntime (model already loaded)."""
    done = subprocess.run(
        [sys.executable, "-c", _SPLIT, str(path), str(OUT / f"split_{jobs}.csv"), str(jobs), "fast" if fast else "-"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_dask(path: Path, workers: int) -> dict:
    load = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, "-c", _DASK, str(path), str(OUT), str(workers)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "load_before": load}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=3_000, help="rows for the default (encoder) engine")
    ap.add_argument("--fast-rows", type=int, default=20_000, help="rows for --fast (TF-IDF only)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    paths = {
        False: build_file(args.rows, OUT / f"jobs_{args.rows}.csv"),
        True: build_file(args.fast_rows, OUT / f"jobs_{args.fast_rows}.csv"),
    }
    nrows = {False: args.rows, True: args.fast_rows}
    helptext = subprocess.run(
        [sys.executable, "-m", "classifier", "label", "-h"], capture_output=True, text=True, cwd=ROOT
    ).stdout
    settings = [(j, False) for j in args.jobs] + ([(j, True) for j in args.jobs] if "--fast" in helptext else [])
    runs: dict[tuple, list[dict]] = {s: [] for s in settings}
    load_start = os.getloadavg()
    for _ in range(args.rounds):
        for jobs, fast in settings:
            out = OUT / f"jobs_out_{jobs}{'_fast' if fast else ''}.csv"
            runs[(jobs, fast)].append(run(paths[fast], out, jobs, fast))
    identical = {}
    for fast in sorted({f for _, f in settings}):
        outs = [(OUT / f"jobs_out_{j}{'_fast' if fast else ''}.csv").read_bytes() for j in args.jobs]
        identical[fast] = all(o == outs[0] for o in outs)
    lines = [
        START,
        "## `label --jobs N`: rows per wall-second, end to end (bench/jobs_speed.py)",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores, shared with other engineers' jobs while measured. "
        f"Command: `.venv/bin/python bench/jobs_speed.py --rows {args.rows} --fast-rows {args.fast_rows} "
        f"--rounds {args.rounds}` ({time.strftime('%Y-%m-%d %H:%M')}). Input: complaints resampled from the "
        f"corpus (mean 80 words): {args.rows:,} for the default engine, {args.fast_rows:,} for `--fast`. "
        "Each run is `python -m classifier label FILE -o OUT.csv --jobs N -q` in a fresh "
        "process: start-up, model load and worker start-up included. Default engine: `--jobs N` = N threads "
        "sharing one model; `--fast`: N worker processes. Runs alternate between settings; "
        f"load average (1 min) at the start {load_start[0]:.2f} / {load_start[1]:.2f} / {load_start[2]:.2f}.",
        "",
        "| model | rows | jobs | rows per wall-second (median; each run) | wall s (median) | load avg per run "
        "| peak MB (largest process) |",
        "|---|---|---|---|---|---|---|",
    ]
    for (jobs, fast), rs in runs.items():
        walls = [r["wall"] for r in rs]
        med = statistics.median(walls)
        each = ", ".join(f"{nrows[fast] / w:,.0f}" for w in walls)
        loads = ", ".join(f"{r['load']:.1f}" for r in rs)
        lines.append(
            f"| {'--fast' if fast else 'default'} | {nrows[fast]:,} | {jobs} | {nrows[fast] / med:,.0f} ({each}) "
            f"| {med:.1f} | "
            f"{loads} | {max(r['peak_mb'] for r in rs):.0f} |"
        )
    lines += [
        "",
        "Where the work goes (`label_table` in one process, model loaded before timing; CPU seconds from "
        "`time.process_time`, the workers' `RUSAGE_CHILDREN` and `time.thread_time` around each onnxruntime "
        "run). On idle cores the wall time is at least: with worker processes, the busiest process's CPU; "
        "with threads, total CPU / cores and the CPU spent outside onnxruntime (Python holds the GIL).",
        "",
        "| model | jobs | wall s | labelling process CPU s | of which in onnxruntime | worker processes CPU s "
        "| rows per wall-second on idle cores (at most) | load avg |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for fast in sorted({f for _, f in settings}):
        for j in args.jobs:
            load = os.getloadavg()[0]
            r = run_split(paths[fast], j, fast)
            if r["workers_cpu"] > 0:
                floor = max(r["main_cpu"], r["workers_cpu"] / j)
            else:
                floor = max(r["main_cpu"] / j, r["main_cpu"] - r["ort_cpu"])
            lines.append(
                f"| {'--fast' if fast else 'default'} | {j} | {r['wall']:.1f} | {r['main_cpu']:.1f} | "
                f"{r['ort_cpu']:.1f} | {r['workers_cpu']:.1f} | {nrows[fast] / floor:,.0f} | {load:.1f} |"
            )
    try:
        import distributed  # noqa: F401

        dask_runs = [(w, run_dask(paths[False], w)) for w in (1, 2) for _ in range(2)]
    except (ImportError, subprocess.CalledProcessError) as exc:
        print(f"Dask runs skipped: {type(exc).__name__}", file=sys.stderr)
        dask_runs = []
    if dask_runs:
        lines += [
            "",
            "Dask (`classifier.parallel.label_dask`, `LocalCluster(n_workers=W, threads_per_worker=1, "
            "processes=True)`, the same rows as 8 Parquet partitions, written back to Parquet; model "
            "load in each worker included, cluster start-up shown apart):",
            "",
            "| workers | rows per wall-second (labelling) | labelling s | cluster start s | load avg |",
            "|---|---|---|---|---|",
        ]
        for w, r in dask_runs:
            lines.append(
                f"| {w} | {r['rows'] / r['label']:,.0f} | {r['label']:.1f} | {r['cluster_start']:.1f} | "
                f"{r['load_before']:.1f} |"
            )
    for fast, same in identical.items():
        lines.append("")
        lines.append(
            f"Outputs of {', '.join(f'--jobs {j}' for j in args.jobs)}"
            f"{' (--fast)' if fast else ''}: {'byte-identical' if same else 'DIFFERENT'}."
        )
    lines.append(END)
    section = "\n".join(lines)
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
