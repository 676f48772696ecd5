"""FastAPI app: the intake page, `GET /api/health`, `POST /api/suggest`, `POST /api/feedback`.

Bound to 127.0.0.1 unless told otherwise; any other address needs a token,
which every request must then carry (`Authorization: Bearer TOKEN`, header
`X-Complaints-Token`, or `?token=` for opening the page). Model calls hold a
lock: the model is shared by the server's worker threads and is fast enough
(~15 ms a suggestion) that taking turns costs nothing noticeable. Request
bodies are never logged; uvicorn's access log (which would show `?token=`) is off.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from classifier.errors import ComplaintThemesError, ServeError
from classifier.pipeline.feedback import FeedbackStore
from classifier.pipeline.model import ComplaintModel
from classifier.redact.quote import shown_value
from classifier.serve.suggest import suggestion
from classifier.taxonomy.schema import resolve_theme_names
from classifier.text import UNLABELLED_MESSAGES, unlabelled_reason

TOKEN_ENV = "COMPLAINTS_TOKEN"
MIN_TOKEN_CHARS = 16  # beyond this machine a short token could be guessed
MAX_TEXT_CHARS = 50_000
# Nothing may be fetched from anywhere: the page is one self-contained document.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def validation_headline(errors) -> str:
    """One line saying what is wrong with a request, from pydantic's error types (never the values sent)."""
    types = {e.get("type", "") for e in errors}
    if types & {"json_invalid", "model_attributes_type", "dict_type"}:
        return "the request body must be JSON (Content-Type: application/json) with the fields listed"
    if types == {"missing"}:
        return "the request lacks a required field: see problems"
    if any(e.get("type") == "string_too_long" and tuple(e.get("loc", ()))[-1:] == ("text",) for e in errors):
        return f"the text is longer than {MAX_TEXT_CHARS:,} characters; send the complaint itself, or split it"
    return "some fields of the request are not as the API expects: see problems"


class SuggestIn(BaseModel):
    text: str = Field(..., max_length=MAX_TEXT_CHARS)
    top: int = Field(3, ge=1, le=100)


class FeedbackIn(BaseModel):
    text: str = Field(..., max_length=MAX_TEXT_CHARS)
    themes: list[str] = Field(default_factory=list, max_length=100)
    child_authored: bool  # required: a missing flag must not be stored as "not a child"
    suggested_themes: list[str] | None = Field(None, max_length=100)
    suggested_child_authored: bool | None = None


def _local_name(host_header: str) -> bool:
    """The Host header names this machine: localhost, 127.x.x.x or [::1], with or without a port."""
    host = host_header.strip().lower()
    name = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:  # a name, not an address ("127.0.0.1.evil.example" included)
        return False


def page_html() -> str:
    return (resources.files("classifier") / "serve" / "page.html").read_text(encoding="utf-8")


def create_app(model: ComplaintModel, store: FeedbackStore, token: str | None = None):
    app = FastAPI(title="complaint-themes intake", docs_url=None, redoc_url=None, openapi_url=None)
    lock = threading.Lock()
    html = page_html()
    labels = set(model.taxonomy.ids)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if token is None and not _local_name(request.headers.get("host", "")):
            # Without a token the page is for this machine only. A site whose name is re-pointed at
            # 127.0.0.1 ("DNS rebinding") sends its own name as Host: refusing it keeps that site out.
            return JSONResponse(
                {"error": "without a token this service answers only to localhost or 127.0.0.1"}, status_code=403
            )
        if token is not None:
            given = request.headers.get("x-complaints-token") or request.query_params.get("token") or ""
            auth = request.headers.get("authorization", "")
            if auth.lower().startswith("bearer "):
                given = auth[7:].strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                return JSONResponse(
                    {"error": "a valid token is required (Authorization: Bearer TOKEN)"}, status_code=401
                )
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        # FastAPI's default answer echoes the body (complaint text included): say what is wrong, not what was sent.
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        return JSONResponse({"error": validation_headline(exc.errors()), "problems": problems[:10]}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        # One error shape for every answer ({"error": ...}); a body that is not UTF-8 is the usual 400.
        said = str(exc.detail)
        if exc.status_code == 400 and "parsing the body" in said:
            said = "the request body could not be read: send JSON encoded as UTF-8"
        return JSONResponse({"error": said}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(ComplaintThemesError)
    async def library_error(request: Request, exc: ComplaintThemesError):
        return JSONResponse({"error": str(exc), "code": exc.code}, status_code=400)

    @app.get("/", response_class=HTMLResponse)
    def index():
        return HTMLResponse(html)

    @app.get("/api/health")
    def health():
        return {"status": "ok", "model_version": model.version}

    @app.get("/api/themes")
    def themes():
        tax = model.taxonomy
        return {
            "taxonomy": {"id": tax.id, "version": tax.version},
            "themes": [
                {"id": t.id, "label": t.label, "description": t.description} for t in tax.themes if t.id in tax.leaf_ids
            ],
        }

    @app.post("/api/suggest")
    def suggest(body: SuggestIn):
        why = unlabelled_reason(body.text)
        if why:
            return JSONResponse({"error": UNLABELLED_MESSAGES[why]}, status_code=422)
        with lock:
            return suggestion(model, body.text, body.top)

    @app.post("/api/feedback")
    def feedback(body: FeedbackIn):
        # Labels ("Poor Communication") or ids, as every command takes them.
        themes = resolve_theme_names([body.themes], model.taxonomy)[0]
        given = resolve_theme_names([body.suggested_themes or []], model.taxonomy)[0]
        unknown = [t for t in themes + given if t not in labels]
        if unknown:
            return JSONResponse(
                {
                    "error": f"unknown themes: {', '.join(shown_value(u) for u in unknown[:5])}; GET /api/themes lists them"
                },
                status_code=422,
            )
        if not body.text.strip():
            return JSONResponse({"error": "the text is empty"}, status_code=422)
        with lock:
            if body.suggested_themes is None:
                s = suggestion(model, body.text)
                suggested, suggested_child = s["suggested"], s["child_authored"]["value"]
            else:
                suggested, suggested_child = given, body.suggested_child_authored
        decision = store.record(
            body.text, themes, body.child_authored, model.version, model.taxonomy, suggested, suggested_child
        )
        return {"stored": True, "id": decision}

    return app


def check_binding(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a token.

    Parameters
    ----------
    host : str
    token : str, optional

    Raises
    ------
    ServeError
        When `host` is not local and no token is given.
    """
    local = _local_name(host)
    if not local and not token:
        raise ServeError(
            f"binding to {host} makes the page reachable from other machines; pass --token or set "
            f"{TOKEN_ENV} (every request must then carry it), or use --host 127.0.0.1"
        )
    if not local and token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ServeError(
            f"a token of {len(token)} characters is easily guessed; use at least {MIN_TOKEN_CHARS} "
            '(e.g. python -c "import secrets; print(secrets.token_urlsafe(24))")'
        )


def run(
    model: ComplaintModel,
    host: str = "127.0.0.1",
    port: int = 8000,
    feedback: str | Path = "feedback.sqlite",
    token: str | None = None,
) -> None:
    """Serve the intake page and JSON API until stopped (Ctrl+C).

    Parameters
    ----------
    model : ComplaintModel
    host : str
        Address to listen on; any but this machine needs `token`.
    port : int
    feedback : str or Path
        SQLite file for the officers' decisions.
    token : str, optional
        Every request must carry it (`Authorization: Bearer TOKEN`).
    """
    import uvicorn

    check_binding(host, token)
    store = FeedbackStore(feedback)
    suggestion(model, "warm up: my social worker never calls back")  # load lazy parts before serving
    uvicorn.run(create_app(model, store, token), host=host, port=port, access_log=False, log_level="warning")
