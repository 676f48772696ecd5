"""The demo report as a person would check it: the page in headless Chromium, the Word file in
python-docx, the workbook in openpyxl; and no complaint text in any of them."""

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import ROOT

DEMO = ROOT / "training_data" / "demo_export"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from classifier.report import build_report

    out = tmp_path_factory.mktemp("demo_report")
    report = build_report(DEMO / "cases_2024-25.csv", out, previous=DEMO / "cases_2023-24.csv", year="2024-25")
    return report, out


def _chromium_or_skip():
    if Path(CHROMIUM).exists() and shutil.which("chromium"):
        return
    message = (
        f"Chromium is not installed at {CHROMIUM}: install Debian's package with "
        "'apt-get install -y chromium' (.ci/run does this)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_html_renders_in_headless_chromium(demo):
    _chromium_or_skip()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("the 'playwright' package is missing: install the dev extras")
        pytest.skip("playwright not installed")
    report, out = demo
    page_url = (out / "report.html").resolve().as_uri()
    outside = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else outside.append(r.url))
            page.goto(page_url)
            page.screenshot(path=str(out / "report.png"), full_page=True)
            page.screenshot(path=str(out / "report_top.png"))
            title = page.title()
            headings = page.locator("main h2").all_inner_texts()
            images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
            stage_cells = page.locator("#complaints-by-stage tbody td").all_inner_texts()
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4")
        finally:
            browser.close()
    assert outside == []  # self-contained: nothing fetched from anywhere
    assert title == report.title
    assert [t.title for t in report.tables] == headings[: len(report.tables)]
    assert images and all(ok and width > 0 for ok, width in images)
    by_stage = report.figures["by_stage"]
    assert stage_cells[0] == f"{by_stage['1']:,}"
    assert pdf[:4] == b"%PDF" and len(pdf) > 50_000
    assert (out / "report.png").stat().st_size > 100_000


def test_docx_opens_with_python_docx(demo):
    from docx import Document

    report, out = demo
    doc = Document(str(out / "report.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for t in report.tables:
        assert t.title in headings
    assert len(doc.tables) == len(report.tables)
    assert len(doc.inline_shapes) == sum(1 for t in report.tables if t.chart)
    stage = doc.tables[[t.key for t in report.tables].index("by_stage")]
    assert [c.text for c in stage.rows[1].cells][:2] == ["Stage 1", f"{report.figures['by_stage']['1']:,}"]


def test_xlsx_has_one_typed_sheet_per_table(demo):
    report, out = demo
    wb = openpyxl.load_workbook(out / "report.xlsx")
    assert wb.sheetnames[0] == "Contents"
    assert len(wb.sheetnames) == 1 + len(report.tables) + (1 if report.omitted or report.notes else 0)
    ws = wb["Stage 1 complaints by theme"]
    assert ws["A2"].value == "Theme" and ws["B2"].value.startswith("Complaints")
    figures = report.figures["themes"]
    top_count = ws["B3"].value
    assert isinstance(top_count, int) and top_count == max(figures.values())
    assert ws["D3"].number_format == "0.0" and isinstance(ws["D3"].value, float)
    ts = wb["Timescales by stage"]
    assert ts["D3"].value == report.figures["timescales"]["1"]["within"]
    # Titles over Excel's 31 characters are cut at a word, and the contents sheet links to each sheet.
    assert all(len(n) <= 31 and not n.endswith((" and", " by", " of")) for n in wb.sheetnames)
    if "by_quarter" in "".join(t.key for t in report.tables):
        assert "Stage 1 timescales by quarter" in wb.sheetnames
    links = [c.hyperlink.location or c.hyperlink.target for c in wb["Contents"]["A"] if c.hyperlink]
    assert len(links) == len(report.tables) and all(link.endswith("!A1") for link in links)


def test_no_complaint_text_in_any_output(demo):
    _, out = demo
    details = pd.read_csv(DEMO / "cases_2024-25.csv", dtype=str, keep_default_na=False).Details
    probes = [t[:60] for t in details.sample(60, random_state=0) if len(t) >= 60]
    from docx import Document

    doc_text = "\n".join(p.text for p in Document(str(out / "report.docx")).paragraphs)
    html = (out / "report.html").read_text(encoding="utf-8")
    js = (out / "tables.json").read_text(encoding="utf-8")
    cells = " ".join(
        str(c.value)
        for ws in openpyxl.load_workbook(out / "report.xlsx").worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    )
    for probe in probes:
        for where in (doc_text, html, js, cells):
            assert probe not in where


def test_tables_json_has_the_documented_shapes(demo):
    _, out = demo
    fig = json.loads((out / "tables.json").read_text(encoding="utf-8"))
    assert set(fig["by_stage"]) == {"1", "2", "3"}
    assert all(isinstance(v, int) for v in fig["by_stage"].values())
    assert set(fig["timescales"]["1"]) >= {"responded", "within", "percent", "mean_working_days"}
    assert all(len(k) == 7 and k[4] == "-" for k in fig["monthly"])
    assert set(fig["child"]) == {"count", "themes"} and set(fig["compliments"]) >= {"count", "by_source"}
    assert all(isinstance(v, dict) for v in fig["outcomes"].values())
