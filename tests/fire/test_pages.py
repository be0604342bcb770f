"""The watch room and the crew's phone render for the right roles, in Chinese and English."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_watch_room_and_phone(login: Any) -> None:
    watch = login("fire")
    page = watch.get("/fire")
    assert page.status_code == 200
    assert "火警与救援警情" in page.text
    assert "出早操" in page.text
    assert "灭火救援战斗（次）" in page.text
    phone = watch.get("/fire/phone")
    assert phone.status_code == 200
    assert "望城站1号水罐车" in phone.text
    assert "战备状态良好" in phone.text
    lapsed = login("fire07").get("/fire/phone")
    assert "不在战备状态" in lapsed.text
    english = watch.get("/fire?lang=en")
    assert "Fire and rescue calls" in english.text


def test_pages_refuse_other_roles(login: Any) -> None:
    crew = login("crew1")
    assert crew.get("/fire").status_code == 403
    assert login("dispatcher").get("/fire").status_code == 200
