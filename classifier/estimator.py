"""The scikit-learn estimator contract, without importing scikit-learn.

Our estimators follow scikit-learn's conventions (hyperparameters in
`__init__`, learned state in attributes ending in `_`, `get_params` /
`set_params`, `__sklearn_tags__`, `score`), so `clone`, `Pipeline`,
`cross_val_score` and `is_classifier` work with them. But a saved model must
load and label without importing scikit-learn: importing it costs about a
second, most of the `complaints suggest` start-up budget. So this base class
imports scikit-learn only inside the methods scikit-learn itself calls
(`__sklearn_tags__`, `score`), and the estimators import it inside `fit`.
"""

from __future__ import annotations

import inspect
from typing import Any


class Estimator:
    """Base class: parameters from `__init__`'s signature, scikit-learn tags on request.

    Subclasses set `_estimator_type` ("classifier", "transformer" or None) and
    `_input` ("text": a list of strings; "array": a 2-D numeric matrix).
    """

    _estimator_type: str | None = None
    _input = "text"

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Hyperparameters, as scikit-learn's `BaseEstimator.get_params`.

        Parameters
        ----------
        deep : also return the parameters of nested estimators as `name__param`.

        Returns
        -------
        dict of parameter name to value.
        """
        out: dict[str, Any] = {}
        for name in self._param_names():
            value = getattr(self, name)
            out[name] = value
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update({f"{name}__{k}": v for k, v in value.get_params().items()})
        return out

    def set_params(self, **params):
        """Set hyperparameters (`name`, or `nested__name` for a nested estimator's).

        Parameters
        ----------
        **params
            Hyperparameter name -> value.

        Returns
        -------
        self
        """
        valid = set(self._param_names())
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"invalid parameter {name!r} for {type(self).__name__}; valid: {', '.join(sorted(valid))}"
                )
            if sub:
                getattr(self, name).set_params(**{sub: value})
            else:
                setattr(self, name, value)
        return self

    def __sklearn_tags__(self):
        """scikit-learn's tags (scikit-learn >= 1.6 asks every estimator for them)."""
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags, TransformerTags

        text = self._input == "text"
        tags = Tags(
            estimator_type=self._estimator_type,
            target_tags=TargetTags(required=self._estimator_type == "classifier"),
            transformer_tags=TransformerTags() if self._estimator_type == "transformer" else None,
            classifier_tags=ClassifierTags() if self._estimator_type == "classifier" else None,
            input_tags=InputTags(two_d_array=not text, string=text, sparse=not text),
        )
        tags.non_deterministic = False
        return tags

    def __sklearn_is_fitted__(self) -> bool:
        """Fitted once any attribute ending in `_` (learned state) is set."""
        return any(k.endswith("_") and not k.startswith("__") for k in vars(self))

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        changed = []
        for k, v in self.get_params(deep=False).items():
            d = defaults.get(k, inspect.Parameter.empty)
            try:
                same = bool(v is d or (type(v) is type(d) and v == d))
            except Exception:  # arrays and other values without a plain ==
                same = False
            if not same:
                changed.append(f"{k}={v!r}")
        return f"{type(self).__name__}({', '.join(changed)})"


class ClassifierMixin:
    """`score` as scikit-learn's classifiers define it: accuracy of `predict`."""

    _estimator_type = "classifier"

    def score(self, X, y, sample_weight=None) -> float:
        """Mean accuracy of `predict(X)` against `y`.

        Parameters
        ----------
        X : texts
        y : true labels
        sample_weight : array, optional

        Returns
        -------
        float
        """
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))  # type: ignore[attr-defined]


class MultiLabelClassifierMixin(ClassifierMixin):
    """A classifier whose `y` is, per sample, a list of labels, or a 0/1 matrix (columns in `labels_` order)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        return tags

    @property
    def classes_(self):
        """The labels, in the order of `predict_proba`'s columns (scikit-learn's name for them)."""
        import numpy as np

        return np.asarray(self.labels_)  # type: ignore[attr-defined]

    def score(self, X, y, sample_weight=None) -> float:
        """Micro-averaged F1 of `predict(X)` against `y`.

        Parameters
        ----------
        X : texts
        y : list of label lists, or a 0/1 matrix (columns in `labels_` order)
        sample_weight : array, optional

        Returns
        -------
        float
        """
        from sklearn.metrics import f1_score
        from sklearn.preprocessing import MultiLabelBinarizer

        binarise = MultiLabelBinarizer(classes=list(self.classes_)).fit([])
        truth = y if getattr(y, "ndim", 1) == 2 else binarise.transform(y)
        pred = binarise.transform(self.predict(X))  # type: ignore[attr-defined]
        return float(f1_score(truth, pred, average="micro", sample_weight=sample_weight, zero_division=0))


class TransformerMixin:
    """`fit_transform` as scikit-learn's transformers define it."""

    _estimator_type = "transformer"

    def fit_transform(self, X, y=None, **fit_params):
        """`fit(X, y).transform(X)`."""
        return self.fit(X, y, **fit_params).transform(X)  # type: ignore[attr-defined]
