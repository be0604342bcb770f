"""In the browser: the community officer's phone (the neighbours' quarrel, a key-person visit),
the team leader's board, and the partner portal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import log_in, shot

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "has_touch": True}


def test_community_officer_phone_quarrel_and_visit(live_server: str, chromium: Any) -> None:
    context = chromium.new_context(**PHONE)
    context.grant_permissions([])  # no geolocation: the visit is saved without a position
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server, "community")
    assert page.url.endswith("/community")
    page.wait_for_selector("#visits .item")
    assert page.inner_text("#n-visits") != "—"
    shot(page, "community-phone-today")

    first = page.locator("#visits .item").first
    name = first.locator("strong").inner_text()
    first.locator("button").click()
    page.fill("#checkin-form textarea[name=note]", "上门见面，情绪稳定")
    page.uncheck("#checkin-form input[name=gps]")
    page.click("#checkin-form button[value=ok]")
    page.wait_for_selector(f"#toast.show:has-text('已签到：{name}')")

    page.click("button[data-open=dispute-form]")
    page.select_option("#dispute-form select[name=kind]", "邻里")
    page.select_option("#dispute-form select[name=community_id]", label="雷锋社区")
    page.fill("#dispute-form input[name=address_text]", "雷锋社区雷锋大道88号楼下")
    page.fill("#dispute-form input[name=parties]", "王先生，刘先生")
    page.fill("#dispute-form textarea[name=summary]", "王先生和刘先生因小事发生争执，剑拔弩张")
    shot(page, "community-phone-dispute-form")
    page.click("#dispute-form button[value=ok]")
    page.wait_for_selector("#toast.show:has-text('已登记纠纷')")
    card = page.locator("#disputes .item", has_text="剑拔弩张").first
    card.locator("a").click()

    page.wait_for_selector("#mediate-form")
    page.fill("#mediate-form textarea[name=notes]", "站在两人中间，细心倾听，耐心劝说")
    page.fill("#mediate-form textarea[name=agreement]", "两人握手言和")
    page.click("#mediate-form button")
    page.wait_for_selector("#d-status:has-text('已化解')")
    page.wait_for_selector("#callback-form")
    shot(page, "community-phone-dispute-resolved")
    page.fill("#callback-form textarea[name=note]", "一周后回访，两家和睦")
    page.click("#callback-form button")
    page.wait_for_selector("text=已回访")
    assert "满意" in page.inner_text("main")

    page.goto(f"{live_server}/community")
    page.click("button[data-open=lookup-form]")
    page.fill("#lookup-form input[name=text]", "雷锋社区雷锋大道")
    page.click("#lookup-go")
    page.wait_for_selector("#lookup-results li")
    shot(page, "community-phone-lookup")
    assert errors == []
    context.close()


def test_team_board_and_partner_portal(live_server: str, chromium: Any) -> None:
    desk = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = desk.new_page()
    log_in(page, live_server, "chief")
    page.goto(f"{live_server}/community/board")
    page.wait_for_selector("text=基础信息采集率与准确率")
    assert "雷锋街道办事处" in page.inner_text("main")
    shot(page, "community-board")
    desk.close()

    context = chromium.new_context(**PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server, "partner")
    assert page.url.endswith("/partner")
    page.wait_for_selector("#requests .item")
    text = page.inner_text("#requests")
    assert "雷锋公园周边乱堆乱放清理" in text
    assert "谢家桥站" not in text  # the city-management squad's request, not ours
    shot(page, "partner-portal")
    item = page.locator("#requests .item", has_text="雷锋公园").first
    item.locator("button", has_text="签收").click()
    page.wait_for_selector("#requests .item:has-text('雷锋公园'):has-text('已签收')")
    item = page.locator("#requests .item", has_text="雷锋公园").first
    item.locator("button", has_text="到场").click()
    page.wait_for_selector("#requests .item:has-text('雷锋公园'):has-text('已到场')")
    shot(page, "partner-portal-arrived")
    assert errors == []
    context.close()
