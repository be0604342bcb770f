"""Every HTTP route of the app, with the permissions its ``require(...)`` dependencies demand.

Generic over the app: routes added later by any domain are found here without a table to edit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from starlette.responses import StreamingResponse

from jingwu.identity.roles import Permission, Role, can

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    permissions: frozenset[Permission]
    in_schema: bool
    streams: bool = False  # an endless response (SSE): a test client cannot read it to the end

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def allows(self, role: Role | str) -> bool:
        return all(can(role, permission) for permission in self.permissions)

    def url(self, value: str = "1") -> str:
        return re.sub(r"\{[^}]+\}", value, self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _walk(routes: Iterable[Any]) -> Iterator[Any]:
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:  # an included router (FastAPI ≥ 0.16x keeps them nested)
            yield from contexts()
        elif hasattr(route, "routes") and not hasattr(route, "dependant"):
            yield from _walk(route.routes)
        else:
            yield route


def _required(dependant: Any, found: set[Permission]) -> set[Permission]:
    # require(P) and its kin are closures over the Permission they check
    for cell in getattr(dependant.call, "__closure__", None) or ():
        if isinstance(cell.cell_contents, Permission):
            found.add(cell.cell_contents)
    for sub in dependant.dependencies:
        _required(sub, found)
    return found


def http_routes(app: Any) -> list[RouteInfo]:
    """Every (method, path) the app answers, HEAD left out; websockets and mounts skipped."""
    found: list[RouteInfo] = []
    for route in _walk(app.routes):
        dependant = getattr(route, "dependant", None)
        methods = getattr(route, "methods", None)
        if dependant is None or not methods:
            continue
        permissions = frozenset(_required(dependant, set()))
        response_class = getattr(route, "response_class", None)
        streams = isinstance(response_class, type) and issubclass(response_class, StreamingResponse)
        for method in sorted(set(methods) - {"HEAD"}):
            found.append(
                RouteInfo(
                    method=method,
                    path=route.path,
                    permissions=permissions,
                    in_schema=bool(getattr(route, "include_in_schema", True)),
                    streams=streams,
                )
            )
    return found
