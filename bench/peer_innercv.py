#!/usr/bin/env python
"""Inner cross-validation for choosing theme-engine settings without the peer test sides.

Peer data (read at run time, see bench/peer.py): only the *train* side of the grouped
80/20 split of seeds 0 and 1 is used. As in the outer split, text groups holding more
than 1 % of those rows (two duplicate one-word answers) always train; the other rows
go to 3 folds grouped by normalised text. That gives 6 inner folds (~3,450 train /
~1,510 validation rows). Our corpus: train on split=train, score split=dev (the test
split is never read).

Each fold fits the features on its training rows and then a ThemeClassifier with the
given settings, as `train_model` does; predictions use the engine's decision rule
(thresholds + at least one theme); macro F1 is over labels with positives in the
validation rows, as in `classifier.metrics.theme_report`.

Usage:
    .venv/bin/python bench/peer_innercv.py                     # old and new defaults
    .venv/bin/python bench/peer_innercv.py '{"nb_alpha": 0.1}' '{"C": 2.0}'
"""

from __future__ import annotations

import collections
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for p in (str(ROOT), str(Path(__file__).resolve().parent)):
    if p not in sys.path:
        sys.path.insert(0, p)
import peer  # noqa: E402

OLD_DEFAULTS = {"nb_alpha": None, "C": 8.0}


def inner_folds(texts: list[str], seeds=(0, 1), k: int = 3):
    from sklearn.model_selection import GroupKFold

    keys = np.array([peer.norm_key(t) for t in texts])
    for seed in seeds:
        tr, _ = peer.grouped_split(texts, seed)  # the test side is never used
        count = collections.Counter(keys[tr])
        big = np.array([count[x] > 0.01 * len(tr) for x in keys[tr]])
        always, rest = tr[big], tr[~big]
        for f, (a, b) in enumerate(GroupKFold(k, shuffle=True, random_state=seed).split(rest, groups=keys[rest])):
            yield f"seed {seed} fold {f}", np.concatenate([always, rest[a]]), rest[b]


def macro_micro(Y: np.ndarray, P: np.ndarray) -> tuple[float, float]:
    G = Y.astype(bool)
    f1 = [2 * (G[:, j] & P[:, j]).sum() / (G[:, j].sum() + P[:, j].sum()) for j in range(Y.shape[1]) if G[:, j].any()]
    return float(np.mean(f1)), float(2 * (G & P).sum() / (G.sum() + P.sum()))


def fit_score(docs_tr, themes_tr, docs_va, Y_va, labels, taxonomy, params) -> tuple[float, float]:
    from classifier.features.tfidf import TextFeatures
    from classifier.models.themes import ThemeClassifier

    clf = ThemeClassifier(taxonomy=taxonomy, random_state=0, **params)
    shared = TextFeatures(
        word_ngrams=clf.word_ngrams,
        char_ngrams=clf.char_ngrams,
        min_df=clf.min_df,
        max_word_features=clf.max_word_features,
        max_char_features=clf.max_char_features,
    ).fit(docs_tr)
    keep = [i for i, t in enumerate(themes_tr) if t]  # train_model: theme rows only
    clf.fit([docs_tr[i] for i in keep], [themes_tr[i] for i in keep], shared_features=shared)
    col = {l: j for j, l in enumerate(labels)}
    P = np.zeros(Y_va.shape, bool)
    for i, row in enumerate(clf.predict(docs_va)):
        P[i, [col[l] for l in row if l in col]] = True
    return macro_micro(Y_va, P)


def run(params: dict) -> dict:
    import tempfile

    from classifier.models.themes import binarise_themes
    from classifier.pipeline.training import read_training_data
    from classifier.taxonomy.schema import load_taxonomy
    from classifier.text import prepare

    data = peer.load_peer()
    docs = prepare(data["texts"])
    Y, ids = data["Y"], data["ids"]
    themes = [[ids[j] for j in np.flatnonzero(r)] for r in Y]
    out = {"params": params, "peer_folds": []}
    with tempfile.TemporaryDirectory() as tmp:
        tax = load_taxonomy(str(peer.write_taxonomy(data["names"], ids, Path(tmp) / "v6.yml")))
        for name, tr, va in inner_folds(data["texts"]):
            m, u = fit_score(
                [docs[i] for i in tr], [themes[i] for i in tr], [docs[i] for i in va], Y[va], ids, tax, params
            )
            out["peer_folds"].append({"fold": name, "macro_f1": round(m, 4), "micro_f1": round(u, 4)})
    corpus = read_training_data(peer.CORPUS)
    tax = load_taxonomy()
    trn = [i for i, s in enumerate(corpus.splits) if s == "train"]
    dev = [i for i, s in enumerate(corpus.splits) if s == "dev" and corpus.themes[i]]
    m, u = fit_score(
        prepare([corpus.texts[i] for i in trn]),
        [corpus.themes[i] for i in trn],
        prepare([corpus.texts[i] for i in dev]),
        binarise_themes([corpus.themes[i] for i in dev], tax),
        tax.leaf_ids,
        tax,
        params,
    )
    out["peer_macro_f1"] = round(float(np.mean([f["macro_f1"] for f in out["peer_folds"]])), 4)
    out["peer_micro_f1"] = round(float(np.mean([f["micro_f1"] for f in out["peer_folds"]])), 4)
    out["corpus_dev_macro_f1"], out["corpus_dev_micro_f1"] = round(m, 4), round(u, 4)
    return out


def main(argv=None) -> int:
    warnings.filterwarnings("ignore")
    args = sys.argv[1:] if argv is None else argv
    configs = [json.loads(a) for a in args] or [OLD_DEFAULTS, {}]
    for params in configs:
        t0 = time.perf_counter()
        r = run(params)
        folds = " ".join(f"{f['macro_f1']:.3f}" for f in r["peer_folds"])
        print(
            f"{json.dumps(params) if params else 'defaults':34s} peer inner macro {r['peer_macro_f1']:.4f} ({folds}) "
            f"micro {r['peer_micro_f1']:.4f} | corpus dev macro {r['corpus_dev_macro_f1']:.4f} "
            f"micro {r['corpus_dev_micro_f1']:.4f} | {time.perf_counter() - t0:.0f}s",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
