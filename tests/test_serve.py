"""`complaints serve`: the JSON API, the token, what is stored, and 64 concurrent suggestions."""

import asyncio
import re
import socket
import sqlite3
import stat
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from classifier.errors import ServeError
from classifier.pipeline.feedback import FeedbackStore
from classifier.serve.app import check_binding, create_app, page_html

TEXT = (
    "My name is Kerensa Obuya and my phone is 07700 900123. My son's social worker has not returned "
    "my calls for three weeks and nobody told us the contact with his dad was cancelled."
)


@pytest.fixture()
def client(small_model, tmp_path):
    store = FeedbackStore(tmp_path / "intake.sqlite")
    return TestClient(create_app(small_model, store), base_url="http://127.0.0.1:8000"), tmp_path / "intake.sqlite"


def test_health_and_suggest_shape(client, small_model):
    c, _ = client
    h = c.get("/api/health").json()
    assert h == {"status": "ok", "model_version": small_model.version}
    r = c.post("/api/suggest", json={"text": TEXT})
    assert r.status_code == 200
    s = r.json()
    assert len(s["themes"]) == 3
    assert [t["probability"] for t in s["themes"]] == sorted((t["probability"] for t in s["themes"]), reverse=True)
    for t in s["themes"]:
        assert set(t) >= {"id", "label", "probability", "evidence"} and t["id"] in small_model.themes.labels_
    assert set(s["child_authored"]) == {"value", "score", "evidence"}
    assert s["kind"] in ("complaint", "enquiry", "compliment")
    assert "Kerensa" not in s["text"] and "07700" not in s["text"]  # the page shows what the model read
    for h in s["highlights"]:
        assert 0 <= h["start"] < h["end"] <= len(s["text"])
    theme_marks = [s["text"][h["start"] : h["end"]] for h in s["highlights"] if h["kind"] == "theme"]
    assert theme_marks and all(any(m == w for t in s["themes"] for w in t["evidence"]) for m in theme_marks)
    everything = c.post("/api/suggest", json={"text": TEXT, "top": 100}).json()
    assert len(everything["themes"]) == len(small_model.themes.labels_)


def test_child_evidence_is_highlighted(client):
    c, _ = client
    s = c.post("/api/suggest", json={"text": "I'm 15 and my social worker keeps cancelling on me."}).json()
    assert s["child_authored"]["evidence"]
    marks = [s["text"][h["start"] : h["end"]].lower() for h in s["highlights"] if h["kind"] == "child"]
    assert "my social worker" in marks


def test_signals_against_a_child_author_are_their_own_kind(client):
    c, _ = client
    s = c.post("/api/suggest", json={"text": "My son's social worker keeps cancelling our meetings."}).json()
    signals = [h for h in s["highlights"] if "signal" in h]
    against = [h for h in signals if h["signal"].startswith("not:")]
    assert against, "the parent's 'my son' is a signal against a child author"
    assert {h["kind"] for h in against} == {"not_child"}
    assert all(h["kind"] == "child" for h in signals if not h["signal"].startswith("not:"))


def test_feedback_stores_redacted_text_only(client, small_model):
    c, db = client
    r = c.post(
        "/api/feedback",
        json={
            "text": TEXT,
            "themes": ["communication", "family_time"],
            "child_authored": False,
            "suggested_themes": ["communication"],
            "suggested_child_authored": False,
        },
    )
    assert r.json()["stored"] is True
    raw = (
        db.read_bytes() + (db.parent / "intake.sqlite-wal").read_bytes()
        if (db.parent / "intake.sqlite-wal").exists()
        else db.read_bytes()
    )
    assert b"Kerensa" not in raw and b"07700 900123" not in raw
    row = (
        sqlite3.connect(db)
        .execute(
            "SELECT redacted_text, themes, suggested_themes, child_authored, model_version, created_at FROM decisions"
        )
        .fetchone()
    )
    assert "[NAME]" in row[0] and "social worker" in row[0]
    assert row[1:5] == ("communication;family_time", "communication", 0, small_model.version)
    assert re.match(r"\d{4}-\d\d-\d\dT", row[5])
    assert FeedbackStore(db).decisions()[0].is_correction


def test_bad_requests_are_refused(client):
    c, _ = client
    assert c.post("/api/suggest", json={"text": "   "}).status_code == 422
    assert c.post("/api/suggest", json={"text": ". ?? 07"}).json()["error"].startswith("the text has no words")
    assert c.post("/api/suggest", json={}).status_code == 422
    assert c.post("/api/feedback", json={"text": TEXT, "themes": ["lunch"], "child_authored": False}).status_code == 422
    # A decision without the child flag is refused, not stored as "not a child".
    r = c.post("/api/feedback", json={"text": TEXT, "themes": ["delay"]})
    assert r.status_code == 422 and any(p["field"] == "child_authored" for p in r.json()["problems"])
    bogus = {"text": TEXT, "themes": ["delay"], "child_authored": False, "suggested_themes": ["bogus_theme"]}
    assert c.post("/api/feedback", json=bogus).status_code == 422
    # The headline says what is wrong: not JSON, too long, or a field of the wrong type.
    assert (
        "must be JSON"
        in c.post("/api/suggest", content="{text", headers={"Content-Type": "application/json"}).json()["error"]
    )
    too_long = c.post("/api/suggest", json={"text": "delay " * 40_000})
    assert too_long.status_code == 422 and too_long.json()["error"].startswith("the text is longer than 50,000")
    assert c.post("/api/suggest", json={}).json()["error"] == "the request lacks a required field: see problems"
    wrong_type = c.post("/api/suggest", json={"text": TEXT, "top": "many"}).json()["error"]
    assert "not as the API expects" in wrong_type and "JSON" not in wrong_type
    not_utf8 = c.post("/api/suggest", content=b'{"text": "caf\xe9 \xff"}', headers={"Content-Type": "application/json"})
    assert not_utf8.status_code == 400 and not_utf8.json() == {
        "error": "the request body could not be read: send JSON encoded as UTF-8"
    }
    missing = c.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.json() == {"error": "Not Found"}
    assert missing.headers["Content-Security-Policy"]


def test_refusals_never_echo_the_complaint_text(client):
    c, _ = client
    # A common mistake: the body sent as a form, not JSON. FastAPI's own answer would quote it back.
    sent = [
        c.post("/api/suggest", content=TEXT, headers={"Content-Type": "text/plain"}),
        c.post("/api/suggest", json={"text": TEXT, "top": "many"}),
        c.post("/api/feedback", json={"text": TEXT, "themes": "communication", "child_authored": "perhaps"}),
        c.post("/api/feedback", json={"text": TEXT, "themes": ["Kerensa Obuya"], "child_authored": False}),
    ]
    for r in sent:
        assert r.status_code == 422
        assert "Kerensa" not in r.text and "07700" not in r.text and "social worker" not in r.text
    assert any(p["field"] == "top" for p in sent[1].json()["problems"])


def test_feedback_takes_theme_labels_and_the_database_is_private(client):
    c, db = client
    r = c.post("/api/feedback", json={"text": TEXT, "themes": ["Poor Communication"], "child_authored": False})
    assert r.status_code == 200, r.text
    assert FeedbackStore(db).decisions()[0].themes == ["communication"]
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_page_is_self_contained():
    html = page_html()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert 'id="text"' in html and "aria-live" in html


def test_other_addresses_need_a_token(small_model, tmp_path):
    with pytest.raises(ServeError, match="--token"):
        check_binding("0.0.0.0", None)
    check_binding("127.0.0.1", None)
    check_binding("0.0.0.0", "a-long-enough-s3cret")
    with pytest.raises(ServeError, match="at least 16"):
        check_binding("0.0.0.0", "a")
    for here in ("127.0.0.2", "localhost", "::1", "[::1]"):  # this machine's addresses need no token
        check_binding(here, None)
    c = TestClient(create_app(small_model, FeedbackStore(tmp_path / "f.sqlite"), token="s3cret"))
    for path in ("/", "/api/health"):
        assert c.get(path).status_code == 401
        assert c.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.post("/api/suggest", json={"text": TEXT}).status_code == 401
    assert c.get("/api/health", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert c.get("/?token=s3cret").status_code == 200
    assert c.post("/api/suggest", json={"text": TEXT}, headers={"X-Complaints-Token": "s3cret"}).status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def live_server(small_model, tmp_path):
    import uvicorn

    port = _free_port()
    app = create_app(small_model, FeedbackStore(tmp_path / "live.sqlite"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        assert time.time() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_64_concurrent_suggestions(live_server):
    texts = [f"{TEXT} Case note {i}: the review meeting was moved again." for i in range(64)]

    async def run():
        async with httpx.AsyncClient(base_url=live_server, timeout=120) as ac:
            return await asyncio.gather(*(ac.post("/api/suggest", json={"text": t}) for t in texts))

    responses = asyncio.run(run())
    assert [r.status_code for r in responses] == [200] * 64
    assert all(len(r.json()["themes"]) == 3 for r in responses)


def test_without_a_token_only_this_machines_names_are_answered(client):
    """DNS rebinding: a web page whose own name is re-pointed at 127.0.0.1 sends that name as Host."""
    c, _ = client
    assert c.get("/api/health").status_code == 200
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
        assert c.get("/api/health", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", "192.168.1.10:8000"):
        r = c.post(
            "/api/feedback", json={"text": TEXT, "themes": ["delay"], "child_authored": False}, headers={"Host": host}
        )
        assert r.status_code == 403, host
