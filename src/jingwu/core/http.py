"""HTTP plumbing every router shares: the request's unit of work and the error bodies."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from jingwu.core.config import Settings
from jingwu.core.db import Database
from jingwu.core.errors import AppError

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _unit_of_work(request: Request) -> Iterator[Session]:
    """The request commits (before the response is sent), never the service."""
    database: Database = request.app.state.db
    with database.session(write=request.method not in SAFE_METHODS) as session:
        yield session


def _write_unit_of_work(request: Request) -> Iterator[Session]:
    """A unit of work that takes the write lock up front, whatever the method.

    For a GET that writes a row (an audited unmasked read): on SQLite a read transaction
    that later writes fails at once when another writer committed in between; taking the
    lock first makes it wait its turn instead.
    """
    database: Database = request.app.state.db
    with database.session(write=True) as session:
        yield session


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(_unit_of_work, scope="function")]
WriteSession = Annotated[Session, Depends(_write_unit_of_work, scope="function")]
AppSettings = Annotated[Settings, Depends(_settings)]


def error_body(code: str, message: str, **details: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors()[:20]:
        errors.append(
            {
                "field": ".".join(str(p) for p in error.get("loc", ())),
                "message": str(error.get("msg", ""))[:300],
                "type": error.get("type", ""),
            }
        )
    return errors


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        first = errors[0] if errors else {"field": "", "message": ""}
        message = f"输入有误 / invalid input: {first['field']} — {first['message']}"
        return JSONResponse(error_body("invalid_input", message, errors=errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity conflict: %s", exc.orig)
        return JSONResponse(
            error_body("conflict", "与现有记录冲突 / conflicts with an existing record"),
            status_code=409,
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(_request: Request, exc: Exception) -> JSONResponse:
        # a number (an id in the path, a count in the body) beyond what the database stores:
        # SQLite raises OverflowError on binding it, PostgreSQL a DataError on storing it
        log.info("value out of range: %s", exc)
        return JSONResponse(
            error_body("out_of_range", "数值超出范围 / a number is out of range"), status_code=422
        )

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", exc.orig)
        return JSONResponse(
            error_body("busy", "数据库繁忙，请重试 / the database is busy, retry"),
            status_code=503,
            headers={"Retry-After": "1"},
        )
