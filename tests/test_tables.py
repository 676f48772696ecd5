import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.errors import InputDataError, MissingColumnError
from classifier.io.tables import EncodingFallbackWarning, read_table, require_column
from classifier.io.writer import write_table


def test_utf8_with_bom_and_cp1252_fallback(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes("\ufefftext,id\ncafé £5,1\n".encode("utf-8"))
    frame, _ = read_table(p)
    assert list(frame.columns) == ["text", "id"] and frame["text"][0] == "café £5"
    q = tmp_path / "win.csv"
    q.write_bytes("text,id\ncaf\xe9 \xa35 \x93quoted\x94,1\n".encode("latin-1"))
    with pytest.warns(EncodingFallbackWarning, match="Windows-1252"):
        frame, _ = read_table(q)
    assert frame["text"][0] == "café £5 “quoted”"


def test_excel_ms_dos_csv_reads_its_pound_signs(tmp_path):
    p = tmp_path / "dos.csv"  # Excel's "CSV (MS-DOS)": the DOS code page, where '£' is byte 0x9C
    p.write_bytes("text,cost\ncaf\u00e9 bill,\u00a3150\nnursery fees,\u00a31,250.00\n".encode("cp850"))
    with pytest.warns(EncodingFallbackWarning, match="cp850"):
        frame, _ = read_table(p)
    assert list(frame["cost"]) == ["£150", "£1,250.00"] and frame["text"][0] == "café bill"


def test_a_cost_that_is_not_an_amount_is_noted_on_screen(tmp_path):
    from conftest import write_csv

    from classifier.report import build_report

    rows = [
        {"Ref": f"A{i}", "Date Received": f"{i + 1:02d}/05/2024", "Stage": "Stage 2", "Type": "Complaint"}
        | {"Details": "x", "Theme": "Delay", "Cost": "TBC" if i < 3 else "£900"}
        for i in range(8)
    ]
    r = build_report(write_csv(tmp_path / "e.csv", rows), tmp_path / "o", formats=("json",))
    assert any("3 cost cells are not an amount (such as 'TBC')" in n for n in r.notes)
    assert r.figures["costs"]["2"]["with_cost"] == 5  # stage 3 has none: its blank total once crashed the table
    assert r.figures["costs"]["3"] == {"with_cost": 0, "total": None, "average": None}


def test_mostly_utf8_with_a_bad_byte_keeps_the_utf8(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_bytes("text\nnaïve café résumé\n".encode() + b"bad \xff byte\n")
    with pytest.warns(EncodingFallbackWarning, match="invalid bytes"):
        frame, _ = read_table(p)
    assert frame["text"][0] == "naïve café résumé" and "\ufffd" in frame["text"][1]


def test_ragged_rows_are_kept(tmp_path):
    p = tmp_path / "ragged.csv"
    p.write_text("id,text\n1\n2,a,b,c\n3,ok\n")
    frame, problems = read_table(p)
    assert len(frame) == 3 and frame["text"][1] == "a,b,c" and frame["text"][0] == ""


def test_bad_jsonl_line_becomes_a_damaged_row(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"text": "a"}\nnot json\n[1,2]\n{"text": "b", "n": 3}\n')
    frame, problems = read_table(p)
    assert list(frame["text"]) == ["a", "", "", "b"] and list(frame["n"]) == ["", "", "", "3"]
    assert problems == [None, "line 2 is not a JSON object", "line 3 is not a JSON object", None]


def test_require_column_is_case_insensitive_and_lists_columns():
    assert require_column(["ID", "Text"], "text", "--text-column") == "Text"
    with pytest.raises(MissingColumnError, match="available: ID, Text; pass --text-column"):
        require_column(["ID", "Text"], "details", "--text-column")


def test_unsupported_and_missing(tmp_path):
    with pytest.raises(InputDataError, match="unsupported extension"):
        read_table(tmp_path / "a.txt")
    with pytest.raises(InputDataError, match="not found"):
        read_table(tmp_path / "a.csv")


cells = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
tables = st.lists(st.fixed_dictionaries({"id": cells, "text": cells, "n": cells}), min_size=1, max_size=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=tables, suffix=st.sampled_from([".csv", ".jsonl", ".xlsx"]))
def test_readers_preserve_rows_and_order(tmp_path, rows, suffix):
    import pandas as pd

    path = tmp_path / f"t{suffix}"
    frame = pd.DataFrame(rows, columns=["id", "text", "n"])
    write_table(frame, path)
    back, problems = read_table(path)
    assert len(back) == len(rows)
    assert problems == [None] * len(rows)
    if suffix == ".jsonl":
        assert list(back["text"]) == [r["text"] for r in rows]
    elif suffix == ".csv":
        # csv normalises bare carriage returns in the reader; compare without them
        norm = lambda s: s.replace("\r\n", "\n").replace("\r", "\n")
        # Cells a spreadsheet would run as formulas come back with the "'" the writer put in front.
        from classifier.io.safety import neutralise

        assert [norm(t) for t in back["text"]] == [norm(neutralise(r["text"])) for r in rows]


def test_output_permissions_private_by_default_kept_on_overwrite_or_set_by_umask(tmp_path):
    import os
    import stat

    import pandas as pd

    from classifier.io.safety import set_umask

    out = tmp_path / "o.csv"
    write_table(pd.DataFrame({"text": ["a"]}), out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # new: private
    os.chmod(out, 0o640)
    write_table(pd.DataFrame({"text": ["b"]}), out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # overwritten: kept
    try:
        set_umask(0o022)
        write_table(pd.DataFrame({"text": ["c"]}), tmp_path / "n.xlsx")
        assert stat.S_IMODE((tmp_path / "n.xlsx").stat().st_mode) == 0o644
    finally:
        set_umask(None)
