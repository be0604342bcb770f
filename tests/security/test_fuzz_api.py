"""Schemathesis against the app's own OpenAPI spec: no input, valid or not, makes a 5xx.

Every operation in the spec (routes added later are picked up), positive and negative data,
as the admin (who passes every permission check, so the handlers themselves are reached).
Bounded: ``JINGWU_FUZZ_EXAMPLES`` examples per operation and mode (default 10).
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.security.conftest import Station
from tests.security.routes import http_routes

EXAMPLES = int(os.environ.get("JINGWU_FUZZ_EXAMPLES", "10"))


def test_no_server_errors_anywhere_in_the_spec(shared_station: Station) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", shared_station.app)
    endless = {f"{r.method} {r.path}" for r in http_routes(shared_station.app) if r.streams}
    admin = shared_station.headers("admin")
    failures: dict[str, str] = {}
    operations = 0

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        if operation.label in endless:
            continue  # an SSE stream never ends under a test client
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(operation.as_strategy(generation_mode=mode))
            def probe(case: Any) -> None:
                response = case.call(headers=admin)
                label = case.operation.label
                # a station without the CAP schema file says so (503 cap_schema_missing): a
                # deliberate "not configured" answer, not a crash
                failed = response.status_code >= 500
                deliberate = failed and b"cap_schema_missing" in response.content
                if failed and not deliberate and label not in failures:
                    failures[label] = (
                        f"{response.status_code} path={case.path_parameters} "
                        f"query={case.query} body={str(case.body)[:200]}: {response.text[:300]}"
                    )

            with contextlib.suppress(Unsatisfiable):  # nothing to make invalid: no parameters
                probe()
    assert operations > 100
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
