"""Signing in and out of the dashboard.

The form calls `Authenticator.login_password`, the very check `POST /api/v1/login`
makes, so the same users, passwords and failed-login limits apply. `stackyard up
--open` signs the local user in with a short-lived token in the URL fragment (never
sent in a request line or logged): the login page's script posts it to
`/login/token`, which trades it for a session of its own.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from stackyard.dashboard import session
from stackyard.dashboard.web import Page, Pages, safe_next, secured
from stackyard.exceptions import AuthenticationError, AuthorizationError, RateLimitError


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _form(request: Request) -> dict[str, str]:
    from urllib.parse import parse_qs

    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def _signed_in(pages: Pages, request: Request) -> bool:
    try:
        session.viewer(request, pages.ctx)
    except session.LoginRequired:
        return False
    return True


def routes(pages: Pages) -> list[tuple[str, Any, list[str]]]:
    """(path, endpoint, methods) of the sign-in pages."""
    auth = pages.ctx.auth

    def form_page(
        request: Request, status: int = 200, error: str | None = None, username: str = ""
    ) -> Response:
        token = session.login_csrf(request)
        response = pages.render(
            request,
            "login.html",
            status,
            csrf=token,
            error=error,
            username=username,
            next=safe_next(request.query_params.get("next")),
            signed_out=request.query_params.get("signed_out") == "1",
        )
        session.set_login_csrf(response, request, token)
        return response

    async def root(request: Request) -> Response:
        signed_in = await run_in_threadpool(_signed_in, pages, request)
        return secured(RedirectResponse("/runs" if signed_in else "/login", status_code=303))

    async def login_form(request: Request) -> Response:
        if await run_in_threadpool(_signed_in, pages, request):
            target = safe_next(request.query_params.get("next"))
            return secured(RedirectResponse(target, status_code=303))
        return secured(form_page(request))

    def _check_form(request: Request, form: dict[str, str]) -> None:
        session.check_origin(request)
        expected = request.cookies.get(session.LOGIN_COOKIE)
        if not expected:
            raise AuthorizationError(
                "refused: this browser sent no login cookie; allow cookies and reload the page"
            )
        session.check_csrf(expected, form.get("csrf"))

    def _signed_in_response(request: Request, token: str, target: str) -> Response:
        response = RedirectResponse(safe_next(target), status_code=303)
        session.set_session(response, request, token, auth.ttl)
        response.delete_cookie(session.LOGIN_COOKIE, path="/login")
        return response

    async def login(request: Request) -> Response:
        form = await _form(request)
        username = form.get("username", "").strip()
        try:
            _check_form(request, form)
            if not username or not form.get("password"):
                raise AuthenticationError("enter your user name and password")
            token = await run_in_threadpool(
                auth.login_password, username, form["password"], _address(request)
            )
        except RateLimitError as exc:
            return secured(form_page(request, 429, exc.message, username))
        except AuthorizationError as exc:  # wrong password, deactivated, bad form
            return secured(form_page(request, exc.status_code, exc.message, username))
        return secured(_signed_in_response(request, token, form.get("next", "")))

    async def login_with_token(request: Request) -> Response:
        form = await _form(request)

        def exchange() -> str:
            claims = auth.claims(form.get("token", ""))
            if claims.kid is not None:
                raise AuthenticationError("API key tokens cannot open a dashboard session")
            user = auth.user(claims)
            return auth.token_for(user.id)

        try:
            _check_form(request, form)
            token = await run_in_threadpool(exchange)
        except AuthorizationError as exc:
            return secured(form_page(request, exc.status_code, exc.message))
        return secured(_signed_in_response(request, token, form.get("next", "")))

    def logout_page(page: Page) -> Response:
        return page.render("logout.html", title="Log out")

    def logout(page: Page) -> Response:
        auth.logout(page.viewer.claims)
        response = RedirectResponse("/login?signed_out=1", status_code=303)
        session.clear_session(response, page.request)
        page.viewer.renewed_token = None
        return response

    return [
        ("/", pages.guard(root), ["GET"]),
        ("/login", pages.guard(login_form), ["GET"]),
        ("/login", pages.guard(login), ["POST"]),
        ("/login/token", pages.guard(login_with_token), ["POST"]),
        ("/logout", pages.wrap(logout_page), ["GET"]),
        ("/logout", pages.wrap(logout), ["POST"]),
    ]
