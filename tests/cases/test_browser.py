"""In the browser: the steel-theft story across three screens — the case officer's case page,
the video officer's and the community officer's task lists — down to the arrest."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from jingwu.app import create_app
from jingwu.cases.demo import build_cases_demo
from jingwu.command import intake
from jingwu.command.schemas import IncidentIn
from jingwu.core.clock import to_local, utcnow
from jingwu.core.config import Settings
from jingwu.core.db import Database
from jingwu.identity.models import Officer
from jingwu.migrations import upgrade
from jingwu.sim.leifeng import build_scenario
from tests.browser import _free_port, log_in, shot
from tests.cases.cases_helpers import SITE

pytestmark = pytest.mark.browser


class _Context:
    seed = 7

    def __init__(self) -> None:
        self.now = utcnow()


@pytest.fixture
def case_server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        build_scenario(session, seed=7)
        build_cases_demo(session, _Context(), past_cases=30)
        dispatcher = session.query(Officer).filter_by(username="dispatcher").one()
        incident = intake.do_intake(
            session,
            data=IncidentIn(
                category_code="0101",
                address_text=SITE["name"],
                lat=float(SITE["lat"]),
                lon=float(SITE["lon"]),
                description="工地钢材、钢板被盗",
            ),
            officer_id=dispatcher.id,
            idempotency_key=None,
            radius_m=1.0,
            window_minutes=1,
        ).incident
        incident_id = incident.id
    settings = Settings(
        database_url=url,
        secret_key="test-secret-0123456789abcdef",
        upload_dir=str(tmp_path / "uploads"),
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, database), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", incident_id
    server.should_exit = True
    thread.join(timeout=10)
    database.dispose()


def _local(hours: float) -> str:
    return f"{to_local(utcnow() + timedelta(hours=hours)):%Y-%m-%dT%H:%M}"


def _saved(page: Any, act: Any) -> None:
    """Do the action; the page says what happened and reloads with the new state."""
    with page.expect_navigation(timeout=10000):
        act()
    page.wait_for_load_state("networkidle")


def test_steel_theft_in_the_browser(case_server: tuple[str, int], chromium: Any) -> None:
    base, incident_id = case_server
    errors: list[str] = []
    desk = chromium.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    page = desk.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base, "case")
    page.goto(f"{base}/cases")
    assert "刷单返利" in page.inner_text(".board")
    shot(page, "cases-board")

    page.click("details.new-case summary")
    page.fill("form[data-api='/api/cases'] input[name=title]", "地铁工地钢材被盗案（浏览器）")
    page.fill("form[data-api='/api/cases'] input[name=incident_id]", str(incident_id))
    page.click("form[data-api='/api/cases'] button[type=submit]")
    page.wait_for_url("**/cases/*")
    page.wait_for_selector(".clocks")
    assert "中铁五局地铁工地" in page.inner_text(".case-head")
    case_url = page.url
    for move in ["filed", "investigating"]:
        _saved(page, page.locator(f".moves button[data-move={move}]").click)
    assert page.inner_text(".case-head .status") == "侦查"

    page.click("#requests details summary")
    form = page.locator("#requests form")
    form.locator("select[name=kind]").select_option("video")
    form.locator("textarea[name=question]").fill("调取工地入口凌晨监控，查找运输车辆")
    form.locator("input[name=deadline]").fill(_local(4))
    form.locator("select[name=camera_ids]").select_option(index=[0, 1])
    form.locator("input[name=window_start]").fill(_local(-10))
    form.locator("input[name=window_end]").fill(_local(-4))
    _saved(page, form.locator("button[type=submit]").click)
    assert "视频侦查" in page.inner_text("#requests")

    video_desk = chromium.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN")
    video = video_desk.new_page()
    log_in(video, base, "video")
    video.goto(f"{base}/cases/tasks")
    task = video.locator("article.req", has_text="调取工地入口凌晨监控")
    task.locator("textarea[name=answer]").fill("02:14 无牌蓝色货车驶入，3名男子装运钢材")
    _saved(video, task.locator("button[type=submit]:has-text('提交答复')").click)
    assert video.locator("article.req", has_text="调取工地入口凌晨监控").count() == 0

    page.goto(case_url)
    for name in ["张某", "李某", "王某"]:
        page.click("#people details summary")
        people = page.locator("#people form")
        people.locator("select[name=role]").select_option("suspect")
        people.locator("input[name=name]").fill(name)
        _saved(page, people.locator("button[type=submit]").click)
    page.click("#requests details summary")
    form = page.locator("#requests form")
    form.locator("select[name=kind]").select_option("community")
    form.locator("textarea[name=question]").fill("核实出租屋具体楼栋、楼层、房号")
    form.locator("input[name=deadline]").fill(_local(2))
    form.locator("select[name=target_officer_id]").select_option(label="艾社区")
    _saved(page, form.locator("button[type=submit]").click)

    phone = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
    )
    community = phone.new_page()
    log_in(community, base, "community")
    community.goto(f"{base}/cases/tasks")
    task = community.locator("article.req", has_text="核实出租屋")
    task.locator("textarea[name=answer]").fill("房东确认3人租住")
    task.locator("input[name=building]").fill("7栋")
    task.locator("input[name=floor]").fill("3")
    task.locator("input[name=room]").fill("302")
    shot(community, "cases-community-task")
    _saved(community, task.locator("button[type=submit]").click)

    page.goto(case_url)
    assert "7栋" in page.inner_text("#requests")
    for _ in range(3):
        page.locator("[data-arrest]").first.click()
        page.fill("#arrest-dialog input[name=place]", "谢家桥社区7栋302室")
        _saved(page, lambda: page.click("#arrest-dialog button[type=submit]"))
    assert page.locator("[data-arrest]").count() == 0
    assert "done" in (page.get_attribute(".clock-tile[data-key=arrest]", "class") or "")
    assert "done" in (page.get_attribute(".clock-tile[data-key=control]", "class") or "")
    timeline = page.inner_text("#timeline")
    for words in ["接警", "视频侦查答复", "7栋", "抓获嫌疑人 王某"]:
        assert words in timeline, words
    shot(page, "cases-detail")
    page.goto(f"{case_url}?lang=en")
    assert "Six fasts" in page.content() or "Dispatch" in page.inner_text(".clocks")
    shot(page, "cases-detail-en")
    page.goto(f"{base}/cases?lang=zh")
    page.screenshot(path="/tmp/shots/cases-board-full.png", full_page=True)
    assert errors == []
