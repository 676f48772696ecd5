#!/usr/bin/env python
"""Few-shot behaviour: macro F1 when each label has only 20, 50 or 100 training examples.

Retraining after a taxonomy change starts with a few labelled examples per theme.
For each k, labels are visited in random order and positive rows are drawn from the
training side until every label has k positives (or all it has); rows bring their other
labels with them, as real labelling would. Evaluated on
  - the pxtextmining peer data: grouped 80/20 split (seed 0), test side; our engine and
    the peer-style SVC on the same sampled rows;
  - our corpus (training_data/representations.csv): sampled from split=train, scored on
    split=dev (never on test).
Each k is repeated over `--draws` random draws (mean ± sd).

Our engine runs through `train_model` as in bench/peer.py. By default its liblinear
problems are solved with the dual solver (same optimum, much faster; see peer.py
`patch_dual_solver`); `--primal` runs the engine untouched.

Peer data: pxtextmining v6framework_230831.csv (The-Strategy-Unit/pxtextmining, MIT,
commit ba6c0a2), read at run time; no text is stored.

    .venv/bin/python bench/fewshot.py [--draws 3] [--embeddings]
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np  # noqa: E402
import peer  # noqa: E402

KS = (20, 50, 100)


def sample_per_label(Y: np.ndarray, pool: np.ndarray, k: int, rng) -> np.ndarray:
    """Rows of `pool` such that each label has min(k, available) positives."""
    chosen: set[int] = set()
    counts = np.zeros(Y.shape[1], dtype=int)
    for j in rng.permutation(Y.shape[1]):
        if counts[j] >= k:
            continue
        cand = [i for i in pool[Y[pool, j] == 1] if i not in chosen]
        rng.shuffle(cand)
        for i in cand[: k - counts[j]]:
            chosen.add(int(i))
            counts += Y[i]
    return np.array(sorted(chosen))


def corpus_matrix(rows: list[dict], labels: list[str]) -> np.ndarray:
    from classifier.taxonomy.schema import parse_theme_list

    Y = np.zeros((len(rows), len(labels)), dtype=np.int8)
    for i, r in enumerate(rows):
        for t in parse_theme_list(r["themes"]):
            if t in labels:
                Y[i, labels.index(t)] = 1
    return Y


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=3)
    ap.add_argument("--primal", action="store_true")
    ap.add_argument("--no-peer-svc", action="store_true")
    ap.add_argument("--embeddings", action="store_true", help="also tfidf+embed x2 (needs the extra)")
    ap.add_argument("--json", type=Path, default=peer.OUT_DIR / "fewshot.json")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    if not args.primal:
        peer.patch_dual_solver()
    peer.OUT_DIR.mkdir(parents=True, exist_ok=True)
    from classifier.taxonomy.schema import load_taxonomy

    data = peer.load_peer()
    tr, te = peer.grouped_split(data["texts"], 0)
    corpus_tr, _ = peer.corpus_split()
    corpus_labels = load_taxonomy().leaf_ids
    themed = [r for r in corpus_tr if r["themes"].strip()]
    Yc = corpus_matrix(themed, corpus_labels)
    engines = ["ours"] + (["peer_svc"] if not args.no_peer_svc else []) + (["ours+embed"] if args.embeddings else [])
    res = {
        "data": peer.CITATION,
        "ks": list(KS),
        "draws": args.draws,
        "dual_patch": not args.primal,
        "peer_full_train_rows": int(len(tr)),
        "corpus_full_train_rows": len(themed),
        "runs": [],
    }
    for k in KS:
        for draw in range(args.draws):
            rng = np.random.default_rng(1000 * k + draw)
            rows = sample_per_label(data["Y"], tr, k, rng)
            crow = sample_per_label(Yc, np.arange(len(themed)), k, rng)
            for eng in engines:
                if eng == "ours+embed":
                    import embeddings as bench_emb  # bench/embeddings.py

                    bench_emb.install_patch("tfidf+embed", 2.0)
                if eng == "peer_svc":
                    r = peer.run_peer(draw, n_jobs=2, split=(rows, te), data=data)
                    c = None
                else:
                    r = peer.run_ours(draw, split=(rows, te), data=data, crosscheck=False)
                    c = peer.corpus_dev_eval(seed=draw, train_rows=[themed[i] for i in crow])
                if eng == "ours+embed":  # back to TF-IDF for the next engine
                    import classifier.features.tfidf as feats
                    import classifier.models.themes as themes

                    themes.TextFeatures = feats.TextFeatures
                run = {
                    "k": k,
                    "draw": draw,
                    "engine": eng,
                    "peer_train_rows": int(len(rows)),
                    "peer_macro_f1": r["macro_f1"],
                    "peer_micro_f1": r["micro_f1"],
                    "corpus_train_rows": int(len(crow)),
                    "corpus_dev_macro_f1": c["macro_f1"] if c else None,
                    "corpus_dev_micro_f1": c["micro_f1"] if c else None,
                }
                res["runs"].append(run)
                args.json.write_text(json.dumps(res, indent=1))
                print(
                    f"k={k:3d} draw {draw} {eng:10s} peer rows {len(rows):4d} macro {r['macro_f1']:.3f} "
                    f"micro {r['micro_f1']:.3f}"
                    + (
                        f" | corpus rows {len(crow)} dev macro {c['macro_f1']:.3f} micro {c['micro_f1']:.3f}"
                        if c
                        else ""
                    ),
                    flush=True,
                )
    print(table(res))
    return 0


def table(res: dict) -> str:
    lines = [
        "| k per label | engine | peer train rows | peer macro F1 | peer micro F1 | corpus train rows | corpus dev macro F1 | corpus dev micro F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    keys = sorted({(r["k"], r["engine"]) for r in res["runs"]}, key=lambda x: (x[0], x[1]))
    for k, eng in keys:
        rs = [r for r in res["runs"] if r["k"] == k and r["engine"] == eng]

        def ms(key, rs=rs):
            v = [r[key] for r in rs if r[key] is not None]
            return f"{np.mean(v):.3f} ± {np.std(v, ddof=1) if len(v) > 1 else 0:.3f}" if v else "–"

        crow = np.mean([r["corpus_train_rows"] for r in rs]) if rs[0]["corpus_dev_macro_f1"] is not None else None
        lines.append(
            f"| {k} | {eng} | {np.mean([r['peer_train_rows'] for r in rs]):.0f} | {ms('peer_macro_f1')} | "
            f"{ms('peer_micro_f1')} | {'' if crow is None else f'{crow:.0f}'} | {ms('corpus_dev_macro_f1')} | "
            f"{ms('corpus_dev_micro_f1')} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
