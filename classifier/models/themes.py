"""ThemeClassifier: multi-label themes with calibrated probabilities and evidence."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from classifier.errors import LabelError
from classifier.estimator import Estimator, MultiLabelClassifierMixin
from classifier.features.tfidf import TextFeatures
from classifier.models.decide import compile_keywords, decide
from classifier.models.linear import CalibratedOvR, best_f1_threshold
from classifier.taxonomy.schema import Taxonomy, load_taxonomy
from classifier.text import PreparedText, ensure_prepared


class ThemeClassifier(MultiLabelClassifierMixin, Estimator):
    """Assign complaint text to the themes of a taxonomy.

    Hyperparameters are set in __init__; fitted state ends in `_`.
    `fit(texts, themes)` takes raw texts and, per text, a list of theme ids.

    Sentence-encoder vectors (`fit(..., vectors=, encode=)`) add two more
    opinions beside the TF-IDF head, each a calibrated probability per theme:
    a logistic regression on the vectors (`vector_C`) and zero-shot similarity
    to each theme's "label: description" (`ZeroShotThemes`). The rule that
    combines them was fixed before any measurement (bench/REAL_TEXT_RESULTS.md):
    heads = mean(TF-IDF head, vector head); p = (1 - zeroshot_weight) * heads +
    zeroshot_weight * zero-shot. Thresholds are tuned on the out-of-fold
    combination; the TF-IDF head keeps its own for labelling without vectors (--fast).

    Parameters
    ----------
    taxonomy : Taxonomy, optional
        The themes to learn (default: the bundled stage1-themes).
    C : float
        Inverse regularisation of each theme's TF-IDF logistic regression.
    class_weight : str or None
        "balanced" weighs each theme's rare positives up.
    word_ngrams, char_ngrams : (int, int)
        Lemma word n-grams and character n-grams (within words); char None: words only.
    min_df : int
        Terms in fewer training texts are dropped (also keeps rare names out).
    max_word_features, max_char_features : int
        Vocabulary caps.
    cv_folds : int
        Folds of the out-of-fold scores that calibrate and set thresholds.
    threshold_bounds : (float, float)
        Range each theme's F1-tuned threshold is kept in.
    keyword_floor : float
        A taxonomy keyword in the text lowers its theme's threshold to this share.
    features : str
        "tfidf", or with the [embeddings] extra "tfidf+embed" / "embed".
    embed_weight : float
        Weight of the embedding columns with `features="tfidf+embed"`.
    nb_alpha : float or None
        Smoothing of the naive Bayes feature scaling of each theme's logistic
        regression (NB-LR, see `classifier.models.linear`); None turns it off.
        TF-IDF features only (the scaling needs non-negative values).
    vector_C : float
        Inverse regularisation of the sentence-vector head.
    zeroshot_weight : float
        Share of the zero-shot score in the combination (0: none).
    random_state : int
        Seed of the folds (training is reproducible).
    """

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        C=4.0,
        class_weight="balanced",
        word_ngrams=(1, 2),
        char_ngrams=(2, 5),
        min_df=3,
        max_word_features=30000,
        max_char_features=40000,
        cv_folds=5,
        threshold_bounds=(0.05, 0.9),
        keyword_floor=0.5,
        features="tfidf",
        embed_weight=1.0,
        nb_alpha=0.3,
        vector_C=4.0,
        zeroshot_weight=0.5,
        random_state=0,
    ):
        self.taxonomy = taxonomy
        self.vector_C = vector_C
        self.zeroshot_weight = zeroshot_weight
        self.C = C
        self.nb_alpha = nb_alpha
        self.class_weight = class_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.cv_folds = cv_folds
        self.threshold_bounds = threshold_bounds
        self.keyword_floor = keyword_floor
        # "tfidf" (default), or with the [embeddings] extra "tfidf+embed" / "embed"
        self.features = features
        self.embed_weight = embed_weight
        self.random_state = random_state

    # ------------------------------------------------------------ training
    def fit(
        self, texts, themes, shared_features: TextFeatures | None = None, vectors: np.ndarray | None = None, encode=None
    ):
        """Learn the theme heads, their calibration and one threshold per theme.

        Parameters
        ----------
        texts : list of str or PreparedText
        themes : list of lists of theme ids (main theme first), or a 0/1 matrix
        shared_features : TextFeatures, optional
            An already fitted TextFeatures to share with other components.
        vectors : ndarray, optional
            Sentence-encoder vectors of `texts` (adds the vector head).
        encode : callable, optional
            The encoder's texts -> vectors function (adds zero-shot scores when
            `zeroshot_weight` > 0).

        Returns
        -------
        self
        """
        tax = self.taxonomy or load_taxonomy()
        self.taxonomy_ = tax
        self.labels_ = tax.leaf_ids
        Y = binarise_themes(themes, tax)
        docs = ensure_prepared(texts)
        params = dict(
            word_ngrams=self.word_ngrams,
            char_ngrams=self.char_ngrams,
            min_df=self.min_df,
            max_word_features=self.max_word_features,
            max_char_features=self.max_char_features,
        )
        if shared_features is not None:
            self.features_ = shared_features
        elif self.features == "tfidf":
            self.features_ = TextFeatures(**params).fit(docs)
        else:
            from classifier.features.embeddings import TextAndEmbeddingFeatures

            self.features_ = TextAndEmbeddingFeatures(mode=self.features, embed_weight=self.embed_weight, **params).fit(
                docs
            )
        X = self.features_.transform(docs)
        self.head_ = CalibratedOvR(
            C=self.C,
            class_weight=self.class_weight,
            cv_folds=self.cv_folds,
            threshold_bounds=self.threshold_bounds,
            nb_alpha=self.nb_alpha if self.features == "tfidf" else None,
            random_state=self.random_state,
        ).fit(X, Y)
        self.fast_thresholds_ = dict(zip(self.labels_, map(float, self.head_.thresholds_)))
        self.vector_head_ = self.zeroshot_ = None
        oof = self.head_.oof_proba_
        if vectors is not None:
            V = np.asarray(vectors, dtype=np.float32)
            self.vector_head_ = CalibratedOvR(
                C=self.vector_C,
                class_weight=self.class_weight,
                cv_folds=self.cv_folds,
                threshold_bounds=self.threshold_bounds,
                random_state=self.random_state,
            ).fit(V, Y)
            zs = None
            if encode is not None and self.zeroshot_weight > 0:
                from classifier.models.zeroshot import ZeroShotThemes

                self.zeroshot_ = ZeroShotThemes().fit(tax, encode, V, Y)
                zs = self.zeroshot_.predict_proba(V)
            oof = self._combine(oof, self.vector_head_.oof_proba_, zs)
            th = [best_f1_threshold(oof[:, j], Y[:, j], self.threshold_bounds) for j in range(Y.shape[1])]
            self.thresholds_ = dict(zip(self.labels_, map(float, th)))
        else:
            self.thresholds_ = dict(self.fast_thresholds_)
        self.oof_proba_ = oof
        self.keywords_ = [tax.theme(l).keywords for l in self.labels_]
        self.support_ = dict(zip(self.labels_, map(int, Y.sum(axis=0))))
        self.n_train_ = len(docs)
        return self

    # ------------------------------------------------------------ inference
    @property
    def uses_vectors(self) -> bool:
        return getattr(self, "vector_head_", None) is not None

    def _combine(self, tfidf_p, vector_p, zeroshot_p):
        heads = 0.5 * (tfidf_p + vector_p)
        if zeroshot_p is None:
            return heads
        return (1.0 - self.zeroshot_weight) * heads + self.zeroshot_weight * zeroshot_p

    def predict_proba(self, texts, X=None, vectors: np.ndarray | None = None) -> np.ndarray:
        """Calibrated probability of every leaf theme.

        Parameters
        ----------
        texts : list of str or PreparedText
        X : sparse matrix, optional
            `features_.transform(texts)` when the caller already has it.
        vectors : ndarray, optional
            The texts' sentence-encoder vectors; without them (or in a model
            trained without them) only the TF-IDF head is used.

        Returns
        -------
        ndarray of shape (n_texts, n_themes)
            Columns in `labels_` order.
        """
        if X is None:
            X = self.features_.transform(ensure_prepared(texts))
        p = self.head_.predict_proba(X)
        if vectors is None or not self.uses_vectors:
            return p
        zs = self.zeroshot_.predict_proba(vectors) if self.zeroshot_ is not None else None
        return self._combine(p, self.vector_head_.predict_proba(vectors), zs)

    def keyword_hits(self, docs: list[PreparedText]) -> np.ndarray | None:
        """Which themes' taxonomy keywords each text contains.

        Parameters
        ----------
        docs : list of PreparedText

        Returns
        -------
        ndarray of bool, shape (n_texts, n_themes), or None
            None when no theme has keywords.
        """
        patterns = compile_keywords(self.keywords_)
        if not any(patterns):
            return None
        return np.array([[bool(p and p.search(d.redacted)) for p in patterns] for d in docs])

    def predict(self, texts, at_least_one=True, proba=None, fast: bool = False) -> list[list[str]]:
        """Theme ids above their thresholds, most likely first; parents added in 2-level taxonomies.

        Parameters
        ----------
        texts : list of str or PreparedText
        at_least_one : bool or array of bool
            Give the most likely theme when none passes (per text, if an array).
        proba : ndarray, optional
            `predict_proba` of these texts, when the caller has it.
        fast : bool
            `proba` came from the TF-IDF head alone (no vectors): use its thresholds.

        Returns
        -------
        list of lists of theme ids
        """
        docs = ensure_prepared(texts)
        if proba is None:
            proba = self.predict_proba(docs)
            fast = True
        fast_th = getattr(self, "fast_thresholds_", self.thresholds_)  # subclasses may keep one set
        chosen = fast_th if fast or not self.uses_vectors else self.thresholds_
        thresholds = np.array([chosen[l] for l in self.labels_])
        picks = decide(proba, thresholds, at_least_one, self.keyword_hits(docs), self.keyword_floor)
        out = [[self.labels_[j] for j in row] for row in picks]
        if self.taxonomy_.is_hierarchical:
            out = [self.taxonomy_.with_ancestors(row) for row in out]
        return out

    def explain(
        self, text, themes: list[str] | None = None, top_k: int = 5, X=None
    ) -> dict[str, list[tuple[str, float]]]:
        """For each theme, the phrases of one text that pushed its score up most.

        Parameters
        ----------
        text : str or PreparedText
            One complaint.
        themes : list of theme ids, optional
            Themes to explain (default: the predicted ones).
        top_k : int
            Phrases per theme, at most.
        X : sparse matrix, optional
            `features_.transform([text])` when the caller already built it.

        Returns
        -------
        dict
            Theme id -> list of (phrase, contribution), largest first.
        """
        from classifier.models.explain import Attribution, top_phrases

        doc = ensure_prepared([text])[0]
        if X is None:
            X = self.features_.transform([doc])
        if themes is None:  # what predict([doc]) gives, from the same matrix
            picked = self.predict([doc], proba=self.predict_proba([doc], X=X), fast=True)[0]
            themes = [t for t in picked if t in self.labels_]
        att = Attribution(doc, X, self.features_)
        return {
            t: top_phrases(doc, X, self.features_, self.head_.coef_[self.labels_.index(t)], top_k, att)
            for t in themes
            if t in self.labels_
        }


def binarise_themes(themes, tax: Taxonomy) -> np.ndarray:
    """Rows of theme ids -> 0/1 matrix over leaf themes; unknown ids are an error.

    A 0/1 matrix whose columns are the leaf themes (scikit-learn's multi-label
    form, what `cross_val_score` needs) is accepted as it is.
    """
    index = {l: j for j, l in enumerate(tax.leaf_ids)}
    if getattr(themes, "ndim", 1) == 2:
        Y = np.asarray(themes)
        if Y.shape[1] != len(index) or not np.isin(Y, (0, 1)).all():
            raise LabelError(f"a label matrix needs {len(index)} columns of 0/1, one per theme of '{tax.id}'")
        return Y.astype(np.int8)
    parents = set(tax.ids) - set(tax.leaf_ids)
    Y = np.zeros((len(themes), len(index)), dtype=np.int8)
    bad: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(themes):
        for t in row:
            if t in index:
                Y[i, index[t]] = 1
            elif t not in parents:  # a bare parent label adds nothing to learn
                bad[t].append(i + 1)
    if bad:
        # Ids are shown only when id-like (a wrong column could hold complaint text), rows by number.
        from classifier.redact.quote import values_in_rows
        from classifier.taxonomy.schema import shown_theme_value

        detail = values_in_rows(bad, show=lambda v: shown_theme_value(v, tax))
        raise LabelError(
            f"unknown theme id(s) for taxonomy '{tax.id}' v{tax.version}: {detail}. "
            f"Known ids: {', '.join(tax.leaf_ids)} (their labels, in any case, are accepted too). "
            "Fix the data or pass --taxonomy FILE"
        )
    return Y
