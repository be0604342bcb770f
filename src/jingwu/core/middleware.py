"""ASGI middleware: a cap on request bodies, the security headers on every response, and a
per-address limit on failed logins."""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1 * 1024 * 1024
MAX_UPLOAD_BYTES = 12 * 1024 * 1024
UPLOAD_PREFIXES = ("/api/uploads", "/api/attachments")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: blob: http: https:; "
        b"media-src 'self' blob: http: https:; style-src 'self' 'unsafe-inline'; "
        # connect-src http(s): hls.js fetches a camera's playlist and segments from its NVR
        b"script-src 'self'; connect-src 'self' ws: wss: http: https:; frame-ancestors 'none'",
    ),
]


class _BodyTooLargeError(Exception):
    pass


def _too_large_body(limit: int) -> bytes:
    message = f"请求体过大（上限 {limit // 1024} KB）/ request body too large"
    return json.dumps(
        {"error": {"code": "too_large", "message": message, "details": {"limit": limit}}},
        ensure_ascii=False,
    ).encode()


class BodyLimit:
    """Refuse bodies over the limit with 413 before any of them reaches a handler."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = MAX_UPLOAD_BYTES if path.startswith(UPLOAD_PREFIXES) else MAX_BODY_BYTES
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLargeError
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracking_send)
        except _BodyTooLargeError:
            if not started:
                await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        body = _too_large_body(limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)


LOGIN_PATHS = frozenset({"/api/auth/login", "/login"})
WINDOW_SECONDS = 60.0
MAX_TRACKED_ADDRESSES = 10_000


class LoginRateLimit:
    """Per-address cap on failed logins: after ``per_minute`` refusals within a minute, every login
    attempt from that address gets 429 with Retry-After until the oldest failure ages out.

    Successful logins are not counted (a station behind one NAT, or the demo's simulated crews,
    may log in many officers at once); the per-account lockout in identity.service still stands.
    In-process: with several workers each keeps its own count, so an attacker gets at most
    ``workers × per_minute`` guesses a minute. The address is the socket peer (X-Forwarded-For
    is not trusted).
    """

    def __init__(self, app: ASGIApp, per_minute: int = 20) -> None:
        self.app = app
        self.per_minute = per_minute
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float] | None:
        failures = self._failures.get(address)
        if failures is None:
            return None
        while failures and failures[0] <= now - WINDOW_SECONDS:
            failures.popleft()
        if not failures:
            del self._failures[address]
            return None
        return failures

    def _note_failure(self, address: str, now: float) -> None:
        with self._lock:
            if address not in self._failures and len(self._failures) >= MAX_TRACKED_ADDRESSES:
                for stale in [a for a in self._failures if self._recent(a, now) is None][:1000]:
                    self._failures.pop(stale, None)
                if len(self._failures) >= MAX_TRACKED_ADDRESSES:
                    self._failures.pop(next(iter(self._failures)))
            self._failures.setdefault(address, deque()).append(now)

    def retry_after(self, address: str, now: float) -> int | None:
        with self._lock:
            failures = self._recent(address, now)
            if failures is None or len(failures) < self.per_minute:
                return None
            return max(1, math.ceil(failures[0] + WINDOW_SECONDS - now))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or scope.get("path") not in LOGIN_PATHS
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        wait = self.retry_after(address, time.monotonic())
        if wait is not None:
            await self._refuse(send, wait, page=scope.get("path") == "/login")
            return

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] >= 400:
                self._note_failure(address, time.monotonic())
            await send(message)

        await self.app(scope, receive, watching)

    @staticmethod
    async def _refuse(send: Send, wait: int, *, page: bool) -> None:
        message = (
            f"登录尝试过于频繁，请 {wait} 秒后再试 / too many login attempts: retry in {wait}s"
        )
        if page:  # the login form: a page a person can read, with the way back
            body = (
                '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>请稍后再试</title><p>{message}</p>"
                '<p><a href="/login">返回登录 / back to log in</a></p></html>'
            ).encode()
            kind = b"text/html; charset=utf-8"
        else:
            error = {"code": "rate_limited", "message": message, "details": {"retry_after": wait}}
            body = json.dumps({"error": error}, ensure_ascii=False).encode()
            kind = b"application/json; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", kind),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(wait).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
