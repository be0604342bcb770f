"""In the browser: the watch room takes a flood call, sends the run card, rotates a shift and
files the report; the boat crew sees the order with its water sources on the phone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from jingwu.app import create_app
from jingwu.core.db import Database
from jingwu.fire.demo import build_fire_station
from jingwu.migrations import upgrade
from jingwu.sim.leifeng import build_scenario
from tests.browser import _free_port, log_in, shot
from tests.conftest import make_settings

pytestmark = pytest.mark.browser


@pytest.fixture
def fire_server(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'fire.db'}"
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        build_scenario(session, seed=7)
        build_fire_station(session, seed=7, history=True)
    port = _free_port()
    app = create_app(make_settings(url), database)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    database.dispose()


def test_fire_watch_room(fire_server: str, chromium: Any) -> None:
    room = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = room.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, fire_server, "fire")
    page.goto(f"{fire_server}/fire")
    page.wait_for_selector("#apparatus li")
    page.wait_for_selector("#members li")
    assert int(page.inner_text("#rec-ops").replace(",", "")) > 5000
    assert page.inner_text("#ready-members") == "9/10"
    shot(page, "fire-watch-room")

    page.click("#fire-map", position={"x": 700, "y": 200})
    page.keyboard.press("n")
    page.select_option("#c-category", "0701")
    page.select_option("#c-level", "2")
    page.fill("#c-phone", "13900002222")
    page.fill("#c-address", "雷锋湖路18号 沿河低洼处")
    page.fill("#c-description", '水深 >1米 & "十余户被困" <3')
    page.click("#call-save")
    page.wait_for_function(
        "() => document.querySelector('#fire-incidents').innerText.includes('望城站冲锋舟1')",
        timeout=10000,
    )
    page.wait_for_selector("#shift-form")
    detail = page.inner_text("#fire-detail")
    assert "洪涝二级" in detail

    page.check("#shift-form input[name=member] >> nth=0")
    page.check("#shift-form input[name=member] >> nth=1")
    page.click("#shift-form button")
    page.wait_for_selector("table.shifts td:has-text('第1班')")
    shot(page, "fire-watch-room-operation")

    phone_context = chromium.new_context(
        viewport={"width": 412, "height": 860}, locale="zh-CN", has_touch=True
    )
    phone = phone_context.new_page()
    log_in(phone, fire_server, "fire09")
    phone.goto(f"{fire_server}/fire/phone")
    phone.wait_for_selector(".big-ack", timeout=10000)
    assert "洪涝二级" in phone.inner_text("#orders")
    shot(phone, "fire-phone-order")
    phone.click(".big-ack")
    phone.wait_for_selector(".strip button:has-text('出发'):not([disabled])")

    page.fill("#report-form input[name=rescued]", "12")
    page.fill("#report-form input[name=protected]", "800000")
    page.fill("#report-form textarea", "转移群众12人")
    page.click("#report-form button")
    page.wait_for_selector("text=营救 12 人")
    assert errors == []
    phone_context.close()
    room.close()
