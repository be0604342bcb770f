"""随时看 plays a real HLS stream: ffmpeg cuts a test pattern into H.264 segments, a plain HTTP
server on another loopback port serves them (as a camera's NVR would), one camera near the
incident points at it, and the dispatcher's console plays it through the vendored hls.js — the
<video> gets decoded frames and its clock moves. A camera with no stream says so instead."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from jingwu.command.video import cameras_for_point
from jingwu.core.db import Database
from jingwu.places.models import Camera
from tests.browser import log_in, shot

pytestmark = pytest.mark.browser
SCENE = (28.2318, 112.8262)  # 雷锋纪念馆前坪
CALL_JS = """async ([lat, lon]) => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch('/api/incidents', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
    body: JSON.stringify({category_code: '0201', caller_phone: '13811112222', address_text: '雷锋纪念馆前坪',
      lat, lon, description: '前坪有人争吵，请调看监控'})});
  return (await response.json()).id;
}"""


class _StreamHandler(SimpleHTTPRequestHandler):
    """Static files with the CORS header an NVR's HLS endpoint sends; quiet."""

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def hls_stream(tmp_path: Path) -> Iterator[str]:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ffmpeg missing: .ci/run installs Debian's ffmpeg")
        pytest.skip("ffmpeg is not installed: it generates the test HLS stream")
    folder = tmp_path / "hls"
    folder.mkdir()
    subprocess.run(
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", "testsrc=size=320x240:rate=10", "-t", "8", "-c:v", "libx264",
         "-pix_fmt", "yuv420p", "-g", "10", "-f", "hls", "-hls_time", "2",
         "-hls_list_size", "0", "index.m3u8"],
        cwd=folder, check=True, timeout=60,
    )  # fmt: skip
    handler = functools.partial(_StreamHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.m3u8"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _point_camera_at(database_file: Path, stream_url: str) -> tuple[str, str]:
    """The nearest camera gets the stream; returns (its name, a stream-less neighbour)."""
    database = Database(f"sqlite:///{database_file}")
    try:
        with database.session() as session:
            near = cameras_for_point(session, lat=SCENE[0], lon=SCENE[1])
            assert len(near) >= 2, "the demo has cameras around the 前坪"
            assert all(c.stream_url == "" for c in near)
            camera = session.get(Camera, near[0].id)
            assert camera is not None
            camera.stream_url = stream_url
            return near[0].name, near[1].name
    finally:
        database.dispose()


def test_console_plays_a_camera_hls_stream(
    live_server: str, chromium: Any, hls_stream: str, tmp_path: Path
) -> None:
    playing, dark = _point_camera_at(tmp_path / "live.db", hls_stream)
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    try:
        log_in(page, live_server, "dispatcher")
        incident_id = page.evaluate(CALL_JS, list(SCENE))
        page.click(f".q-item[data-id='{incident_id}']")
        page.wait_for_selector("#camera-list li")

        # a camera without a stream says so, and shows no empty player
        page.click(f"#camera-list li:has-text('{dark}')")
        page.wait_for_selector(f"#player-state:has-text('{dark}：未接入视频流')")
        assert page.is_hidden("#player")

        page.click(f"#camera-list li:has-text('{playing}')")
        page.wait_for_selector(f"#player-state:has-text('{playing} · 直播')", timeout=15000)
        page.wait_for_function(
            "() => { const v = document.getElementById('player'); "
            "return v.readyState >= 2 && v.currentTime > 1 && v.videoWidth === 320; }",
            timeout=20000,
        )
        before = page.evaluate("() => document.getElementById('player').currentTime")
        page.wait_for_function(
            f"() => document.getElementById('player').currentTime > {before} + 0.5", timeout=10000
        )
        video = page.evaluate(
            "() => { const v = document.getElementById('player'); return {ready: v.readyState, "
            "t: v.currentTime, w: v.videoWidth, h: v.videoHeight, paused: v.paused, "
            "error: v.error && v.error.code}; }"
        )
        assert video["ready"] >= 2, video
        assert (video["w"], video["h"]) == (320, 240), video
        assert video["error"] is None, video
        assert not video["paused"], video
        page.locator("#player").scroll_into_view_if_needed()
        shot(page, "hls-playing")
        assert errors == []
    finally:
        context.close()
