"""Speed, cold load and memory of the int8 ONNX sentence encoder (no torch).

    python bench/encoder_speed.py [--threads 1] [--n 400] [--batch-size 8]

Texts: exactly 80 words each, made by joining the invented sentences in
scripts/encoder_fidelity_sentences.txt. Speed is texts per CPU-second
(time.process_time) and per wall-second, best of --repeats runs after a warm-up.
Cold load and memory are measured in fresh subprocesses (peak RSS from getrusage).
Only the run-time module is used: classifier/features/encoder.py, by file path.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULE = ROOT / "classifier" / "features" / "encoder.py"
MODEL_DIR = ROOT / "models" / "encoder"
SENTENCES = ROOT / "scripts" / "encoder_fidelity_sentences.txt"


def load_module():
    spec = importlib.util.spec_from_file_location("_encoder_bench", MODULE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def texts(n: int, words: int = 80) -> list[str]:
    lines = [
        s.strip() for s in SENTENCES.read_text(encoding="utf-8").splitlines() if s.strip() and not s.startswith("#")
    ]
    pool = " ".join(lines).split()
    out, pos = [], 0
    for i in range(n):
        pos = (i * 37) % len(pool)  # different starting points, deterministic
        chunk = (pool[pos:] + pool)[:words]
        out.append(" ".join(chunk))
    return out


def cpu_flags() -> str:
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown"
    flags = set(re.search(r"^flags\s*:(.*)$", info, re.M).group(1).split())
    model = re.search(r"^model name\s*:(.*)$", info, re.M)
    wanted = sorted(
        f
        for f in flags
        if f in {"avx2", "avx_vnni", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_int8"}
    )
    return f"{model.group(1).strip() if model else '?'}: {' '.join(wanted) or 'none of avx2/avx512/vnni'}"


CHILD = r"""
import importlib.util, json, os, resource, sys, time
os.environ["ORT_DISABLE_TELEMETRY"] = "1"  # onnxruntime's usage events off, as the package does
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("_enc", sys.argv[1])
mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
import onnxruntime, tokenizers
t1 = time.perf_counter()
enc = mod.SentenceEncoder(sys.argv[2], threads=int(sys.argv[3]))
t2 = time.perf_counter()
rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
texts = json.loads(sys.argv[4])
t3 = time.perf_counter()
enc.encode(texts[:1])
t4 = time.perf_counter()
enc.encode(texts, batch_size=8)
rss_batch = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "first_encode_s": t4 - t3,
                  "rss_loaded_mb": rss_loaded / 1024, "rss_peak_mb": rss_batch / 1024,
                  "torch_loaded": any(m.split(".")[0] == "torch" for m in sys.modules)}))
"""


def fresh_process(threads: int, batch: list[str]) -> dict:
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(MODULE), str(MODEL_DIR), str(threads), json.dumps(batch)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(res.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    mod = load_module()
    enc = mod.SentenceEncoder(MODEL_DIR, threads=args.threads)
    data = texts(args.n)
    tokens = sum(len(c) for t in data for c in enc._chunks(t)) / len(data)
    enc.encode(data[:16], batch_size=args.batch_size)  # warm-up
    best_cpu = best_wall = float("inf")
    for _ in range(args.repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        enc.encode(data, batch_size=args.batch_size)
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)

    cold = [fresh_process(args.threads, data[:8]) for _ in range(3)]
    long_text = texts(1, words=210)[0]
    long_tokens = sum(len(c) for c in enc._chunks(long_text))
    mem_long = fresh_process(args.threads, [long_text] * 8)
    cold_best = min(cold, key=lambda r: r["import_s"] + r["load_s"])
    print(f"cpu: {cpu_flags()}")
    print(
        f"threads={args.threads} batch_size={args.batch_size} n={args.n} words/text=80 "
        f"tokens/text={tokens:.0f} (with [CLS]/[SEP])"
    )
    print(f"speed: {args.n / best_cpu:.1f} texts per CPU-second, {args.n / best_wall:.1f} texts per wall-second")
    print(
        f"cold start (best of 3 fresh processes): import {cold_best['import_s']:.2f}s, "
        f"load+verify {cold_best['load_s']:.2f}s, first encode {cold_best['first_encode_s'] * 1000:.0f}ms"
    )
    print(
        f"memory (peak RSS): loaded {cold_best['rss_loaded_mb']:.0f} MB; after batch of 8 x 80 words "
        f"{cold_best['rss_peak_mb']:.0f} MB; after batch of 8 x {long_tokens} tokens {mem_long['rss_peak_mb']:.0f} MB"
    )
    print(f"torch imported in the child: {cold_best['torch_loaded']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
