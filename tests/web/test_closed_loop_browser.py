"""In the browser: the dispatcher takes a call and dispatches; the crew acknowledges and reports;
the dispatcher closes and sees the whole timeline."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import log_in, shot

pytestmark = pytest.mark.browser


def test_one_incident_through_the_closed_loop(live_server: str, chromium: Any) -> None:
    room = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    phone = chromium.new_context(
        viewport={"width": 412, "height": 860}, locale="zh-CN", has_touch=True
    )
    console = room.new_page()
    errors: list[str] = []
    console.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(console, live_server, "dispatcher")
    assert console.url.endswith("/console")
    console.wait_for_selector("#unit-list li")

    console.keyboard.press("n")
    console.fill("#f-phone", "13812345678")
    console.fill("#f-address", "雷锋大道88号 雷锋纪念馆前坪")
    console.fill("#f-category", "0201 打架斗殴")
    console.fill("textarea[name=description]", '纪念馆前坪有人打架 (2<3) & "围观" <3')
    console.evaluate(
        "() => { document.getElementById('f-lat').value = 28.2318; document.getElementById('f-lon').value = 112.8262; }"
    )
    console.click("#intake-save")
    console.wait_for_selector(".rec")
    shot(console, "console-selected")
    detail = console.inner_text("#detail")
    assert "打架斗殴" in detail
    assert '(2<3) & "围观" <3' in detail  # shown as text, never as markup
    console.keyboard.press("d")
    console.wait_for_function(
        "() => document.querySelector('#detail').innerText.includes('已派警')"
    )

    crew = phone.new_page()
    log_in(crew, live_server, "crew1")
    assert crew.url.endswith("/terminal")
    crew.wait_for_selector(".big-ack", timeout=15000)
    shot(crew, "terminal-order")
    crew.click(".big-ack")
    for label in ["出发", "到场"]:
        crew.click(f".strip button:has-text('{label}'):not([disabled])", timeout=10000)
    crew.fill("textarea", "双方已劝离，无人受伤，报告完毕")
    crew.click(".strip button:has-text('报告完毕'):not([disabled])")
    crew.wait_for_selector("text=暂无指令", timeout=10000)

    console.wait_for_function(
        "() => document.querySelector('#detail').innerText.includes('报告完毕')", timeout=15000
    )
    console.click("#close-btn")
    console.wait_for_selector("text=已结警")
    incident_link = console.evaluate("() => location.origin")
    page = room.new_page()
    page.goto(f"{incident_link}/incidents/1")
    timeline = page.inner_text("#timeline")
    for step in ["接警", "指令", "收到", "出发", "到场", "报告完毕", "结警"]:
        assert step in timeline, timeline
    shot(page, "incident-detail")
    assert errors == []
    room.close()
    phone.close()
