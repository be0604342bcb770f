"""The composition root: settings, database, event bus, routers, pages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from jingwu.analytics.router import router as analytics_router
from jingwu.cases import service as cases_service
from jingwu.cases.router import router as cases_router
from jingwu.command import calls as command_calls
from jingwu.command import queries as command_queries
from jingwu.command.coverage import router as coverage_router
from jingwu.command.room_router import router as room_router
from jingwu.command.router import router as command_router
from jingwu.community import disputes as community_disputes
from jingwu.community import whistle as community_whistle
from jingwu.community.router import partner_router
from jingwu.community.router import router as community_router
from jingwu.core.config import Settings, get_settings
from jingwu.core.db import Database
from jingwu.core.events import EventBus
from jingwu.core.http import install_error_handlers
from jingwu.core.middleware import BodyLimit, LoginRateLimit, SecurityHeaders
from jingwu.fire.router import router as fire_router
from jingwu.identity.router import router as identity_router
from jingwu.places.road_router import router as roads_router
from jingwu.places.router import router as places_router
from jingwu.realtime.gateway import LiveGateway
from jingwu.realtime.gateway import router as live_router
from jingwu.sim import live as live_sim
from jingwu.sim.router import router as sim_router
from jingwu.units.batching import PositionBatcher
from jingwu.units.mqtt import MqttIngest
from jingwu.units.router import router as units_router
from jingwu.web.analytics_pages import router as analytics_pages_router
from jingwu.web.case_pages import router as case_pages_router
from jingwu.web.community_pages import router as community_pages_router
from jingwu.web.drill_pages import router as drill_pages_router
from jingwu.web.fire_pages import router as fire_pages_router
from jingwu.web.pages import router as pages_router

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
ALERT_SCAN_SECONDS = 5.0


def _scan_overdue(database: Database, ack_limit_s: int) -> int:
    with database.session() as session:
        return command_queries.do_raise_overdue_alerts(session, ack_limit_s=ack_limit_s)


def _escalate_calls(database: Database) -> int:
    with database.session() as session:
        return command_calls.do_escalate_overdue(session)


def _scan_case_requests(database: Database) -> int:
    with database.session() as session:
        return cases_service.do_raise_overdue_request_alerts(session)


def _escalate_whistles(database: Database) -> int:
    with database.session() as session:
        return community_whistle.do_escalate_overdue(session)


async def _watch_overdue(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    while True:
        await asyncio.sleep(ALERT_SCAN_SECONDS)
        try:
            await run_in_threadpool(_scan_overdue, app.state.db, settings.ack_limit_seconds)
            await run_in_threadpool(_scan_case_requests, app.state.db)
            await run_in_threadpool(_escalate_calls, app.state.db)
            await run_in_threadpool(_escalate_whistles, app.state.db)
        except Exception:
            log.exception("overdue scan failed")


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.bus.start()
    app.state.positions = PositionBatcher(app.state.db)  # group commit for position reports
    app.state.positions.start()
    watcher = asyncio.create_task(_watch_overdue(app))
    live: LiveGateway = app.state.live
    await live.start()
    settings: Settings = app.state.settings
    mqtt_task = None
    if settings.mqtt_url:
        app.state.mqtt = MqttIngest(app.state.db, settings.mqtt_url, settings.mqtt_topic_prefix)
        mqtt_task = asyncio.create_task(app.state.mqtt.run(), name="mqtt-ingest")
    simulator = live_sim.start_from_env(app.state.db)  # only under `jingwu demo`
    try:
        yield
    finally:
        if simulator is not None:
            await run_in_threadpool(simulator.stop)
        if mqtt_task is not None:
            mqtt_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await mqtt_task
        await run_in_threadpool(app.state.positions.stop)
        await live.stop()
        app.state.bus.stop()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = database or Database(settings.database_url)
    app = FastAPI(
        title="jingwu 警务 — 两队一室",
        version="0.1.0",
        description=(
            "The station's API: identity, jurisdiction, units, incidents and the closed loop. "
            "Errors are `{error: {code, message, details}}`; writes commit before the response."
        ),
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.db = database
    bus = EventBus(database)
    bus.watch()
    bus.subscribe(community_disputes.incident_subscriber(database))
    app.state.bus = bus
    app.state.live = LiveGateway(database, settings, bus)
    install_error_handlers(app)
    for router in (
        identity_router,
        places_router,
        roads_router,
        units_router,
        command_router,
        cases_router,
        case_pages_router,
        analytics_router,
        analytics_pages_router,
        coverage_router,
        room_router,
        live_router,
        fire_router,
        sim_router,
        drill_pages_router,
        pages_router,
        fire_pages_router,
        community_router,
        partner_router,
        community_pages_router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(LoginRateLimit, per_minute=settings.login_failures_per_minute)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)  # outermost: on every response, refusals included
    return app
