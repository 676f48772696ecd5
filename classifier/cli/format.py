"""Human-readable text for the CLI. Formatting only: no computation, no I/O."""

from __future__ import annotations

from pathlib import Path

from classifier.taxonomy.schema import Taxonomy


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header), fmt.format(*["-" * w for w in widths])]
    lines += [fmt.format(*map(str, r)) for r in rows]
    return "\n".join(lines)


def format_report(result: dict) -> str:
    out = []
    th = result.get("themes")
    if th:
        rows = [
            [l, f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}", r["support"]]
            for l, r in th["per_theme"].items()
        ]
        out.append(_table(rows, ["theme", "precision", "recall", "f1", "support"]))
        extra = [f"rows {th['rows']}", f"micro F1 {th['micro_f1']:.3f}", f"macro F1 {th['macro_f1']:.3f}"]
        if "main_theme_top1" in th:
            extra += [f"main theme top-1 {th['main_theme_top1']:.3f}", f"top-3 {th['main_theme_top3']:.3f}"]
        out.append(", ".join(extra))
    ch = result.get("child_authored")
    if ch:
        out.append(
            f"child-authored: precision {ch['precision']:.3f}, recall {ch['recall']:.3f}, "
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
        f"trained on: {td.get('file')} ({td.get('rows')} rows, sha256 {str(td.get('sha256'))[:12]})",
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


def format_taxonomy(tax: Taxonomy) -> str:
    head = f"{tax.id} version {tax.version}: {tax.name} ({len(tax.themes)} themes)"
    rows = [[t.id, t.parent or "", t.label] for t in tax.themes]
    return head + "\n" + _table(rows, ["id", "parent", "label"])
