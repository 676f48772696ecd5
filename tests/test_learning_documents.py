"""Document reading for the learning extractor: .txt, .docx, .pdf and folders."""

from __future__ import annotations

import csv

import pytest

from classifier.io.documents import DocumentError, clean_pages, document_paths, iter_documents, read_document
from classifier.learning.sentences import split_sentences

REMINDER = (
    "Reminders were issued to all social workers that parents must be told before a "
    "contact session is cancelled, and staff must record the call on the child's file."
)
CHECKLIST = "A new checklist has been introduced for closure letters."


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences([text])[0]]


# ------------------------------------------------------------------ a tiny PDF writer


def _escape(t: str) -> str:
    return t.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[tuple[int, int, str]]]) -> bytes:
    """A valid PDF: Helvetica text lines at (x, y) on A4 pages (WinAnsi, so '•' works)."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    contents = []
    for lines in pages:
        ops = "".join(f"BT /F1 11 Tf {x} {y} Td ({_escape(t)}) Tj ET\n" for x, y, t in lines).encode("cp1252")
        contents.append(add(b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream"))
    pages_id = len(objs) + len(pages) + 1
    kids = [
        add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >>"
            b" /Contents %d 0 R >>" % (pages_id, font, c)
        )
        for c in contents
    ]
    assert (
        add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
        == pages_id
    )
    root = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, root, xref)
    return bytes(out)


HEADER = "Brookfield Trust - Annual Complaints Report 2024"


def report_pdf() -> bytes:
    return make_pdf(
        [
            [
                (72, 800, HEADER),
                (72, 720, "Learning from complaints"),
                (90, 700, "\u2022 " + CHECKLIST),
                (72, 680, "Reminders were issued to all social workers that parents must be told"),
                (72, 665, "before a contact session is cancelled, and staff"),
                (300, 40, "Page 1 of 2"),
            ],
            [
                (72, 800, HEADER),
                (72, 760, "must record the call on the child's file. The panel met in June."),
                (300, 40, "Page 2 of 2"),
            ],
        ]
    )


def test_pdf_round_trip_removes_headers_page_numbers_and_bullets(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf())
    doc = read_document(path)
    assert doc.id == "report.pdf"
    assert HEADER not in doc.text
    assert "Page 1" not in doc.text and "Page 2" not in doc.text
    assert "\u2022" not in doc.text
    got = sentences(doc.text)
    # The sentence broken across two lines and a page break comes back whole.
    assert REMINDER in got
    assert CHECKLIST in got
    assert "The panel met in June." in got
    # Pieces map returned offsets back to pages.
    start = doc.text.index("must record")
    assert doc.locate(start).page == 2
    assert doc.locate(doc.text.index("Reminders")).page == 1


def test_docx_round_trip(tmp_path):
    import docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "OFFICIAL - SENSITIVE"
    d.sections[0].footer.paragraphs[0].text = "Page 1"
    d.add_heading("Outcome of your complaint", level=1)
    d.add_paragraph("Thank you for your letter. I uphold your complaint about the missed visits.")
    d.add_paragraph("\u2022 " + CHECKLIST)
    d.add_paragraph("Team managers now receive a weekly report of visits that are due.", style="List Bullet")
    # A soft line break inside a sentence must not split it.
    p = d.add_paragraph("Reminders were issued to all social workers that parents must be told before a ")
    p.add_run().add_break()
    p.add_run("contact session is cancelled, and staff must record the call on the child's file.")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Action 1"
    table.cell(0, 1).text = "The leaflet has been rewritten in plain English."
    path = tmp_path / "letter.docx"
    d.save(path)

    doc = read_document(path)
    assert "OFFICIAL" not in doc.text and "Page 1" not in doc.text
    got = sentences(doc.text)
    assert REMINDER in got
    assert CHECKLIST in got
    assert "Team managers now receive a weekly report of visits that are due." in got
    assert "The leaflet has been rewritten in plain English." in got
    # A heading is dropped, and not glued onto the sentence after it.
    assert not any("Outcome of your complaint" in g for g in got)
    assert got[0].startswith("Thank you for your letter.")
    assert doc.locate(doc.text.index("Thank you")).page == 2  # paragraph numbers for .docx


def test_txt_page_numbers_bullets_and_wrapped_lines(tmp_path):
    text = (
        "Learning\n\nWe must ensure that decisions are explained to young people and\n"
        "recorded with a clear rationale.\n\n- 3 -\n\f"
        "  * Staff have been reminded to share assessments with parents.\n"
        "  2. The duty rota has been changed so that calls are returned the same day.\n"
        "The investi-\ngation found no evidence of bias.\n"
    )
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    got = sentences(doc.text)
    assert ("We must ensure that decisions are explained to young people and recorded with a clear rationale.") in got
    assert "Staff have been reminded to share assessments with parents." in got
    assert "The duty rota has been changed so that calls are returned the same day." in got
    assert "The investigation found no evidence of bias." in got
    assert "- 3 -" not in doc.text and "*" not in doc.text


def test_clean_pages_keeps_offsets_consistent():
    text, pieces = clean_pages(
        ["Header line\nFirst line of text that\ncontinues here.\n7", "Header line\nSecond page text.\n8"]
    )
    assert "Header line" not in text
    for pc in pieces:
        assert 0 <= pc.start < pc.end <= len(text)
    assert text == "First line of text that continues here.\nSecond page text."


def test_folder_of_documents(tmp_path):
    (tmp_path / "a.txt").write_text("The leaflet has been rewritten.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.pdf").write_bytes(report_pdf())
    (tmp_path / "notes.csv").write_text("x\n1\n", encoding="utf-8")  # not a document: ignored
    (tmp_path / "~$lock.docx").write_bytes(b"lock")  # Word lock file: ignored
    docs = list(iter_documents(tmp_path))
    assert [d.id for d in docs] == ["a.txt", "sub/b.pdf"]
    assert len(document_paths(tmp_path / "a.txt")) == 1


def test_damaged_and_missing_documents_raise_document_error(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\nThis is not really a PDF: Mrs Example's letter\n")
    with pytest.raises(DocumentError) as err:
        _ = read_document(bad).text
    assert "Mrs Example" not in str(err.value)
    with pytest.raises(DocumentError):
        list(iter_documents(tmp_path / "nowhere"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DocumentError):
        list(iter_documents(empty))
    with pytest.raises(DocumentError):
        read_document(tmp_path / "x.rtf")


# ------------------------------------------------------------------ layouts that used to glue sentences


def test_bullets_without_full_stops_stay_separate_statements(tmp_path):
    text = (
        "Learning from complaints\n"
        "Every upheld complaint has an action, and the service tracks each one until it is done. Examples:\n"
        "\u2022 Social workers have been reminded that parents must be sent the minutes within 15 working days\n"
        "\u2022 A new checklist for closing cases now asks whether the family has been told in writing\n"
        "- The fostering team has added a session on allowances to its induction programme\n"
        "1. All duty staff attended a half-day workshop on responding to referrers\n"
    )
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    got = sentences(read_document(path).text)
    assert got == [
        "Every upheld complaint has an action, and the service tracks each one until it is done.",
        "Examples:",
        "Social workers have been reminded that parents must be sent the minutes within 15 working days",
        "A new checklist for closing cases now asks whether the family has been told in writing",
        "The fostering team has added a session on allowances to its induction programme",
        "All duty staff attended a half-day workshop on responding to referrers",
    ]


def test_page_number_between_blank_lines_does_not_cut_a_sentence(tmp_path):
    text = (
        "9.2 The service has agreed that team managers will check every set of minutes before they are "
        "sent, and that parents will be\n\nPage 14\n\ngiven a copy within ten working days.\n\n"
        "Page 15\n\nRecommendations\nThe service should review its minutes template.\n"
    )
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    assert "Page 1" not in doc.text
    got = sentences(doc.text)
    assert (
        "9.2 The service has agreed that team managers will check every set of minutes before they are "
        "sent, and that parents will be given a copy within ten working days."
    ) in got
    # A page number before a capitalised line is still a paragraph break.
    assert "The service should review its minutes template." in got
    assert not any("Recommendations" in g for g in got)  # the heading is neither a unit nor glued on


def test_labelled_lines_and_short_lines_start_new_units():
    text, _ = clean_pages(
        [
            "You said, we did\n"
            "You said: letters from the team were hard to understand and far too long\n"
            "We did: we rewrote our standard letters with a group of parents this spring\n"
            "4.2 Next steps\n"
            "Going forward, the complaints team will publish a quarterly learning\n"
            "bulletin for all staff."
        ]
    )
    assert sentences(text) == [
        "You said: letters from the team were hard to understand and far too long",
        "We did: we rewrote our standard letters with a group of parents this spring",
        "Going forward, the complaints team will publish a quarterly learning bulletin for all staff.",
    ]


# ------------------------------------------------------------------ document-level evaluation


class _StubExtractor:
    """Returns fixed sentences of the text as statements (whatever the model would say)."""

    threshold_ = 0.5

    def __init__(self, picks):
        self.picks = picks  # {sentence start text: type}

    def find(self, text, source_id=None, item_starts=None, sections="all"):
        from classifier.learning.extractor import LearningStatement

        out = []
        for s, e in split_sentences([text])[0]:
            for start, t in self.picks.items():
                if text[s:e].startswith(start):
                    out.append(LearningStatement(text[s:e], s, e, t, 0.9, source_id))
        return out


def test_evaluate_learning_documents_matches_by_overlap(tmp_path):
    import json

    from classifier.errors import InputDataError
    from classifier.learning import evaluate_learning_documents
    from classifier.learning.api import locate_sentence, match_spans

    (tmp_path / "a.txt").write_text(
        "Dear Ms Bell,\n\nThank you for your letter. Staff have been reminded to return calls within a day. "
        "We have paid you \u00a350 for your time and trouble.\n\nA new leaflet has been\n\nPage 2\n\n"
        "written for parents.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text("The panel met twice. Nothing else happened.\n", encoding="utf-8")
    gold = [
        {
            "doc": "a.txt",
            "sentence": "Staff have been reminded to return calls within a day.",
            "type": "staff_reminder",
        },
        {"doc": "a.txt", "sentence": "We have paid you \u00a350 for your time and trouble.", "type": "remedy"},
        # crosses the page break: the gold string keeps the page number, as PDF text would
        {
            "doc": "a.txt",
            "sentence": "A new leaflet has been\n\nPage 2\n\nwritten for parents.",
            "type": "process_change",
        },
        {"doc": "a.txt", "sentence": "This sentence is not in the document at all, anywhere.", "type": "lesson"},
    ]
    (tmp_path / "gold.jsonl").write_text("\n".join(json.dumps(g) for g in gold) + "\n", encoding="utf-8")
    stub = _StubExtractor(
        {
            "Staff have": "staff_reminder",
            "We have paid": "process_change",
            "A new leaflet": "process_change",
            "The panel": "other",
        }
    )
    r = evaluate_learning_documents(tmp_path, stub)
    assert r["documents"] == 2 and r["gold"] == 4 and r["found"] == 4
    assert (r["tp"], r["fp"], r["fn"]) == (3, 1, 1)
    assert r["precision"] == 0.75 and r["recall"] == 0.75
    assert r["gold_not_located"] == 1
    assert r["typed_matches"] == 3 and r["type_accuracy"] == round(2 / 3, 4)
    assert r["per_type"]["remedy"] == {"n": 1, "correct": 0}
    assert [m["doc"] for m in r["false_alarms"]] == ["b.txt"]
    assert [d["matched"] for d in r["per_doc"]] == [3, 0]

    text = "One two three.\n\nFour five six."
    assert locate_sentence("Four  five\nsix.", text) == (16, 30)
    assert locate_sentence("Seven eight.", text) is None
    # Half overlap of the longer span is the bar; each gold and each statement is used once.
    assert match_spans([(0, 10), (20, 30)], [(0, 6), (5, 10), (22, 30)]) == [(0, 0), (1, 2)]
    assert match_spans([(0, 10)], [(0, 4)]) == []

    (tmp_path / "gold.jsonl").write_text(json.dumps({"doc": "missing.txt", "sentence": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="missing.txt"):
        evaluate_learning_documents(tmp_path, stub)
    (tmp_path / "gold.jsonl").unlink()
    with pytest.raises(InputDataError, match="gold.jsonl"):
        evaluate_learning_documents(tmp_path, stub)


# ------------------------------------------------------------------ document structure

REPORT = """Annual complaints report 2024/25

Compliments

"Thank you so much, the new worker has made sure we are always told about changes." - a parent

Complaint themes

Complainants told us that workers must return calls sooner and that letters came late.

Learning from complaints

This led to the following:
\u2022 A weekly check of unanswered calls by each team manager
\u2022 Staff will now phone parents before any meeting is moved.

Issue | Learning | Actions
Calls not returned | Parents need a named contact | Duty managers now ring back within a day.
"""


def test_structure_tracks_sections_lead_ins_cells_and_paragraph_kinds():
    from classifier.learning.structure import analyse

    segs = analyse([REPORT])[0]
    by_text = {REPORT[g.start : g.end]: g.context for g in segs}
    assert by_text["Compliments"].role == "heading"
    quote = next(c for t, c in by_text.items() if t.startswith('"Thank you so much'))
    assert quote.section == "Compliments" and quote.kind in ("compliments", "quote")
    summary = next(c for t, c in by_text.items() if t.startswith("Complainants told us"))
    assert summary.kind in ("complaint_summary", "complaint_themes")
    lead = by_text["This led to the following:"]
    assert lead.role == "lead_in"
    item = by_text["A weekly check of unanswered calls by each team manager"]
    assert item.role == "item" and item.lead_in == "This led to the following:" and item.kind == "learning"
    assert by_text["Issue"].role == "header"
    cell = by_text["Duty managers now ring back within a day."]
    assert cell.role == "cell" and cell.lead_in == "Actions" and cell.kind == "learning"
    assert by_text["Calls not returned"].kind == "complaint_themes"


def test_lead_ins_and_headings_are_never_statements_and_sections_option():
    from classifier.learning import BUNDLED_SENTENCES, train_learning_extractor

    model = train_learning_extractor(BUNDLED_SENTENCES, seed=0)
    found = model.find(REPORT)
    texts = [s.sentence for s in found]
    assert "This led to the following:" not in texts and "Issue" not in texts
    # A compliment quote and a summary of what complainants said are not mined, though they say "must" and "made sure".
    assert not any(t.startswith(('"Thank you', "Complainants told us")) for t in texts), texts
    assert "Staff will now phone parents before any meeting is moved." in texts
    assert "Duty managers now ring back within a day." in texts
    # --sections learning: only what sits in learning or action sections.
    restricted = model.find(REPORT, sections="learning")
    assert restricted and all(s.context == "learning" or s.section.startswith("Learning") for s in restricted)
    from classifier.errors import LearningError

    with pytest.raises(LearningError):
        model.find(REPORT, sections="nonsense")
    # Saved as plain data and loaded back, it finds the same statements.
    from classifier.pipeline.state import dumps_state, loads_state

    again = loads_state(dumps_state(model))
    assert [(s.start, s.end, s.type) for s in again.find(REPORT)] == [(s.start, s.end, s.type) for s in found]


def test_tabs_become_cells_and_wrapped_cells_are_rejoined():
    text, _ = clean_pages(
        [
            "Theme\tWhat we have done\n"
            "Delay\tResponses are now tracked weekly by the\n"
            "Complaints Manager and chased at day seven.\n"
        ]
    )
    assert "Theme | What we have done" in text
    assert "tracked weekly by the Complaints Manager and chased" in text
    # A tab after a bullet is spacing, not a cell.
    text, pieces = clean_pages(["\u2022\tStaff will be reminded to record calls."])
    assert text == "Staff will be reminded to record calls." and pieces[0].item


def test_image_only_pdf_warns_and_damaged_file_in_folder_is_skipped(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with (tmp_path / "scan.pdf").open("wb") as fh:
        writer.write(fh)
    (tmp_path / "bad.docx").write_bytes(b"not a zip")
    (tmp_path / "ok.txt").write_text("We will now phone parents the day before.", encoding="utf-8")
    doc = read_document(tmp_path / "scan.pdf")
    assert doc.text == "" and doc.warnings and "image-only" in doc.warnings[0]
    skipped: list = []
    ids = [d.id for d in iter_documents(tmp_path, skipped=skipped)]
    assert ids == ["ok.txt", "scan.pdf"] and [n for n, _ in skipped] == ["bad.docx"]
    with pytest.raises(DocumentError):
        list(iter_documents(tmp_path))  # without a list to report into, it raises


def test_wrapped_pipe_table_rows_are_rebuilt_one_line_per_row():
    # A table flattened from a PDF: each row runs on over wrapped lines.
    page = (
        "Complaint | What we learned | What we changed\n"
        "A grandmother was not told that the review had\n"
        "moved. | Dates were changed without anyone ringing the\n"
        "family. | Review dates are now confirmed by\n"
        "letter and text.\n"
        "A care leaver waited for his grant. | Grants were\n"
        "checked only once a month. | Grants are now paid weekly.\n"
    )
    text, _ = clean_pages([page])
    lines = text.split("\n")
    assert lines[0] == "Complaint | What we learned | What we changed"
    assert lines[1] == (
        "A grandmother was not told that the review had moved. | Dates were changed without anyone "
        "ringing the family. | Review dates are now confirmed by letter and text."
    )
    assert lines[2] == (
        "A care leaver waited for his grant. | Grants were checked only once a month. | Grants are now paid weekly."
    )
    # The same table typed with tabs, one row per line: the header row stays on its own line.
    text, _ = clean_pages(['You said\tWe did\n"Nobody rang me back."\tCalls are now returned within a day.\n'])
    assert text.split("\n") == ["You said | We did", '"Nobody rang me back." | Calls are now returned within a day.']
    from classifier.learning.structure import analyse

    by_text = {text[g.start : g.end]: g.context for g in analyse([text])[0]}
    assert by_text["You said"].role == "header"
    assert by_text['"Nobody rang me back."'].kind == "complaint_themes"  # a "You said" column
    assert by_text["Calls are now returned within a day."].lead_in == "We did"


def test_unbulleted_lines_after_a_lead_in_are_items_and_the_sentence_before_it_is_a_candidate():
    from classifier.learning.structure import analyse

    page = (
        "Our review found that families lost touch when a worker left. "
        "To address this, the following arrangements were put in place:\n"
        "a letter from the team manager naming the new worker\n"
        "a text message whenever a visit is cancelled\n"
        "\n"
        "The next paragraph is ordinary prose that runs on for a good while longer than the items above it do.\n"
    )
    text, pieces = clean_pages([page])
    segs = {
        text[g.start : g.end]: g.context for g in analyse([text], [frozenset(p.start for p in pieces if p.item)])[0]
    }
    first = segs["Our review found that families lost touch when a worker left."]
    assert first.role == "sentence"
    lead = "To address this, the following arrangements were put in place:"
    assert segs[lead].role == "lead_in"
    for item in (
        "a letter from the team manager naming the new worker",
        "a text message whenever a visit is cancelled",
    ):
        assert segs[item].role == "item" and segs[item].lead_in == lead
        assert segs[item].kind == "learning"  # the lead-in's words ("put in place") name the kind


def test_numbered_learning_heading_is_a_heading_and_quotes_are_never_mined():
    from classifier.learning.structure import analyse, load_sections

    text = (
        "11. What we learned and what we changed\n\n"
        "Parents are now told the name of a new worker within five days.\n\n"
        "Compliments\n\n"
        '"The respite arrangements put in place over the summer were wonderful," wrote one carer.\n'
    )
    by_text = {text[g.start : g.end]: g.context for g in analyse([text])[0]}
    assert by_text["What we learned and what we changed"].role == "heading"  # its number trimmed
    assert by_text["Parents are now told the name of a new worker within five days."].section_kind == "learning"
    quote = next(c for t, c in by_text.items() if t.startswith('"The respite'))
    assert quote.kind in load_sections()["never"] | {"compliments"}


def test_greeting_is_no_section_and_the_signature_block_is_no_statement():
    from classifier.learning.structure import CANDIDATE_ROLES, analyse

    letter = (
        "Dear Mr Osei-Bonsu,\n\nThank you for your letter about the delay to your review.\n\n"
        "I am sorry that the review was late. We have reminded all social workers in the team to book "
        "reviews six weeks ahead.\n\nYours sincerely,\n\nJane Hartwell\nTeam Manager\n"
    )
    segs = analyse([letter])[0]
    by_text = {letter[g.start : g.end]: g.context for g in segs}
    assert all("Osei" not in c.section for c in by_text.values())
    assert by_text["Team Manager"].role not in CANDIDATE_ROLES
    assert by_text["Jane Hartwell"].role not in CANDIDATE_ROLES
    reminder = next(c for t, c in by_text.items() if t.startswith("We have reminded"))
    assert reminder.role in CANDIDATE_ROLES


def test_register_sections_are_redacted():
    from classifier.learning.register import register_from_rows

    rows = [
        {
            "source": "a.txt",
            "page": 1,
            "section": "Response to Mrs Agnieszka Wróblewska",
            "sentence": "We have changed how we book reviews.",
            "type": "process_change",
            "themes": "delay",
            "score": 0.9,
        }
    ]
    reg = register_from_rows(rows)
    assert "Wróblewska" not in reg.to_csv() and "Response to" in reg.to_csv()


def test_page_column_is_a_whole_number_or_blank(tmp_path):
    import docx
    import openpyxl

    from classifier.learning import extract_learning_table
    from classifier.pipeline.persistence import load_model

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(
        "Learning\n\nAs a result of this complaint we now send every letter by email and text.\n", encoding="utf-8"
    )
    d = docx.Document()
    d.add_paragraph("What we learned")
    d.add_paragraph("As a result, managers now check that every plan is shared with parents within five days.")
    d.save(str(docs / "b.docx"))
    model = load_model(None)
    for name in ("out.csv", "out.xlsx"):
        extract_learning_table(docs, tmp_path / name, extractor=model.learning, theme_model=model.themes)
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8-sig")))
    assert {r["source"]: r["page"] for r in rows} == {"a.txt": "1", "b.docx": ""}
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    pages = {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert pages == {"a.txt": 1, "b.docx": None}


def test_action_table_owner_due_date_and_status_fill_the_register(tmp_path):
    import docx

    from classifier.learning import extract_learning_table
    from classifier.pipeline.persistence import load_model

    d = docx.Document()
    d.add_paragraph("Action plan following the Stage 2 investigation")
    rows = [
        ["Recommendation", "Action", "Owner", "By when", "RAG"],
        [
            "Letters were late",
            "All Stage 1 letters will be checked by a team manager before they are sent.",
            "Kelechi Obi, Team Manager",
            "31/03/2025",
            "Green",
        ],
        [
            "Calls not returned",
            "The team manager will remind staff that calls are returned in 2 days.",
            "Team Manager",
            "Immediate",
            "",
        ],
        [
            "No plan for family time",
            "Family time plans will be shared with parents within five working days.",
            "Head of Service CLA",
            "Q2 2025-26",
            "",
        ],
    ]
    table = d.add_table(rows=len(rows), cols=len(rows[0]))
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    d.save(str(tmp_path / "plan.docx"))
    model = load_model(None)
    extract_learning_table(
        tmp_path / "plan.docx",
        tmp_path / "out.csv",
        extractor=model.learning,
        theme_model=model.themes,
        register_path=tmp_path / "register.csv",
    )
    out = {r["sentence"][:12]: r for r in csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8-sig"))}
    assert (out["All Stage 1 "]["action_owner"], out["All Stage 1 "]["due_date"]) == (
        "Kelechi Obi, Team Manager",
        "31/03/2025",
    )
    assert out["All Stage 1 "]["status"] == "Green" and out["Family time "]["status"] == ""
    assert out["Family time "]["due_date"] == "Q2 2025-26"
    assert set(out) == {"All Stage 1 ", "Family time ", "The team man"}  # owner, date, RAG cells: never
    reg = {r["statement"][:12]: r for r in csv.DictReader((tmp_path / "register.csv").open(encoding="utf-8-sig"))}
    assert reg["All Stage 1 "]["action_owner"] == "[NAME], Team Manager"  # redacted in the register
    assert reg["Family time "]["action_owner"] == "Head of Service CLA"
    # Prose outside a table leaves the columns for the team to fill in.
    (tmp_path / "a.txt").write_text(
        "Learning\n\nAs a result of this complaint we now send every letter by email and text.\n", encoding="utf-8"
    )
    extract_learning_table(tmp_path / "a.txt", tmp_path / "b.csv", extractor=model.learning, theme_model=model.themes)
    row = next(csv.DictReader((tmp_path / "b.csv").open(encoding="utf-8-sig")))
    assert (row["action_owner"], row["due_date"], row["status"]) == ("", "", "")


def test_bulletin_diary_dates_and_meeting_housekeeping_are_not_mined():
    from classifier.learning.structure import analyse, load_sections

    text = (
        "What we changed\n\n"
        "Parents are now sent the name of a new worker within five days.\n\n"
        "Dates for your diary\n\n"
        "The autumn practice forum will now meet in the large hall on 4 November.\n\n"
        "Any other business\n\n"
        "The lift is out of order again, so please use the side entrance.\n"
    )
    by_text = {text[g.start : g.end]: g.context for g in analyse([text])[0]}
    mined = load_sections()["mined"]
    assert by_text["Parents are now sent the name of a new worker within five days."].kind in mined
    for line in (
        "The autumn practice forum will now meet in the large hall on 4 November.",
        "The lift is out of order again, so please use the side entrance.",
    ):
        assert by_text[line].kind == "news" and "news" not in mined
