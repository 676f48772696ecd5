"""The columns `complaints label` adds to a table, in order, and the real type of each.

Kept apart from `labelling` so the report can recognise a labelled file without importing the model code.
"""

OUTPUT_COLUMNS = [
    "predicted_themes",
    "predicted_theme_labels",
    "predicted_theme_scores",
    "predicted_child_authored",
    "predicted_child_authored_score",
    "child_authored_evidence",
    "predicted_kind",
    "model_version",
    "status",
]
# What the text in these columns stands for: .xlsx and .jsonl write the real type.
OUTPUT_TYPES = {
    "predicted_theme_scores": "json",
    "predicted_child_authored": "bool",
    "predicted_child_authored_score": "float",
}
SCORE_PREFIX = "score_"  # with `--scores columns`, one column per theme: score_<theme id>
