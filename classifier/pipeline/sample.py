"""Pick the rows whose labels would teach a model most, and write a workbook an analyst fills in.

The model scores every row; placeholders ("see attached") and rows it takes for compliments (no themes)
are left out; a rule of `pipeline.selection` chooses among the rest (`SHIPPED_STRATEGY` by default).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.errors import InputDataError, OutputError
from classifier.io.tables import read_table, require_column
from classifier.pipeline.model import ComplaintModel
from classifier.pipeline.selection import NEEDS_VECTORS, SHIPPED_STRATEGY, choose_rows
from classifier.taxonomy.schema import Taxonomy
from classifier.text import PreparedText, prepare, unlabelled_reason


@dataclass
class Scored:
    proba: np.ndarray  # (rows, themes) in `labels` order
    labels: list[str]
    suggested: list[list[str]]  # theme ids per row
    child: list[bool | None]
    compliment: np.ndarray  # bool per row


def score_rows(
    model: ComplaintModel, docs: list[PreparedText], taxonomy: Taxonomy | None = None, matrices: dict | None = None
) -> Scored:
    """The model's view of each row; in another taxonomy, its themes come from their descriptions.

    `matrices` receives the feature matrices built (see `ComplaintModel.analyse`)."""
    matrices = {} if matrices is None else matrices
    analyses = model.analyse(docs, matrices=matrices)
    compliment = np.array([a.kind == "compliment" for a in analyses], dtype=bool)
    child = [a.child_authored for a in analyses]
    if taxonomy is None or taxonomy.content_hash == model.taxonomy.content_hash:
        proba = model.themes.predict_proba(docs, X=matrices.get(id(model.themes.features_)))
        return Scored(proba, model.themes.labels_, [a.themes for a in analyses], child, compliment)
    from classifier.models.zeroshot import description_similarity, description_vectors

    sims = description_similarity([d.redacted for d in docs], description_vectors(taxonomy))
    z = (sims - sims.max(axis=1, keepdims=True)) / 0.02  # softmax over themes: similarities are close
    proba = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    labels = taxonomy.leaf_ids
    return Scored(proba, labels, [[labels[int(j)]] for j in proba.argmax(axis=1)], child, compliment)


def sample_rows(
    cases,
    model: ComplaintModel,
    n: int = 60,
    text_column: str = "text",
    id_column: str | None = None,
    taxonomy: Taxonomy | None = None,
    seed: int = 0,
    strategy: str = SHIPPED_STRATEGY,
    keep_columns: list[str] | None = None,
) -> dict:
    """Choose the rows worth labelling first, spread over the likely themes (see `pipeline.selection`).

    Parameters
    ----------
    cases : str or Path
        Unlabelled table.
    model : ComplaintModel
    n : int
        Rows to pick.
    text_column : str
    id_column : str, optional
        Case reference column, copied across.
    taxonomy : Taxonomy, optional
        When not the model's: themes are suggested from their descriptions.
    seed : int
    strategy : str
        A rule of `pipeline.selection.STRATEGIES` (default `SHIPPED_STRATEGY`; see `choose_rows`).
    keep_columns : list of str, optional
        Export columns copied beside the text (the case system's own theme, the service), as read.

    Returns
    -------
    dict
        What `write_workbook` needs: `rows` (row, id, text, suggestion,
        suggested_child, kept), `taxonomy`, `id_column`, `kept_columns`, `rows_read`, `model_version`.
    """
    frame, problems = read_table(cases)
    cols = list(frame.columns)
    text_col = require_column(cols, text_column, "--text-column")
    id_col = require_column(cols, id_column, "--id-column") if id_column else None
    kept = [require_column(cols, c, "--keep-column") for c in keep_columns or []]
    texts = list(frame[text_col])
    docs = prepare(texts)
    # Placeholders ("see attached") teach nothing: the same rule as `label` and `suggest`.
    usable = np.array(
        [
            not p and bool(d.lemmas.strip()) and unlabelled_reason(str(t)) is None
            for p, d, t in zip(problems, docs, texts)
        ],
        dtype=bool,
    )
    if not usable.any():
        raise InputDataError("no row of CASES has text to label; check --text-column")
    matrices: dict = {}
    scored = score_rows(model, docs, taxonomy, matrices)
    X = matrices[id(model.themes.features_)]  # the rows' theme features, built once by the analysis
    eligible = usable & ~scored.compliment
    if not eligible.any():
        eligible = usable
    vectors = model.encode(docs).vectors if strategy in NEEDS_VECTORS and model.uses_encoder else None
    picks = choose_rows(scored.proba, X, n, eligible, vectors=vectors, strategy=strategy, seed=seed)
    tax = taxonomy or model.taxonomy
    return {
        "rows": [
            {
                "row": i + 1,
                "id": frame[id_col].iat[i] if id_col else None,
                "text": texts[i],
                "suggestion": "; ".join(tax.theme(t).label for t in scored.suggested[i] if t in tax.ids),
                "suggested_child": scored.child[i],
                "kept": [frame[c].iat[i] for c in kept],
            }
            for i in picks
        ],
        "taxonomy": tax,
        "id_column": id_col,
        "kept_columns": kept,
        "rows_read": len(frame),
        "model_version": model.version,
    }


def write_workbook(sample: dict, output, cases=None) -> Path:
    """Write the sample as an .xlsx to fill in; `adapt` reads it back as it is.

    The sheet has the text, the suggestion, a themes column with an in-cell
    list of the labels (several may be typed, ';'-separated) and a
    child-authored yes/no column.

    Parameters
    ----------
    sample : dict
        What `sample_rows` returned.
    output : str or Path
        An .xlsx path.
    cases : str or Path, optional
        The table sampled from (never overwritten).

    Returns
    -------
    Path
        The workbook written.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    out = Path(output)
    if out.suffix.lower() != ".xlsx":
        raise OutputError(f"'{out.name}': the labelling workbook must be an .xlsx file")
    if cases is not None and out.exists() and out.resolve() == Path(cases).resolve():
        raise OutputError(f"output '{out.name}' is the input file; choose a different --output path")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"output folder '{parent}' does not exist; create it first")
    tax: Taxonomy = sample["taxonomy"]
    wb = Workbook()
    ws = wb.active
    ws.title = "to_label"
    # Kept export columns are named "export: <name>" so `adapt` never takes one for its text or themes.
    kept = [f"export: {c}" for c in sample.get("kept_columns", [])]
    header = (
        ["row"]
        + (["id"] if sample["id_column"] else [])
        + ["text", *kept, "suggested_themes", "suggested_child_authored", "themes", "child_authored"]
    )
    ws.append(header)
    for r in sample["rows"]:
        child = "" if r["suggested_child"] is None else ("yes" if r["suggested_child"] else "no")
        ws.append(
            [r["row"]]
            + ([r["id"]] if sample["id_column"] else [])
            + [r["text"], *r.get("kept", []), r["suggestion"], child, "", ""]
        )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = {
        "row": 6,
        "id": 12,
        "text": 80,
        "suggested_themes": 30,
        "suggested_child_authored": 12,
        "themes": 40,
        "child_authored": 12,
    }
    for j, name in enumerate(header):
        ws.column_dimensions[ws.cell(1, j + 1).column_letter].width = widths.get(name, 20)
    for row in ws.iter_rows(min_row=2, max_col=len(header)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"

    sheet = wb.create_sheet("themes")
    sheet.append(["id", "label", "description"])
    for t in tax.themes:
        if t.id in tax.leaf_ids:
            sheet.append([t.id, t.label, t.description])
    n_themes = len(tax.leaf_ids)
    last = len(sample["rows"]) + 1
    col = {name: ws.cell(1, j + 1).column_letter for j, name in enumerate(header)}
    # The list offers one label per pick; typing "A; B" for several is allowed (no error alert).
    themes_dv = DataValidation(
        type="list",
        formula1=f"=themes!$B$2:$B${n_themes + 1}",
        allow_blank=True,
        showErrorMessage=False,
        showInputMessage=True,
        promptTitle="Themes",
        prompt="Pick the main theme; add others after it, separated by ';'",
    )
    child_dv = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    ws.add_data_validation(themes_dv)
    ws.add_data_validation(child_dv)
    if last >= 2:
        themes_dv.add(f"{col['themes']}2:{col['themes']}{last}")
        child_dv.add(f"{col['child_authored']}2:{col['child_authored']}{last}")

    how = wb.create_sheet("how_to")
    for line in (
        "Fill in the 'themes' column of sheet 'to_label': pick the main theme from the list, and type",
        "any other themes after it separated by ';' (labels or ids). Set 'child_authored' to yes",
        "when a child or young person wrote or made the complaint. Rows left without themes are skipped.",
        "Then run: complaints adapt THIS_FILE --out models/our-trust",
        f"Chosen by model {sample['model_version']} from {sample['rows_read']} rows.",
    ):
        how.append([line])
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out
