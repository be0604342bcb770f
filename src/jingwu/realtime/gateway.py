"""The live gateway: ``/ws/live`` — a snapshot (or a replay from ``last_event_id``), then events.

Protocol (JSON text frames, server → client):

* ``{"kind": "snapshot", "cursor": N, "units": [...], "incidents": [...], ...}`` on a fresh
  connection; ``{"kind": "replay", "from": N}``, the missed events, then
  ``{"kind": "replayed", "count": k}`` when the client sends ``?last_event_id=N`` (a gap larger
  than :data:`REPLAY_LIMIT` gets a snapshot instead);
* ``{"kind": "event", "id": …, "type": …, "at": …, "payload": {…}}`` for each event.

Ids mostly rise, but not strictly: on PostgreSQL an outbox id is taken from a sequence at insert,
so a transaction holding a lower id may commit after one holding a higher id. Clients therefore
drop duplicates by id (not "anything below the last id"), and a replay starts
:data:`REPLAY_OVERLAP` ids before the client's last id, so such late events are not lost.
* ``{"kind": "pong"}`` answering a client's ``{"kind": "ping"}``.

The client keeps the id of the last event it handled and reconnects with it: it misses nothing,
because the outbox is the record and replay reads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, FastAPI, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from jingwu.core.config import Settings
from jingwu.core.db import Database
from jingwu.core.errors import Unauthorized
from jingwu.core.events import Envelope, EventBus, events_since
from jingwu.identity import service as identity_service
from jingwu.identity.deps import SESSION_COOKIE
from jingwu.identity.models import Officer
from jingwu.realtime.broker import Fanout, make_fanout
from jingwu.realtime.hub import EventFilter, Listener, LiveHub, frame
from jingwu.realtime.snapshot import audience, build_snapshot, current_cursor

log = logging.getLogger(__name__)
REPLAY_LIMIT = 20_000
REPLAY_PAGE = 1000
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013
REPLAY_OVERLAP = 256
SSE_KEEPALIVE_S = 15.0

router = APIRouter(tags=["realtime 实时"])


class LiveGateway:
    """The hub, its fan-out, and their start/stop; one per app (``app.state.live``)."""

    def __init__(self, database: Database, settings: Settings, bus: EventBus) -> None:
        self.database = database
        self.settings = settings
        self.hub = LiveHub()
        self.fanout: Fanout = make_fanout(self.hub, settings.event_bus)
        bus.subscribe(self.fanout.publish)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.hub.bind(asyncio.get_running_loop())
        self.hub.high_water = await run_in_threadpool(self._cursor)
        self._task = asyncio.create_task(self.fanout.run(self.catch_up), name="live-fanout")

    async def stop(self) -> None:
        self.hub.close_all()
        await self.fanout.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    def _cursor(self) -> int:
        with self.database.session(write=False) as session:
            return current_cursor(session)

    def _since(self, last_id: int) -> list[Envelope]:
        with self.database.session(write=False) as session:
            return events_since(session, last_id, limit=REPLAY_PAGE)

    async def catch_up(self) -> None:
        """After a broker (re)connect: deliver what was committed while we were not listening."""
        cursor = max(0, self.hub.high_water - REPLAY_OVERLAP)  # the hub drops what it has seen
        while True:
            missed = await run_in_threadpool(self._since, cursor)
            for envelope in missed:
                self.hub.deliver(envelope)
                cursor = envelope.id
            if len(missed) < REPLAY_PAGE:
                return


def _origin_ok(websocket: WebSocket) -> bool:
    """Refuse cross-site pages riding on the officer's cookie."""
    origin = websocket.headers.get("origin")
    if not origin:
        return True
    host = websocket.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def _who(database: Database, *, cookie: str, bearer: str) -> tuple[Officer, EventFilter] | None:
    with database.session(write=False) as session:
        officer: Officer | None = None
        if bearer:
            officer = identity_service.resolve_token(session, token=bearer)
        elif cookie:
            browser = identity_service.resolve_session(session, cookie=cookie)
            if browser is not None:
                officer = identity_service.get_officer(session, officer_id=browser.officer_id)
        if officer is None:
            return None
        return officer, audience(session, officer=officer)


def _snapshot(database: Database, settings: Settings, officer: Officer) -> dict[str, Any]:
    with database.session(write=False) as session:
        return build_snapshot(session, officer=officer, settings=settings)


async def _replay(
    gateway: LiveGateway, websocket: WebSocket, allows: EventFilter, last_id: int
) -> set[int] | None:
    """Send what the client missed (ids it has seen again too: it drops duplicates); the ids
    sent, or None when the gap is too large to replay."""
    latest = await run_in_threadpool(gateway._cursor)
    if latest - last_id > REPLAY_LIMIT or last_id < 0:
        return None
    await websocket.send_text(json.dumps({"kind": "replay", "from": last_id}))
    sent: set[int] = set()
    cursor = max(0, last_id - REPLAY_OVERLAP)
    while True:
        page = await run_in_threadpool(gateway._since, cursor)
        for envelope in page:
            if allows(envelope):
                await websocket.send_text(frame(envelope))
                sent.add(envelope.id)
            cursor = envelope.id
        if len(page) < REPLAY_PAGE:
            await websocket.send_text(json.dumps({"kind": "replayed", "count": len(sent)}))
            return sent


async def _pump(websocket: WebSocket, listener: Listener, already_sent: set[int]) -> None:
    while True:
        delivery = await listener.queue.get()
        if delivery is None:
            await websocket.close(code=TRY_AGAIN_LATER, reason="reconnect with last_event_id")
            return
        if delivery.id in already_sent:
            already_sent.discard(delivery.id)
            continue
        await websocket.send_text(delivery.text)


async def _listen(websocket: WebSocket) -> None:
    while True:
        raw = await websocket.receive_text()
        with contextlib.suppress(ValueError, AttributeError):
            if json.loads(raw[:1000]).get("kind") == "ping":
                await websocket.send_text('{"kind":"pong"}')


@router.websocket("/ws/live")
async def live(websocket: WebSocket, last_event_id: int | None = None, token: str = "") -> None:
    """实时推送：快照 + 事件；断线重连时带 last_event_id 补发。"""
    app: FastAPI = websocket.app
    gateway: LiveGateway = app.state.live
    if not _origin_ok(websocket):
        await websocket.close(code=POLICY_VIOLATION, reason="cross-site connection refused")
        return
    bearer = token or websocket.headers.get("authorization", "")[7:].strip()
    cookie = websocket.cookies.get(SESSION_COOKIE, "")
    who = await run_in_threadpool(_who, gateway.database, cookie=cookie, bearer=bearer)
    if who is None:
        await websocket.close(code=4401, reason="please log in")
        return
    officer, allows = who
    await websocket.accept()
    listener = gateway.hub.add(allows)
    try:
        sent = None
        if last_event_id is not None:
            sent = await _replay(gateway, websocket, allows, last_event_id)
        if sent is None:
            # events queued while the snapshot was read may repeat what it shows: harmless
            snapshot = await run_in_threadpool(
                _snapshot, gateway.database, gateway.settings, officer
            )
            await websocket.send_text(json.dumps(snapshot, ensure_ascii=False))
            sent = set()
        pump = asyncio.create_task(_pump(websocket, listener, sent))
        listen = asyncio.create_task(_listen(websocket))
        done, pending = await asyncio.wait({pump, listen}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await task
        for task in done:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                task.result()
    except WebSocketDisconnect:
        pass
    finally:
        gateway.hub.remove(listener)


def _sse(kind: str, data: str, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {data}\n\n"


async def _sse_stream(
    request: Request,
    gateway: LiveGateway,
    officer: Officer,
    listener: Listener,
    last_id: int | None,
) -> AsyncIterator[str]:
    try:
        sent: set[int] | None = None
        if last_id is not None:
            latest = await run_in_threadpool(gateway._cursor)
            if 0 <= latest - last_id <= REPLAY_LIMIT:
                sent = set()
                cursor = max(0, last_id - REPLAY_OVERLAP)
                while True:
                    page = await run_in_threadpool(gateway._since, cursor)
                    for envelope in page:
                        if listener.allows(envelope):
                            yield _sse("message", frame(envelope), envelope.id)
                            sent.add(envelope.id)
                        cursor = envelope.id
                    if len(page) < REPLAY_PAGE:
                        break
        if sent is None:
            snapshot = await run_in_threadpool(
                _snapshot, gateway.database, gateway.settings, officer
            )
            sent = set()
            yield _sse("snapshot", json.dumps(snapshot, ensure_ascii=False), snapshot["cursor"])
        while not await request.is_disconnected():
            try:
                item = await asyncio.wait_for(listener.queue.get(), SSE_KEEPALIVE_S)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if item is None:
                return
            if item.id in sent:
                sent.discard(item.id)
                continue
            yield _sse("message", item.text, item.id)
    finally:
        gateway.hub.remove(listener)


@router.get(
    "/api/live/events",
    response_class=StreamingResponse,
    response_model=None,
    summary="实时事件（SSE 备用通道）/ the live feed as server-sent events",
)
async def live_sse(
    request: Request,
    last_event_id: int | None = Query(default=None, ge=0),
    last_event_header: int | None = Header(default=None, alias="Last-Event-ID", ge=0),
) -> StreamingResponse:
    """For networks that block WebSocket: the same snapshot, events and replay over HTTP.

    EventSource sends ``Last-Event-ID`` by itself when it reconnects.
    """
    gateway: LiveGateway = request.app.state.live
    bearer = request.headers.get("authorization", "")[7:].strip()
    cookie = request.cookies.get(SESSION_COOKIE, "")
    who = await run_in_threadpool(_who, gateway.database, cookie=cookie, bearer=bearer)
    if who is None:
        raise Unauthorized("请先登录 / please log in", code="not_logged_in")
    officer, allows = who
    listener = gateway.hub.add(allows)
    last_id = last_event_header if last_event_header is not None else last_event_id
    return StreamingResponse(
        _sse_stream(request, gateway, officer, listener, last_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
