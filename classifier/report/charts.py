"""Charts for the report with matplotlib (no internet assets): SVG for the web page, PNG for Word.

Colours are the Okabe-Ito palette, distinguishable with the common colour
vision deficiencies; bars carry their values, so no reading depends on colour.
"""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass

import pandas as pd

from classifier.report.tables import Table

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MAX_BARS = 12
_YEAR_TAIL = re.compile(r" \d{4}-\d{2}$")  # 'Stage 1 2024-25' -> 'Stage 1' beside its own bar


@dataclass
class Chart:
    svg: bytes
    png: bytes
    alt: str
    note: str = ""  # printed under the chart: what a hidden figure looks like in it


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.hashsalt": "complaints-report",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.fonttype": "path",
        }
    )
    return plt


def _numeric(table: Table, cols: list) -> pd.DataFrame:
    """The chart's numbers; hidden cells (suppressed) are NaN: no point on a line, no bar, no length."""
    data = table.frame[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    for i, col in table.hidden:
        if col in data:
            data.iat[i, data.columns.get_loc(col)] = float("nan")
    return data


def stack_shares(table: Table, cols: list) -> pd.DataFrame:
    """Each column as a stack of its rows' shares (%), of the column's whole total, hidden cells included.

    A hidden cell is left out (NaN), so its stack falls short of 100% rather than the shown cells
    being stretched into shares of a partial total.
    """
    whole = table.frame[cols].apply(pd.to_numeric, errors="coerce").sum()
    data = _numeric(table, cols).div(whole.replace(0, 1)) * 100
    data = data.T
    data.columns = list(table.frame.iloc[:, 0])
    return data


def _wrap(labels, width=28) -> list[str]:
    return ["\n".join(textwrap.wrap(str(v), width)) or str(v) for v in labels]


def _label_bars(ax, bars, horizontal: bool, fmt: str, hidden: list):
    for b, secret in zip(bars, hidden):
        v = b.get_width() if horizontal else b.get_height()
        if v or secret:
            ax.annotate(
                secret or fmt.format(v),
                (b.get_width(), b.get_y() + b.get_height() / 2)
                if horizontal
                else (b.get_x() + b.get_width() / 2, b.get_height()),
                xytext=(3, 0) if horizontal else (0, 2),
                textcoords="offset points",
                ha="left" if horizontal else "center",
                va="center" if horizontal else "bottom",
                fontsize=7,
            )


def draw(table: Table) -> Chart | None:
    """The chart a table suggests, or None (no chart, or nothing to draw)."""
    if not table.chart or table.frame.empty or not table.chart_columns:
        return None
    plt = _plt()
    frame = table.frame
    labels = list(frame.iloc[:, 0])
    cols = [c for c in table.chart_columns if c in frame]
    data = _numeric(table, cols)
    fmt = "{:.1f}" if any(c in table.percent_columns for c in cols) else "{:.0f}"
    kind = table.chart
    rows = len(labels) if kind in ("line", "stacked_t") else min(len(labels), MAX_BARS)
    per_row = 0.32 * (max(1, len(cols) * 0.7) if kind == "barh" else 1)
    height = 3.0 if kind not in ("barh", "stacked") else max(2.2, per_row * rows + 0.8)
    fig, ax = plt.subplots(figsize=(6.4, height), dpi=110)
    try:
        if kind == "line":
            for i, c in enumerate(cols):
                ax.plot(
                    range(len(labels)),
                    data[c],
                    marker="o",
                    color=OKABE_ITO[i % 8],
                    label=c,
                    linestyle="-" if i == 0 else "--",
                )
            step = max(1, len(labels) // 12)
            ax.set_xticks(range(0, len(labels), step), [str(v) for v in labels][::step], rotation=45, ha="right")
            ax.set_ylim(bottom=0)
            for i, c in enumerate(cols):  # a hidden point is a gap in the line, marked with its sign on the axis
                for j in range(len(labels)):
                    secret = table.hidden.get((j, c))
                    if secret:
                        ax.annotate(
                            secret,
                            (j, 0),
                            xytext=(0, 3),
                            textcoords="offset points",
                            ha="center",
                            va="bottom",
                            fontsize=7,
                            color=OKABE_ITO[i % 8],
                        )
        elif kind in ("bar", "barh"):
            data, labels = data.iloc[:rows].fillna(0), labels[:rows]
            width = 0.8 / len(cols)
            for i, c in enumerate(cols):
                pos = [j + (i - (len(cols) - 1) / 2) * width for j in range(len(labels))]
                bars = (
                    ax.barh(pos, data[c], height=width, color=OKABE_ITO[i % 8], label=c)
                    if kind == "barh"
                    else ax.bar(pos, data[c], width=width, color=OKABE_ITO[i % 8], label=c)
                )
                secret = [table.hidden.get((j, c), "") for j in range(len(labels))]
                _label_bars(ax, bars, kind == "barh", fmt, secret)
            if kind == "barh":
                ax.set_yticks(range(len(labels)), _wrap(labels))
                ax.invert_yaxis()
            else:
                ax.set_xticks(range(len(labels)), _wrap(labels, 16))
        elif kind in ("stacked", "stacked_t"):
            if kind == "stacked_t":  # rows become the stacks, as shares: e.g. outcomes within each stage
                data = stack_shares(table, cols)
                labels, cols = list(data.index), list(data.columns)
                ax.set_xlabel("% of complaints with an outcome")
            data = data.fillna(0)  # a hidden cell adds no length
            if kind == "stacked":
                data, labels = data.iloc[:rows], labels[:rows]
            left = [0.0] * len(labels)
            for i, c in enumerate(cols):
                ax.barh(range(len(labels)), data[c], left=left, color=OKABE_ITO[i % 8], label=str(c))
                left = [a + b for a, b in zip(left, data[c])]
            # A hidden segment adds no length: the bar's end says which parts are not drawn.
            for j, parts in enumerate(_hidden_parts(table, kind, cols, len(labels))):
                if parts:
                    ax.annotate(
                        "hidden: " + ", ".join(parts),
                        (left[j], j),
                        xytext=(3, 0),
                        textcoords="offset points",
                        ha="left",
                        va="center",
                        fontsize=7,
                    )
            ax.set_yticks(range(len(labels)), _wrap(labels))
            ax.invert_yaxis()
        if len(cols) > 1:  # above the plot, where it covers nothing
            ax.legend(fontsize=7, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=min(len(cols), 3))
        fig.tight_layout()
        svg, png = io.BytesIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None})
        fig.savefig(png, format="png", dpi=150)
    finally:
        plt.close(fig)
    note = _hidden_note(table, kind)
    alt = f"Chart: {table.title}. The figures are in the table beside it." + (f" {note}" if note else "")
    return Chart(svg.getvalue(), png.getvalue(), alt, note)


def _hidden_parts(table: Table, kind: str, cols: list, n: int) -> list[list[str]]:
    """Per drawn bar of a stacked chart, its hidden segments in drawing order, as 'Stage 1 [c]'."""
    names = [str(v) for v in table.frame.iloc[:, 0]]
    order = list(table.frame.columns)
    out: list[list[tuple]] = [[] for _ in range(n)]
    for (i, col), text in table.hidden.items():
        if kind == "stacked_t" and col in table.chart_columns:  # bars are the columns, segments the rows
            out[list(table.chart_columns).index(col)].append((i, f"{names[i]} {text}"))
        elif kind == "stacked" and col in cols and i < n:
            out[i].append((order.index(col), f"{_YEAR_TAIL.sub('', str(col))} {text}"))
    return [[part for _, part in sorted(bar)] for bar in out]


def _hidden_note(table: Table, kind: str) -> str:
    """What the chart's reader is told when some of its figures are hidden (small-number suppression)."""
    if not any(c in table.chart_columns for _, c in table.hidden):
        return ""
    how = {
        "line": "a hidden month is a gap in the line, marked on the axis with <5 or [c]",
        "stacked": "a hidden part adds no length to its bar, and the bar's end names it ('hidden: Stage 2 <5')",
        "stacked_t": "a hidden part adds no length, so its bar falls short of 100%, and the bar's end names it",
    }.get(kind, "a hidden figure is drawn as no bar, labelled <5 or [c]")
    return f"Figures hidden to protect individuals are not drawn: {how}."
