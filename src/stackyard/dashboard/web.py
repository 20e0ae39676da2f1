"""The machinery every dashboard page shares: templates, sessions, errors, headers.

A page is a plain function `(Page) -> Response` run in the threadpool (the store
is synchronous). `Pages.add` wraps it: it resolves the session (or redirects to
/login), checks CSRF and Origin on POSTs, turns the store's errors into error
pages, renews the session cookie and sets the security headers. Handlers never
see a request without a signed-in user.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from stackyard.dashboard import session
from stackyard.dashboard.session import LoginRequired, Viewer
from stackyard.exceptions import (
    AuthorizationError,
    EntityNotFoundError,
    IllegalOperationError,
    InputError,
    StackyardError,
)
from stackyard.server.context import ServerContext
from stackyard.store.sql.store import SqlStore

logger = logging.getLogger("stackyard.dashboard")
HERE = Path(__file__).parent
STATIC = HERE / "static"
# No inline script or style anywhere: a value that slips through escaping still cannot run.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
LIVE_STATUSES = frozenset({"initializing", "running"})
FRAGMENT_HEADER = "x-dashboard-fragment"
FAILURE = "something went wrong on the server while making this page; its log has the details"


def _when(value: datetime | None) -> Markup:
    if value is None:
        return Markup('<span class="muted">—</span>')
    value = value.astimezone(UTC)
    # both strings come from a datetime: nothing in them needs escaping
    return Markup(f'<time datetime="{value.isoformat()}">{value:%Y-%m-%d %H:%M:%S} UTC</time>')


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None:
        return None
    stop = end or datetime.now(UTC)
    return max(0.0, (stop - start).total_seconds())


def _status(value: Any) -> Markup:
    text = escape(str(getattr(value, "value", value) or "unknown"))
    return Markup(f'<span class="status s-{text}"><span class="dot"></span>{text}</span>')


def _as_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def _short(value: Any) -> str:
    return str(value)[:8]


# pages that belong to another section of the navigation than their path says
_SECTIONS = {"/artifact-versions": "/artifacts", "/run-steps": "/runs", "/compare": "/runs"}


def section_of(path: str) -> str:
    """The navigation entry a page belongs to: `/runs/<id>` is under Runs."""
    head = "/" + path.strip("/").split("/", 1)[0]
    return _SECTIONS.get(head, head)


def _static_files() -> dict[str, tuple[bytes, str]]:
    types = {
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".ico": "image/x-icon",
    }
    return {
        p.name: (p.read_bytes(), types.get(p.suffix, "application/octet-stream"))
        for p in sorted(STATIC.iterdir())
        if p.is_file()
    }


@dataclass
class Page:
    """One request as a handler sees it: who asks, what they sent, and how to answer."""

    request: Request
    viewer: Viewer
    ctx: ServerContext
    form: dict[str, list[str]] = field(default_factory=dict)
    pages: Pages | None = None

    @property
    def store(self) -> SqlStore:
        return self.viewer.store

    @property
    def fragment(self) -> str | None:
        """Set when the page's script asks for a part of the page (live updates)."""
        return self.request.headers.get(FRAGMENT_HEADER)

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default).strip()

    def page_number(self) -> int:
        """`?page=` of a paged list (1 when not given)."""
        text = self.query("page")
        try:
            return max(1, int(text or 1))
        except ValueError:
            raise InputError(f"page {text!r} is not a whole number") from None

    def field(self, name: str, default: str = "") -> str:
        values = self.form.get(name)
        return values[0] if values else default

    def render(self, template_name: str, status: int = 200, /, **values: Any) -> HTMLResponse:
        assert self.pages is not None
        return self.pages.render(self.request, template_name, status, viewer=self.viewer, **values)


Handler = Callable[[Page], Response]
Endpoint = Callable[[Request], Awaitable[Response]]


class Pages:
    """The dashboard's templates, static files and route wrapper, for one app."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates ship with the package: no stat() per render
        )
        self.static = _static_files()
        self.asset_version = hashlib.sha256(
            b"".join(body for body, _ in self.static.values())
        ).hexdigest()[:12]
        self.env.filters.update(
            when=_when, status=_status, duration=duration_text, as_json=_as_json, short=_short
        )
        self.env.globals.update(
            asset=lambda name: f"/static/{name}?v={self.asset_version}",
            seconds_between=seconds_between,
            live_statuses=LIVE_STATUSES,
            with_query=with_query,
            section_of=section_of,
        )

    def render(
        self, request: Request, template_name: str, status: int = 200, /, **values: Any
    ) -> HTMLResponse:
        values.setdefault("viewer", None)
        values.setdefault("path", request.url.path)
        body = self.env.get_template(template_name).render(**values)
        return HTMLResponse(body, status_code=status)

    def error(self, request: Request, viewer: Viewer | None, status: int, message: str) -> Response:
        titles = {
            400: "Bad request",
            403: "Not allowed",
            404: "Not found",
            409: "Refused",
            429: "Too many requests",
            500: "Server error",
            503: "Unavailable",
        }
        return self.render(
            request,
            "error.html",
            status,
            viewer=viewer,
            title=titles.get(status, "Error"),
            message=message,
        )

    def failure(self, request: Request) -> Response:
        """The page for a failure nobody foresaw: HTML, as the browser asked for a page
        (the API's JSON error body means nothing there); the details go to the log."""
        try:
            return self.error(request, None, 500, FAILURE)
        except Exception:  # the templates themselves are broken: plain HTML still answers
            body = f"<!doctype html><title>Server error</title><h1>Server error</h1><p>{FAILURE}"
            return HTMLResponse(body, status_code=500)

    def guard(self, endpoint: Endpoint) -> Endpoint:
        """`endpoint`, answering an unexpected exception with `failure` instead of the
        app's JSON 500 (which also dropped the kept-alive connection)."""

        async def guarded(request: Request) -> Response:
            try:
                return await endpoint(request)
            except Exception:
                logger.exception("dashboard page %s %s failed", request.method, request.url.path)
                return secured(self.failure(request))

        return guarded

    def wrap(self, handler: Handler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            form: dict[str, list[str]] = {}
            if request.method == "POST":
                body = await request.body()
                form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            started = time.perf_counter()
            response = await run_in_threadpool(self._serve, handler, request, form)
            # the page's own cost (reads and rendering), for browsers' dev tools and benchmarks
            spent = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"page;dur={spent:.1f}"
            return secured(response)

        return self.guard(endpoint)

    def _serve(self, handler: Handler, request: Request, form: dict[str, list[str]]) -> Response:
        try:
            viewer = session.viewer(request, self.ctx)
        except LoginRequired:
            if request.headers.get(FRAGMENT_HEADER):
                return Response("session ended", status_code=401)
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
        page = Page(request, viewer, self.ctx, form, self)
        try:
            if request.method == "POST":
                session.check_origin(request)
                session.check_csrf(viewer.csrf, page.field("csrf") or None)
            response = handler(page)
        except EntityNotFoundError as exc:
            response = self.error(request, viewer, 404, exc.message)
        except InputError as exc:
            response = self.error(request, viewer, 400, exc.message)
        except AuthorizationError as exc:
            response = self.error(request, viewer, 403, exc.message)
        except (IllegalOperationError, StackyardError) as exc:
            if exc.status_code >= 500:  # the store is down, say: our message, logged
                logger.error("%s on %s: %s", type(exc).__name__, request.url.path, exc.message)
            response = self.error(request, viewer, exc.status_code, exc.message)
        if viewer.renewed_token is not None:
            session.set_session(response, request, viewer.renewed_token, self.ctx.auth.ttl)
        return response

    def static_endpoint(self, name: str | None = None) -> Callable[[Request], Any]:
        """Serves `/static/<name>`, or always the file `name` (`/favicon.ico`, which
        browsers ask for by that path)."""

        async def serve_static(request: Request) -> Response:
            found = self.static.get(name or request.path_params["name"])
            if found is None:
                return Response("no such file", status_code=404, media_type="text/plain")
            body, media_type = found
            # versioned URLs (?v=<hash>) never change; /favicon.ico may, with a release
            cache = "public, max-age=86400" if name else "public, max-age=31536000, immutable"
            headers = {"Cache-Control": cache}
            return secured(Response(body, media_type=media_type, headers=headers))

        return serve_static


def secured(response: Response) -> Response:
    """Headers every dashboard answer carries: no framing, no sniffing, no caching of data."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cache-Control", "no-store")
    return response


def with_query(base: Mapping[str, Any], **changes: Any) -> str:
    """A query string: `base` with `changes` applied (None drops a key)."""
    merged: dict[str, Any] = {k: v for k, v in base.items() if v not in (None, "", [])}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged, doseq=True) if merged else "?"


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this server, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/runs"
    return target


__all__ = ["Page", "Pages", "duration_text", "safe_next", "seconds_between", "secured"]
