"""Human-readable text for the CLI. Formatting only: no computation, no I/O.

The library returns data (dicts, dataclasses); every sentence a person reads
on the terminal is written here, so wording changes in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from classifier.taxonomy.schema import Taxonomy

if TYPE_CHECKING:  # only for annotations: formatting needs none of these modules at run time
    from classifier.learning.api import LearningSummary
    from classifier.taxonomy.diff import TaxonomyDiff
    from classifier.taxonomy.migrate import MigrationSummary


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header), fmt.format(*["-" * w for w in widths])]
    lines += [fmt.format(*map(str, r)) for r in rows]
    return "\n".join(lines)


FEW_ROWS = 30  # below this, resampled intervals are too narrow to trust (a perfect small sample gives [1-1])
_RANKING = (
    ("top1_any", "top suggestion right"),
    ("main_theme_top1", "main theme top-1"),
    ("main_theme_top3", "top-3"),
)


def _sure(figures: dict, intervals: dict, key: str) -> str:
    """ "0.754 [0.68-0.82]": a figure with its 95% interval, when there is one (how sure, on this many rows)."""
    lo_hi = intervals.get(key)
    return f"{figures[key]:.3f}" + (f" [{lo_hi[0]:.2f}-{lo_hi[1]:.2f}]" if lo_hi else "")


def format_report(result: dict) -> str:
    out = []
    th = result.get("themes")
    if th:
        # A theme with no row here has no recall or F1 (and is not in macro F1): '-', not 0.000; its
        # precision is 0 only when it was suggested (false alarms), else '-'.
        rows = [
            [l, f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}", r["support"]]
            if r["support"]
            else [l, f"{r['precision']:.3f}" if r.get("predicted") else "-", "-", "-", 0]
            for l, r in th["per_theme"].items()
        ]
        out.append(_table(rows, ["theme", "precision", "recall", "f1", "support"]))
        ci = th.get("intervals", {})
        extra = [f"rows {th['rows']}", f"micro F1 {_sure(th, ci, 'micro_f1')}", f"macro F1 {_sure(th, ci, 'macro_f1')}"]
        extra += [f"{name} {_sure(th, ci, k)}" for k, name in _RANKING if k in th]
        out.append(", ".join(extra) + (" (95% intervals in brackets)" if ci else ""))
        absent = sum(not r["support"] for r in th["per_theme"].values())
        if absent:
            out.append(f"{absent} theme(s) have no row here, so they are not in macro F1.")
        if ci and th["rows"] < FEW_ROWS:
            out.append(
                f"Only {th['rows']} rows: treat these figures as rough. The F1 intervals come from resampling "
                "these same rows, so they cannot show how other rows would go (with every row right they are "
                f"[1.00-1.00]); label {FEW_ROWS} or more rows for a fair guide."
            )
    ch = result.get("child_authored")
    if ch:
        ci = ch.get("intervals", {})
        out.append(
            f"child-authored: precision {_sure(ch, ci, 'precision')}, recall {_sure(ch, ci, 'recall')}, "
            f"F1 {ch['f1']:.3f} ({ch['support']} child-authored of {ch['rows']} rows)"
        )
    kd = result.get("kind")
    if kd:
        classes = list(kd["matrix"])
        rows = [[g] + [kd["matrix"][g][p] for p in classes] for g in classes]
        out.append(f"kind accuracy {kd['accuracy']:.3f} (rows: true kind, columns: predicted)")
        out.append(_table(rows, ["kind"] + classes))
    return "\n\n".join(out) if out else "No labelled rows to evaluate."


def read_counts(lines: int, records: int) -> str:
    """Physical lines against records: a cell spanning lines is fine, a shortfall of rows is not hidden."""
    extra = lines - 1 - records
    note = "" if extra <= 0 else f" ({extra} line break(s) inside cells)"
    return f"read {lines} lines: a header and {records} records{note}"


def format_label_summary(summary, output: Path, taxonomy: Taxonomy) -> str:
    lines = [f"Labelled {summary.rows} rows -> {output}"]
    if getattr(summary, "lines_read", 0):
        lines.append(read_counts(summary.lines_read, summary.rows))
    if summary.errors:
        reasons = ", ".join(f"{n} {r}" for r, n in summary.error_reasons.most_common())
        lines.append(f"{summary.errors} rows could not be labelled (status column says why: {reasons})")
    lines.append(f"child-authored: {summary.child_authored}")
    if summary.kinds:
        lines.append("kinds: " + ", ".join(f"{k} {n}" for k, n in summary.kinds.most_common()))
    if summary.themes:
        rows = [[t, taxonomy.label_of(t) if t in taxonomy.ids else t, n] for t, n in summary.themes.most_common()]
        lines.append(_table(rows, ["theme", "label", "rows"]))
    lines += [f"Note: {n}" for n in summary.notes]
    return "\n".join(lines)


def format_suggestion(result: dict) -> str:
    lines = []
    for r in result["top"]:
        mark = "*" if r["above_threshold"] else " "
        ev = ", ".join(f'"{w}"' for w in r["evidence"]) or "-"
        lines.append(f"{mark} {r['theme']:<20} {r['probability']:.2f}  {r['label']}\n      because of: {ev}")
    shown = {r["theme"] for r in result["top"]}
    more = [t for t in result.get("suggested", []) if t not in shown]
    if more:  # suggested but below the --top cut: never hide a suggestion
        lines.append(f"* also suggested: {', '.join(more)} (--top {len(shown) + len(more)} shows them)")
    lines.append(
        f"kind: {result['kind']}; child-authored: {result['child_authored']}"
        + (f" ({', '.join(result['child_authored_evidence'])})" if result["child_authored_evidence"] else "")
    )
    lines.append("* = suggested (above the theme's threshold)")
    return "\n".join(lines)


def format_info(meta: dict) -> str:
    tax = meta.get("taxonomy", {})
    td = meta.get("training_data", {})
    cv = meta.get("cv_metrics", {})
    v = meta.get("versions", {})
    lines = [
        f"model:      {meta.get('model_version')}",
        f"created:    {meta.get('created_at')}",
        f"taxonomy:   {tax.get('id')} version {tax.get('version')} (hash {str(tax.get('hash'))[:12]})",
        f"themes:     {', '.join(meta.get('labels', []))}",
        _trained_on(meta, td),
        f"cv:         micro F1 {cv.get('micro_f1')}, macro F1 {cv.get('macro_f1')}, "
        f"top-1 {cv.get('main_theme_top1')}, top-3 {cv.get('main_theme_top3')}",
        f"components: {', '.join(meta.get('components', []))}",
        "versions:   " + ", ".join(f"{k} {val}" for k, val in v.items()),
    ]
    if "child_authored" in meta:
        c = meta["child_authored"]
        lines.append(
            f"child flag: threshold {c['threshold']:.3f} (recall {c['recall']:.3f}, "
            f"precision {c['precision']:.3f} on {c['tuned_on']})"
        )
    return "\n".join(lines)


def _trained_on(meta: dict, td: dict) -> str:
    ad = meta.get("adapted")
    if not ad:
        return f"trained on: {td.get('file')} ({td.get('rows')} rows, sha256 {str(td.get('sha256'))[:12]})"
    own = f"{ad.get('own_rows', 0)} own rows" + (
        f" of {td.get('rows')} in {td.get('file')} (sha256 {str(td.get('sha256'))[:12]})" if td.get("sha256") else ""
    )
    decisions = f"{ad.get('feedback_decisions', 0)} intake decisions" + (
        f" from {ad['feedback_file']}" if ad.get("feedback_file") else ""
    )
    return f"adapted:    {ad.get('base_model')} + {own} + {decisions}"


def format_taxonomy(tax: Taxonomy) -> str:
    head = f"{tax.id} version {tax.version}: {tax.name} ({len(tax.themes)} themes)"
    rows = [[t.id, t.parent or "", t.label] for t in tax.themes]
    return head + "\n" + _table(rows, ["id", "parent", "label"])


def format_diff(d: TaxonomyDiff) -> str:
    """`taxonomy diff`: one block per kind of change between two taxonomies."""
    lines = [f"{d.old} -> {d.new}"]
    if d.is_empty:
        return lines[0] + "\nNo differences."

    def block(title, items):
        if items:
            lines.append(f"{title} ({len(items)}):")
            lines.extend(f"  {i}" for i in items)

    block("Added", d.added)
    block("Removed", d.removed)
    block(
        "Renamed", [f"{o} '{ol}' -> {n} '{nl}'" if o != n else f"{o}: '{ol}' -> '{nl}'" for o, n, ol, nl in d.renamed]
    )
    block("Moved to another parent", [f"{i}: {a or '(top level)'} -> {b or '(top level)'}" for i, a, b in d.reparented])
    block("Split (one old theme, several candidates)", [f"{o} -> {' | '.join(ns)}" for o, ns in d.split])
    block("Merged", [f"{', '.join(os)} -> {n}" for os, n in d.merged])
    block("Retired", d.retired)
    return "\n".join(lines)


def format_migration_summary(s: MigrationSummary, output) -> str:
    """`taxonomy migrate`: rows per outcome, who chose among candidates, new theme counts."""
    lines = [
        f"Migrated {s.rows} rows to {output}: "
        + ", ".join(f"{s.outcomes.get(k, 0)} {k}" for k in ("mapped", "model_choice", "needs_review"))
        + (f" ({s.unlabelled} of the mapped rows had no theme, so nothing to migrate)" if s.unlabelled else "")
    ]
    if s.model_version:
        lines.append(f"One-to-many choices by {s.model_version} (needs_review below confidence {s.threshold:.2f}).")
    elif s.outcomes.get("needs_review"):
        lines.append("No --model given: rows with a one-to-many theme are left for review.")
    if s.new_themes:
        lines.append("New themes: " + ", ".join(f"{t} {c}" for t, c in s.new_themes.most_common()))
    return "\n".join(lines)


def format_relabel_summary(s: dict, output) -> str:
    """`relabel`: agreement overall, per theme and per year, and the rows to review first."""
    lines = [
        f"Relabelled {s['scored']} of {s['rows']} rows with {s['model_version']} ({s['taxonomy']}); "
        f"written to {output}.",
    ]
    if s["scored"]:
        lines += [
            f"Model and history agree on {s['scored'] - s['disagreements']} rows ({100 * s['agreement']:.1f}%); "
            f"{s['label_issues']} rows flagged as likely label errors (scored with {s['method']}).",
            "Agreement per theme (rows where both have it / rows where either has it):",
        ]
    for t, v in s["per_theme"].items():
        lines.append(f"  {t:<28} {100 * v['agreement']:5.1f}%  history {v['history']}, model {v['model']}")
    if "per_year" in s:
        lines.append("Exact agreement per year:")
        lines += [f"  {y}  {100 * v['agreement']:5.1f}% of {v['rows']} rows" for y, v in s["per_year"].items()]
    if s["suggested"]:
        more = " ..." if s["suggested"] > len(s["needs_label"]) else ""
        lines.append(
            f"{s['suggested']} rows have no usable historic theme (none, a category only, or awaiting review "
            "after migration; relabel_status says which): the model's suggestion is in model_themes, "
            f"and they come first in the review file: {', '.join(map(str, s['needs_label']))}{more}"
        )
    if s["skipped"]:
        lines.append(f"{s['skipped']} rows not scored (see relabel_status).")
    if s["review_first"]:
        lines.append("Review first (highest label_issue_score): " + ", ".join(map(str, s["review_first"])))
    return "\n".join(lines)


def format_learning_summary(s: LearningSummary) -> str:
    """`learning`: statements found, register written, rows and documents skipped, warnings."""
    what = "rows" if s.kind == "table" else "documents"
    read = f"{s.sources_with_statements} of {s.sources} {what}"
    if s.documents_skipped:  # "1 of 1 documents" hid that two more could not be read
        read = (
            f"{s.sources_with_statements} of {s.sources} {what} read ({len(s.documents_skipped)} more skipped, below)"
        )
        if not s.sources:  # not "0 of 0 documents"
            read = f"no {what} read ({len(s.documents_skipped)} skipped, below)"
    out = f"{s.statements} learning statement(s) from {read} -> {s.output_path}"
    if s.by_type:
        out += " (" + ", ".join(f"{k} {v}" for k, v in sorted(s.by_type.items())) + ")"
    if s.register_path:
        out += f"; register of {s.register_entries} entries -> {s.register_path}"
    if s.rows_skipped:
        shown = ", ".join(map(str, s.rows_skipped[:10])) + (" …" if len(s.rows_skipped) > 10 else "")
        out += f"; skipped damaged rows {shown}"
    out += f"; read {s.lines_read} lines: a header and {s.sources} records" if s.lines_read else ""
    if s.ids_from_row_numbers:
        out += "; no id column, so ids are row numbers"
    for name, reason in s.documents_skipped:
        out += f"\nskipped {name}: {reason}"
    for w in s.warnings:
        out += f"\nwarning: {w}"
    return out


def format_learning_evaluation(result: dict) -> str:
    """`evaluate-learning`: sentence detection P/R/F1 and type accuracy on one line."""
    return (
        f"{result['sentences']} sentences ({result['split'] or 'all rows'}): "
        f"precision {result['precision']:.3f}, recall {result['recall']:.3f}, "
        f"F1 {result['f1']:.3f}, "
        + (
            f"type accuracy {result['type_accuracy']:.3f}"
            if result.get("type_accuracy") is not None
            else "type accuracy not measured (no type given for the learning rows)"
        )
    )
