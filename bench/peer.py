#!/usr/bin/env python
"""Peer benchmark: our theme engine against a pxtextmining-style SVC on real NHS feedback.

Data: the labelled patient-experience file published by the pxtextmining project
(The-Strategy-Unit/pxtextmining, MIT licence, datasets/v6framework_230831.csv,
commit ba6c0a2), read at run time from ../shared/bench/pxtextmining/. Its text is
never copied into the project: splits, the taxonomy and the training table are
written to a temporary folder and deleted afterwards; results hold figures only.

Protocol (issue 7):
- text `FFT answer`; rows whose text is blank are dropped (514 rows: almost all are
  "Labelling not possible" and would make that label trivially easy);
- the v6 labels with >= 10 positive rows (42 of 50);
- 80/20 split grouped by normalised text (lower-case, trimmed, spaces collapsed),
  so no text is on both sides; repeated over seeds 0..4; mean and spread;
- our engine: the same path as `complaints train` / `evaluate`:
  `classifier.pipeline.training.train_model` with a taxonomy YAML generated from the CSV's
  column names (ids are slugs of the names), the train split written to a temporary
  CSV, the model saved, re-loaded by `load_model`, and scored through
  `classifier.metrics.theme_report` (cross-checked with `evaluate_model`);
- the peer's method re-implemented from its description: TF-IDF word 1-2 grams
  (scikit-learn defaults otherwise), one SVC per label (C=15, balanced class weights,
  probability=True, scikit-learn's default RBF kernel), label chosen when p >= 0.5;
- both engines are scored by the same functions; each (engine, seed) runs in a fresh
  process so that its peak memory (max RSS) is its own.

Usage:
    .venv/bin/python bench/peer.py                 # 5 seeds, both engines
    .venv/bin/python bench/peer.py --quick         # seed 0 only
    .venv/bin/python bench/peer.py --sweep         # hyperparameter table (ours only)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import resource
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import cpu_name  # noqa: E402

PEER_DATA = Path(
    os.environ.get("PEER_DATA", ROOT.parent / "shared" / "bench" / "pxtextmining" / "v6framework_230831.csv")
)
CORPUS = ROOT / "training_data" / "representations.csv"
OUT_DIR = ROOT / "bench" / "out"  # git-ignored; raw figures (no text) go here
TEXT_COL = "FFT answer"
META_COLS = 11  # metadata columns before the 50 theme columns
MIN_POSITIVES = 10
LNP = "Labelling not possible"
CITATION = (
    "pxtextmining v6framework_230831.csv (The-Strategy-Unit/pxtextmining, MIT licence, "
    "datasets/v6framework_230831.csv, commit ba6c0a2)"
)


# ------------------------------------------------------------------ data
def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def load_peer(path: Path = PEER_DATA) -> dict:
    """Texts, 0/1 label matrix and label names for labels with >= MIN_POSITIVES rows."""
    import pandas as pd

    frame = pd.read_csv(path, dtype={TEXT_COL: str})
    names_all = list(frame.columns[META_COLS:])
    text = frame[TEXT_COL].fillna("").astype(str)
    labels_all = frame[names_all].fillna(0).astype(int).clip(0, 1)
    blank = text.str.strip() == ""
    # Non-answers: every non-blank row labelled "Labelling not possible" carries one
    # placeholder text and no other label. In a grouped split that one text can only
    # sit wholly on one side, so those rows are dropped like blank ones.
    non_answer = (
        (~blank) & (labels_all[LNP] == 1) & (labels_all.sum(axis=1) == 1) if LNP in labels_all else blank & False
    )
    keep = ~(blank | non_answer)
    labels = labels_all[keep.values]
    names = [n for n in names_all if labels[n].sum() >= MIN_POSITIVES]
    ids, seen = [], set()
    for n in names:
        s = slug(n)
        while s in seen:
            s += "_"
        seen.add(s)
        ids.append(s)
    return {
        "texts": list(text[keep.values]),
        "Y": labels[names].to_numpy(dtype=np.int8),
        "names": names,
        "ids": ids,
        "rows_total": len(frame),
        "rows_blank_dropped": int(blank.sum()),
        "rows_non_answer_dropped": int(non_answer.sum()),
        "labels_total": len(names_all),
    }


def norm_key(text: str) -> str:
    return " ".join(str(text).lower().split())


def grouped_split(texts: list[str], seed: int, test_frac: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle the distinct normalised texts and take whole groups until ~test_frac of rows."""
    keys = [norm_key(t) for t in texts]
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    order = list(groups)
    rng = np.random.default_rng(seed)
    rng.shuffle(order)
    target = int(round(test_frac * len(texts)))
    test: list[int] = []
    for k in order:
        if len(test) >= target:
            break
        if len(test) + len(groups[k]) > target + 0.01 * len(texts):  # skip a huge group near the end
            continue
        test.extend(groups[k])
    test_set = set(test)
    train = np.array([i for i in range(len(texts)) if i not in test_set])
    return train, np.array(sorted(test_set))


def write_taxonomy(names: list[str], ids: list[str], path: Path) -> Path:
    import yaml

    doc = {
        "id": "pxtextmining-v6",
        "version": "230831",
        "name": "pxtextmining framework v6 (labels with >= 10 rows)",
        "themes": [{"id": i, "label": n} for i, n in zip(ids, names)],
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def write_table(path: Path, texts: list[str], Y: np.ndarray, ids: list[str], rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([TEXT_COL, "themes"])
        for i in rows:
            w.writerow([texts[i], "; ".join(ids[j] for j in np.flatnonzero(Y[i]))])
    return path


# ------------------------------------------------------------------ metrics
def score(Y: np.ndarray, P: np.ndarray, S: np.ndarray, ids: list[str], names: list[str]) -> dict:
    """Same figures for every engine. F1s come from classifier.metrics.theme_report
    (macro = mean over labels with support in the test rows)."""
    from sklearn.metrics import hamming_loss, label_ranking_average_precision_score

    from classifier.metrics import theme_report

    gold = [[ids[j] for j in np.flatnonzero(r)] for r in Y]
    pred = [[ids[j] for j in np.flatnonzero(r)] for r in P]
    rep = theme_report(gold, pred, ids)
    lnp = ids[names.index(LNP)] if LNP in names else None
    f1s = [v["f1"] for k, v in rep["per_theme"].items() if v["support"] and k != lnp]
    return {
        "macro_f1": rep["macro_f1"],
        "macro_f1_ex_lnp": round(float(np.mean(f1s)), 4),
        "micro_f1": rep["micro_f1"],
        "samples_f1": rep["samples_f1"],
        "hamming": round(float(hamming_loss(Y, P)), 5),
        "lrap": round(float(label_ranking_average_precision_score(Y, S)), 4),
        "labels_scored": sum(1 for v in rep["per_theme"].values() if v["support"]),
        "per_label_f1": {k: v["f1"] for k, v in rep["per_theme"].items()},
    }


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def with_fallback(S: np.ndarray, P: np.ndarray) -> np.ndarray:
    """At-least-one-label rule: an empty row gets its top-scoring label."""
    P = P.copy()
    empty = ~P.any(axis=1)
    P[np.flatnonzero(empty), S[empty].argmax(axis=1)] = 1
    return P


# ------------------------------------------------------------------ engines
def patch_dual_solver() -> None:
    """No-op, kept so that `--dual` and the sweep still run.

    It used to swap in liblinear's dual solver for the experiments; the engine has used
    that solver itself since (classifier/linear.py), and patching `_fit_binary` now
    would also drop the engine's naive Bayes feature scaling."""


def run_ours(
    seed: int,
    params: dict | None = None,
    split: tuple | None = None,
    data: dict | None = None,
    crosscheck: bool = True,
    dual: bool = False,
) -> dict:
    """Train through train_model on a temp CSV + generated taxonomy; score the test split."""
    if dual:
        patch_dual_solver()
    from classifier.models.decide import decide
    from classifier.pipeline.evaluation import evaluate_model
    from classifier.pipeline.persistence import load_model
    from classifier.pipeline.training import train_model
    from classifier.text import prepare

    data = data or load_peer()
    texts, Y, ids, names = data["texts"], data["Y"], data["ids"], data["names"]
    tr, te = split if split is not None else grouped_split(texts, seed)
    base_rss = _rss_mb()
    with tempfile.TemporaryDirectory(prefix="peer-bench-") as tmp:
        tmp = Path(tmp)
        tax = write_taxonomy(names, ids, tmp / "v6.yml")
        train_csv = write_table(tmp / "train.csv", texts, Y, ids, tr)
        t0, c0 = time.perf_counter(), time.process_time()
        train_model(
            train_csv,
            tmp / "model",
            taxonomy=str(tax),
            text_column=TEXT_COL,
            themes_column="themes",
            seed=seed,
            theme_params=params,
        )
        train_s, train_cpu = time.perf_counter() - t0, time.process_time() - c0
        model = load_model(tmp / "model")
        clf = model.themes
        test_texts = [texts[i] for i in te]
        t0, c0 = time.perf_counter(), time.process_time()
        docs = prepare(test_texts)
        proba = clf.predict_proba(docs)
        pred = clf.predict(docs, proba=proba)
        pred_s, pred_cpu = time.perf_counter() - t0, time.process_time() - c0
        col = {l: j for j, l in enumerate(clf.labels_)}
        order = [col[i] for i in ids]
        S = proba[:, order]
        P = np.zeros_like(Y[te])
        for r, labs in enumerate(pred):
            for l in labs:
                P[r, ids.index(l)] = 1
        out = {
            "engine": "ours",
            "seed": seed,
            "params": params or {},
            "dual_patch": dual,
            "train_rows": int(len(tr)),
            "test_rows": int(len(te)),
            "train_s": round(train_s, 2),
            "train_cpu_s": round(train_cpu, 2),
            "predict_s": round(pred_s, 3),
            "rows_per_s": round(len(te) / pred_s, 1),
            "rows_per_cpu_s": round(len(te) / pred_cpu, 1),
            "peak_rss_mb": round(_rss_mb(), 1),
            "rss_after_imports_mb": round(base_rss, 1),
            **score(Y[te], P, S, ids, names),
        }
        # Diagnostics: without the at-least-one rule; with threshold 0.5 (as the peer).
        th = np.array([clf.thresholds_[l] for l in clf.labels_])
        loose = decide(proba, th, at_least_one=False)
        P2 = np.zeros_like(P)
        for r, js in enumerate(loose):
            P2[r, [ids.index(clf.labels_[j]) for j in js]] = 1
        out["no_at_least_one"] = {k: v for k, v in score(Y[te], P2, S, ids, names).items() if k != "per_label_f1"}
        out["threshold_0_5"] = {
            k: v for k, v in score(Y[te], (S >= 0.5).astype(np.int8), S, ids, names).items() if k != "per_label_f1"
        }
        if crosscheck:
            test_csv = write_table(tmp / "test.csv", texts, Y, ids, te)
            rep = evaluate_model(test_csv, model, text_column=TEXT_COL, themes_column="themes")
            out["evaluate_model_macro_f1"] = rep["themes"]["macro_f1"]
            out["evaluate_model_rows"] = rep["themes"]["rows"]
    return out


def _fit_svc(X, y, seed):
    from sklearn.svm import SVC

    if y.min() == y.max():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # probability= is deprecated in sklearn 1.9
        return SVC(C=15, class_weight="balanced", probability=True, random_state=seed, cache_size=1000).fit(X, y)


def run_peer(seed: int, n_jobs: int = 2, split: tuple | None = None, data: dict | None = None) -> dict:
    """pxtextmining-style: TF-IDF word 1-2 grams, one SVC per label (C=15, balanced,
    probability=True), threshold 0.5. Training is parallel across labels (threads);
    prediction is timed on one thread, like ours."""
    from joblib import Parallel, delayed
    from sklearn.feature_extraction.text import TfidfVectorizer

    data = data or load_peer()
    texts, Y, ids, names = data["texts"], data["Y"], data["ids"], data["names"]
    tr, te = split if split is not None else grouped_split(texts, seed)
    base_rss = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    vec = TfidfVectorizer(ngram_range=(1, 2))
    X = vec.fit_transform([texts[i] for i in tr])
    clfs = Parallel(n_jobs=n_jobs, prefer="threads")(delayed(_fit_svc)(X, Y[tr, j], seed) for j in range(Y.shape[1]))
    train_s, train_cpu = time.perf_counter() - t0, time.process_time() - c0
    test_texts = [texts[i] for i in te]
    t0, c0 = time.perf_counter(), time.process_time()
    Xt = vec.transform(test_texts)
    S = np.column_stack([c.predict_proba(Xt)[:, 1] if c is not None else np.zeros(Xt.shape[0]) for c in clfs])
    P = (S >= 0.5).astype(np.int8)
    pred_s, pred_cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {
        "engine": "peer_svc",
        "seed": seed,
        "train_rows": int(len(tr)),
        "test_rows": int(len(te)),
        "train_s": round(train_s, 2),
        "train_cpu_s": round(train_cpu, 2),
        "train_jobs": n_jobs,
        "predict_s": round(pred_s, 3),
        "rows_per_s": round(len(te) / pred_s, 1),
        "rows_per_cpu_s": round(len(te) / pred_cpu, 1),
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_after_imports_mb": round(base_rss, 1),
        **score(Y[te], P, S, ids, names),
    }
    out["with_at_least_one"] = {
        k: v for k, v in score(Y[te], with_fallback(S, P), S, ids, names).items() if k != "per_label_f1"
    }
    return out


def _worker(kind: str, seed: int, kwargs: dict) -> dict:
    warnings.filterwarnings("ignore")
    return (run_ours if kind == "ours" else run_peer)(seed, **kwargs)


def isolated(kind: str, seed: int, **kwargs) -> dict:
    """Run one engine in a fresh process: clean timings and its own peak memory."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as ex:
        return ex.submit(_worker, kind, seed, kwargs).result()


# ------------------------------------------------------------------ our corpus (dev split)
def corpus_split(path: Path = CORPUS):
    """Rows of our corpus: (train rows with split=train, dev rows) as dicts."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r for r in rows if r["split"] == "train"], [r for r in rows if r["split"] == "dev"]


def write_rows(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def corpus_dev_eval(params: dict | None = None, seed: int = 0, train_rows: list[dict] | None = None) -> dict:
    """Train on the corpus train split only (dev and test rows removed), score dev."""
    from classifier.pipeline.evaluation import evaluate_model
    from classifier.pipeline.training import train_model

    tr, dev = corpus_split()
    if train_rows is not None:
        tr = train_rows
    with tempfile.TemporaryDirectory(prefix="corpus-bench-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        model = train_model(write_rows(tmp / "train.csv", tr), None, seed=seed, theme_params=params)
        train_s = time.perf_counter() - t0
        rep = evaluate_model(write_rows(tmp / "dev.csv", dev), model, split="dev")["themes"]
    return {
        "macro_f1": rep["macro_f1"],
        "micro_f1": rep["micro_f1"],
        "samples_f1": rep["samples_f1"],
        "rows": rep["rows"],
        "train_rows": len(tr),
        "train_s": round(train_s, 1),
    }


# ------------------------------------------------------------------ reporting
SUMMARY_KEYS = [
    "macro_f1",
    "macro_f1_ex_lnp",
    "micro_f1",
    "samples_f1",
    "hamming",
    "lrap",
    "train_s",
    "train_cpu_s",
    "rows_per_s",
    "rows_per_cpu_s",
    "peak_rss_mb",
]


def summarise(runs: list[dict]) -> dict:
    out = {}
    for k in SUMMARY_KEYS:
        v = np.array([r[k] for r in runs], dtype=float)
        out[k] = {
            "mean": float(v.mean()),
            "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
            "min": float(v.min()),
            "max": float(v.max()),
        }
    return out


def fmt(s: dict, k: str) -> str:
    m, sd = s[k]["mean"], s[k]["sd"]
    if k in ("train_s", "train_cpu_s", "peak_rss_mb"):
        return f"{m:.0f} ± {sd:.0f}"
    if k in ("rows_per_s", "rows_per_cpu_s"):
        return f"{m:,.0f} ± {sd:,.0f}"
    if k == "hamming":
        return f"{m:.4f} ± {sd:.4f}"
    return f"{m:.3f} ± {sd:.3f}"


def table(results: dict) -> str:
    ours, peer = summarise(results["ours"]), summarise(results["peer_svc"])
    lines = ["| metric | ours | peer-style SVC | ours − peer | ours / peer |", "|---|---|---|---|---|"]
    for k in SUMMARY_KEYS:
        a, b = ours[k]["mean"], peer[k]["mean"]
        lines.append(f"| {k} | {fmt(ours, k)} | {fmt(peer, k)} | {a - b:+.4g} | {a / b:.2f} |")
    d = np.array([o["macro_f1"] - p["macro_f1"] for o, p in zip(results["ours"], results["peer_svc"])])
    r = np.array([o["rows_per_cpu_s"] / p["rows_per_cpu_s"] for o, p in zip(results["ours"], results["peer_svc"])])
    lines += [
        "",
        f"Paired per seed: macro F1 difference {d.mean():+.3f} (min {d.min():+.3f}, max {d.max():+.3f}); "
        f"prediction speed ratio (rows per CPU-second) {r.mean():.1f}x (min {r.min():.1f}x, max {r.max():.1f}x).",
    ]
    return "\n".join(lines)


def machine() -> dict:
    import sklearn

    return {
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "cpu": cpu_name(),
        "scikit-learn": sklearn.__version__,
    }


# ------------------------------------------------------------------ sweep
SWEEP = [  # in order of expected value: the sweep can be stopped and resumed (done names are skipped)
    ("default", {}),
    ("C=2", {"C": 2.0}),
    ("C=16", {"C": 16.0}),
    ("class_weight=None", {"class_weight": None}),
    ("char=None (words only)", {"char_ngrams": None}),
    ("min_df=2", {"min_df": 2}),
    ("thresholds (0.1,0.9)", {"threshold_bounds": (0.1, 0.9)}),
    ("cv_folds=3", {"cv_folds": 3}),
    ("char=(3,5)", {"char_ngrams": (3, 5)}),
    ("C=4", {"C": 4.0}),
    ("C=32", {"C": 32.0}),
    ("word=(1,3)", {"word_ngrams": (1, 3)}),
    ("word=(1,1)", {"word_ngrams": (1, 1)}),
    ("min_df=1", {"min_df": 1}),
    ("min_df=5", {"min_df": 5}),
    ("max features 10k/15k", {"max_word_features": 10000, "max_char_features": 15000}),
    ("max features 60k/80k", {"max_word_features": 60000, "max_char_features": 80000}),
    ("thresholds (0.02,0.95)", {"threshold_bounds": (0.02, 0.95)}),
    ("cv_folds=10", {"cv_folds": 10}),
    ("char=(1,4)", {"char_ngrams": (1, 4)}),
]


def _sweep_one(name: str, params: dict, seeds: list[int]) -> dict:
    warnings.filterwarnings("ignore")
    data = load_peer()
    peer = [run_ours(s, params=params, data=data, crosscheck=False, dual=True) for s in seeds]
    corpus = corpus_dev_eval(params)  # dual patch already applied in this process
    return {
        "name": name,
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
        "peer_macro_f1": [p["macro_f1"] for p in peer],
        "peer_micro_f1": [p["micro_f1"] for p in peer],
        "peer_train_s": [p["train_s"] for p in peer],
        "corpus_dev_macro_f1": corpus["macro_f1"],
        "corpus_dev_micro_f1": corpus["micro_f1"],
    }


def sweep(configs, seeds: list[int], workers: int, out: Path) -> list[dict]:
    done = json.loads(out.read_text()) if out.exists() else []
    have = {d["name"] for d in done}
    todo = [(n, p) for n, p in configs if n not in have]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as ex:
        futs = [ex.submit(_sweep_one, n, p, seeds) for n, p in todo]
        for f in futs:
            r = f.result()
            done.append(r)
            out.write_text(json.dumps(done, indent=1))
            print(
                f"{r['name']:28s} peer macro {np.mean(r['peer_macro_f1']):.3f} "
                f"micro {np.mean(r['peer_micro_f1']):.3f} | corpus dev macro {r['corpus_dev_macro_f1']:.3f} "
                f"micro {r['corpus_dev_micro_f1']:.3f}",
                flush=True,
            )
    return done


def sweep_table(done: list[dict]) -> str:
    base = next((d for d in done if d["name"] == "default"), None)
    lines = [
        "| setting | peer macro F1 | Δ | peer micro F1 | corpus dev macro F1 | Δ | corpus dev micro F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in done:
        pm = float(np.mean(d["peer_macro_f1"]))
        dm = (pm - float(np.mean(base["peer_macro_f1"]))) if base else 0.0
        dc = (d["corpus_dev_macro_f1"] - base["corpus_dev_macro_f1"]) if base else 0.0
        lines.append(
            f"| {d['name']} | {pm:.3f} | {dm:+.3f} | {np.mean(d['peer_micro_f1']):.3f} | "
            f"{d['corpus_dev_macro_f1']:.3f} | {dc:+.3f} | {d['corpus_dev_micro_f1']:.3f} |"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------ main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="one seed (0) instead of five")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--svc-jobs", type=int, default=2, help="threads for the SVC's per-label training")
    ap.add_argument("--engines", default="ours,peer_svc")
    ap.add_argument("--sweep", action="store_true", help="hyperparameter table for our engine")
    ap.add_argument("--sweep-seeds", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2, help="parallel sweep configurations")
    ap.add_argument("--dual", action="store_true", help="experiment: liblinear dual solver for our engine")
    ap.add_argument("--json", type=Path, default=None, help="raw figures (default bench/out/...)")
    args = ap.parse_args(argv)
    if not PEER_DATA.exists():
        print(f"peer data not found at {PEER_DATA}; set PEER_DATA", file=sys.stderr)
        return 2
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if args.sweep:
        out = args.json or OUT_DIR / "sweep.json"
        done = sweep(SWEEP, list(range(args.sweep_seeds)), args.workers, out)
        print(sweep_table(done))
        return 0
    seeds = [0] if args.quick else list(range(args.seeds))
    engines = args.engines.split(",")
    out = args.json or OUT_DIR / ("peer_quick.json" if args.quick else "peer.json")
    data = load_peer()
    results: dict = {
        "data": CITATION,
        "rows_used": len(data["texts"]),
        "rows_blank_dropped": data["rows_blank_dropped"],
        "rows_non_answer_dropped": data["rows_non_answer_dropped"],
        "labels": len(data["ids"]),
        "machine": machine(),
        "seeds": seeds,
        "ours": [],
        "peer_svc": [],
    }
    started = time.perf_counter()
    for seed in seeds:
        for eng in engines:
            kw = {"n_jobs": args.svc_jobs} if eng == "peer_svc" else {"dual": args.dual}
            r = isolated("ours" if eng == "ours" else "peer", seed, **kw)
            results[eng].append(r)
            results["wall_s"] = round(time.perf_counter() - started, 1)
            out.write_text(json.dumps(results, indent=1))
            print(
                f"seed {seed} {eng:9s} macro {r['macro_f1']:.3f} (ex LNP {r['macro_f1_ex_lnp']:.3f}) "
                f"micro {r['micro_f1']:.3f} samples {r['samples_f1']:.3f} hamming {r['hamming']:.4f} "
                f"lrap {r['lrap']:.3f} | train {r['train_s']:.0f}s ({r['train_cpu_s']:.0f} cpu-s) "
                f"predict {r['rows_per_s']:.0f} rows/s ({r['rows_per_cpu_s']:.0f}/cpu-s) "
                f"peak {r['peak_rss_mb']:.0f} MB",
                flush=True,
            )
    print(
        f"\n{len(data['texts'])} rows, {len(data['ids'])} labels, seeds {seeds}, "
        f"wall {time.perf_counter() - started:.0f}s; data: {CITATION}\n"
    )
    if results["ours"] and results["peer_svc"]:
        print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
