"""Two browsers, one live feed: a dispatcher's console and a crew's phone.

Dispatch → the order rings on the phone → 收到 → the crew moves (browser geolocation) → reports
with a photo → the dispatcher closes; the console and the one map show every step as it happens,
with no polling. Then a one-key call and its acknowledgement."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import log_in, shot

pytestmark = pytest.mark.browser
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
CALL_JS = """async () => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch('/api/incidents', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
    body: JSON.stringify({category_code: '0201', caller_phone: '13811112222', address_text: '雷锋纪念馆前坪',
      lat: 28.2318, lon: 112.8262, description: '前坪有人争吵'})});
  return (await response.json()).id;
}"""


def test_dispatch_to_close_live_in_two_contexts(live_server: str, chromium: Any) -> None:
    room = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    phone = chromium.new_context(
        viewport={"width": 412, "height": 860},
        locale="zh-CN",
        has_touch=True,
        geolocation={"latitude": 28.2290, "longitude": 112.8240},
        permissions=["geolocation"],
    )
    console = room.new_page()
    errors: list[str] = []
    console.on("pageerror", lambda exc: errors.append(f"console: {exc}"))
    log_in(console, live_server, "dispatcher")
    console.wait_for_selector(".live-state[data-state=live]")
    crew = phone.new_page()
    crew.on("pageerror", lambda exc: errors.append(f"terminal: {exc}"))
    log_in(crew, live_server, "crew1")
    crew.wait_for_selector(".live-state[data-state=live]")
    # count the console's HTTP requests from here: steps must arrive by the feed, not by polling
    requests: list[str] = []
    console.on("request", lambda r: requests.append(r.url))

    incident_id = console.evaluate(CALL_JS)
    console.wait_for_selector(f".q-item[data-id='{incident_id}']")
    console.click(f".q-item[data-id='{incident_id}']")
    console.wait_for_selector(".rec")
    console.wait_for_selector("#camera-list li")
    console.click("#camera-list li")
    console.click(".rec:has-text('1号巡逻车')")
    console.click("#dispatch-btn")

    crew.wait_for_selector(".big-ack", timeout=15000)
    shot(crew, "live-terminal-order")
    crew.click(".big-ack")
    console.wait_for_function(
        "() => document.querySelector('#timeline').innerText.includes('1号巡逻车收到')",
        timeout=15000,
    )
    crew.click(".strip button:has-text('出发'):not([disabled])")
    console.wait_for_function(
        "() => document.querySelector('#timeline').innerText.includes('出发')", timeout=15000
    )
    # the crew's phone reports where it is; the console's unit list shows a fresh fix
    crew.click("#gps-toggle")
    crew.wait_for_selector("#gps-state:has-text('已上报')", timeout=15000)
    console.wait_for_function(
        "() => [...document.querySelectorAll('#unit-list li')].some((li) => li.innerText.includes('1号巡逻车') && li.innerText.includes('0:0'))",
        timeout=15000,
    )
    crew.click(".strip button:has-text('到场'):not([disabled])")
    crew.wait_for_selector("textarea", timeout=10000)
    crew.fill("textarea", "双方已劝离，人流平稳，报告完毕")
    crew.set_input_files(
        "input[type=file]", files=[{"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    shot(crew, "live-terminal-report")
    crew.click(".strip button:has-text('报告完毕'):not([disabled])")
    crew.wait_for_selector("text=暂无指令", timeout=15000)
    console.wait_for_function(
        "() => document.querySelector('#timeline').innerText.includes('报告完毕')", timeout=15000
    )
    shot(console, "live-console-reported")
    assert "m" in console.inner_text("#camera-list")  # cameras near the incident, with distances
    photos = console.evaluate(
        f"async () => (await (await fetch('/api/incidents/{incident_id}/attachments')).json()).length"
    )
    assert photos == 1
    console.wait_for_selector("#detail .photos img")
    console.click("#close-btn")
    console.wait_for_selector("text=已结警")
    console.wait_for_function(
        f"() => !document.querySelector(\".q-item[data-id='{incident_id}']\")", timeout=10000
    )
    polled = [u for u in requests if "/api/units" in u and "route" not in u]
    assert len(polled) < 10, f"the console polled: {polled}"

    # 一键呼: call the crew's unit; its acknowledgement shows on the console live
    console.keyboard.press("c")
    console.select_option("#c-scope", "unit")
    console.select_option("#c-unit", label="1号巡逻车（空闲）")
    console.fill("#c-message", "1号车请到纪念馆前坪加强巡逻")
    console.click("#call-form button[value=call]")
    crew.wait_for_selector(".call-card", timeout=15000)
    crew.click(".call-card .big-ack")
    console.wait_for_selector(".target.acked:has-text('1号巡逻车')", timeout=15000)
    shot(console, "live-console-call")

    wall = room.new_page()
    wall.goto(f"{live_server}/map")
    wall.wait_for_selector(".unit-icon", timeout=15000)
    shot(wall, "live-map")
    assert errors == []
    room.close()
    phone.close()


ROUND_JS = """async () => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const cameras = await (await fetch('/api/places/cameras')).json();
  const response = await fetch('/api/video/rounds', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
    body: JSON.stringify({seat_code: 'video', name: '纪念馆前坪巡查', camera_ids: cameras.slice(0, 3).map((c) => c.id), every_minutes: 30})});
  return response.status;
}"""


def test_duty_room_round_finding_and_site_report(live_server: str, chromium: Any) -> None:
    room = chromium.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    page = room.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server, "dispatcher")
    page.goto(f"{live_server}/room")
    assert page.evaluate(ROUND_JS) == 201
    page.reload()
    page.wait_for_selector(".cam-row")
    page.fill(".cam-row input >> nth=0", "前坪有人员聚集")
    page.click(".cam-row button >> nth=0")
    page.wait_for_selector("#findings li:has-text('前坪有人员聚集')")
    page.click("#sites tr:has-text('雷锋纪念馆前坪') button")
    page.wait_for_selector("text=已上报")
    shot(page, "duty-room")
    page.click("#findings li button:has-text('转警情')")
    page.wait_for_url("**/incidents/*")
    assert "前坪有人员聚集" in page.inner_text("body")
    assert errors == []
    room.close()
