"""The intake page driven as an officer would, in Debian's chromium (Playwright, nothing downloaded).

Type a complaint, see suggestions, correct them, save, and find the correction in
the database. A screenshot is written under the test's tmp folder. Without
chromium the test skips on a workstation and fails in CI (CI=1), saying why.
"""

import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from test_serve import _free_port

from classifier.pipeline.feedback import FeedbackStore
from classifier.serve.app import create_app

CHROMIUM = Path(os.environ.get("COMPLAINTS_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
COMPLAINT = (
    "Dear Sir, my name is Aurelio Brandt. My daughter's social worker has not returned any of my "
    "calls or emails for five weeks, and the contact with her brother was cancelled without telling us."
)


def _browser_or_fail():
    missing = None
    if not CHROMIUM.exists():
        missing = f"chromium not found at {CHROMIUM}; install it with `apt-get install -y chromium` (see .ci/run)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright package is not installed; run `pip install -e .[dev]`"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {missing}")
        pytest.skip(missing)


@pytest.fixture()
def served(small_model, tmp_path):
    import uvicorn

    db = tmp_path / "intake.sqlite"
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(small_model, FeedbackStore(db)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        assert time.time() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/", db
    server.should_exit = True
    thread.join(10)


def test_officer_corrects_and_saves(served, tmp_path):
    _browser_or_fail()
    from playwright.sync_api import sync_playwright

    url, db = served
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})  # a small laptop screen
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
            page.wait_for_function("document.getElementById('model').textContent.includes('small-')")
            page.locator("#text").fill(COMPLAINT)
            page.keyboard.press("Control+Enter")  # keyboard only
            page.wait_for_selector("#themes input[type=checkbox]")
            boxes = page.locator("#themes input[type=checkbox]")
            ids = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
            ticked = [i for i in ids if page.locator(f"#theme-{i}").is_checked()]
            assert ticked, "suggested themes are pre-ticked"
            assert page.locator("mark.theme").count() > 0, "evidence is highlighted"
            assert "Aurelio" not in page.inner_text("#redacted")
            page.screenshot(path=str(tmp_path / "intake-page.png"), full_page=True)
            if os.environ.get("COMPLAINTS_SCREENSHOT"):
                shutil.copy(tmp_path / "intake-page.png", os.environ["COMPLAINTS_SCREENSHOT"])

            # The officer's correction: drop the first suggestion, add an unticked theme, flag as not child.
            added = next(i for i in ids if i not in ticked)
            page.locator(f"#theme-{ticked[0]}").uncheck()
            page.locator(f"#theme-{added}").focus()
            page.keyboard.press("Space")
            page.locator("#child").uncheck()
            page.locator("#save").click()
            page.wait_for_selector("#status.saved")
            assert "Saved (decision 1)" in page.inner_text("#status")
            assert page.locator("#text").input_value() == ""
        finally:
            browser.close()
    assert (tmp_path / "intake-page.png").stat().st_size > 10_000
    assert all(r.startswith(url) for r in requests), "the page fetched something from elsewhere"
    row = (
        sqlite3.connect(db)
        .execute("SELECT redacted_text, themes, suggested_themes, child_authored FROM decisions")
        .fetchone()
    )
    assert sorted(row[1].split(";")) == sorted(ticked[1:] + [added])
    assert row[2].split(";") == ticked
    assert row[3] == 0
    assert "Aurelio" not in row[0] and "social worker" in row[0]


def test_save_needs_a_suggestion_for_the_text_as_it_is(served):
    """Saving before a suggestion, or after editing the text, asks for a (new) suggestion; Clear resets."""
    _browser_or_fail()
    from playwright.sync_api import sync_playwright

    url, db = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url)
            page.locator("#text").fill(COMPLAINT)
            page.keyboard.press("Control+s")
            page.wait_for_selector("#status.error")
            assert "Suggest themes first" in page.inner_text("#status")

            page.keyboard.press("Control+Enter")
            page.wait_for_selector("#themes input[type=checkbox]")
            page.locator("#text").focus()
            page.keyboard.press("End")
            page.keyboard.type(" She is also missing school.")
            page.keyboard.press("Control+s")
            page.wait_for_selector("#status.error")
            assert "suggest again" in page.inner_text("#status")

            page.locator("#clear").click()
            assert page.locator("#decision").is_hidden() and page.locator("#redacted-wrap").is_hidden()
            assert page.locator("#text").input_value() == ""
        finally:
            browser.close()
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 0
