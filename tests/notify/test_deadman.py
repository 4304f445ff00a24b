"""The dead-man's switch against a fake Healthchecks / Uptime Kuma: pings in order, never
blocking the caller, failures audited as warnings, the check's URL never in an event."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from atm.deadman import QUEUE_SIZE, DeadMansSwitch, flavor
from tests.fakes.healthcheck import CHECK_UUID, PUSH_TOKEN, FakeHealthcheck
from tests.fakes.http_service import Fault


@pytest.fixture
def service(healthcheck_server: FakeHealthcheck) -> FakeHealthcheck:
    return healthcheck_server


class Events:
    def __init__(self) -> None:
        self.all: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> None:
        self.all.append(dict(event))

    def named(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.all if e["event"] == name]

    def text(self) -> str:
        return json.dumps(self.all)


def test_healthchecks_gets_start_pings_fail_and_the_final_ping_in_order(
    service: FakeHealthcheck,
) -> None:
    events = Events()
    switch = DeadMansSwitch(service.ping_url, events, timeout=2)
    switch.start("session 09:30-16:00")
    switch.ping("🟢 10:00 alive")
    switch.ping("🟢 10:30 alive")
    switch.fail("⚠️ Screen black (locked screen?)")
    switch.ping("⏹️ stopped")
    switch.close()
    assert service.kinds() == ["start", "ping", "ping", "fail", "ping"]
    assert [r.text for r in service.received][3] == "⚠️ Screen black (locked screen?)"
    assert {r.request.method for r in service.received} == {"POST"}
    assert [e["kind"] for e in events.named("healthcheck_sent")] == service.kinds()
    assert CHECK_UUID not in events.text()


def test_uptime_kuma_push_gets_up_and_down(service: FakeHealthcheck) -> None:
    assert flavor(service.push_url) == "uptime_kuma" and flavor(service.ping_url) == "healthchecks"
    switch = DeadMansSwitch(service.push_url, Events(), timeout=2)
    switch.start("started")
    switch.fail("lost sight")
    switch.ping("stopped")
    switch.close()
    assert service.kinds() == ["up", "down", "up"]
    assert [r.text for r in service.received] == ["started", "lost sight", "stopped"]
    assert {r.request.method for r in service.received} == {"GET"}


def test_a_refused_service_is_a_warning_never_an_exception(dead_port: int) -> None:
    events = Events()
    url = f"http://127.0.0.1:{dead_port}/ping/{CHECK_UUID}"
    switch = DeadMansSwitch(url, events, timeout=1)
    switch.start()
    switch.ping()
    switch.close()
    failed = events.named("healthcheck_failed")
    assert [e["kind"] for e in failed] == ["start", "ping"]
    assert all("cannot connect" in e["reason"] for e in failed)
    assert CHECK_UUID not in events.text() and str(dead_port) not in events.text()


def test_an_unknown_check_is_reported_with_its_status(service: FakeHealthcheck) -> None:
    events = Events()
    switch = DeadMansSwitch(f"{service.base_url}/ping/not-this-uuid-0000", events, timeout=2)
    switch.ping()
    switch.close()
    assert events.named("healthcheck_failed")[0]["reason"] == "healthcheck: HTTP 404 not found"
    switch = DeadMansSwitch(f"{service.base_url}/api/push/WRONGTOKEN", events, timeout=2)
    switch.ping()
    switch.close()
    assert "HTTP 404" in events.named("healthcheck_failed")[1]["reason"]


def test_a_hanging_service_never_blocks_the_caller(service: FakeHealthcheck) -> None:
    service.chooser = lambda: Fault("hang", 3.0)
    events = Events()
    switch = DeadMansSwitch(service.ping_url, events, timeout=0.5)
    began = time.monotonic()
    for _ in range(QUEUE_SIZE * 3):
        switch.ping("alive")
    assert time.monotonic() - began < 0.5  # queued, not sent: the loop goes on
    assert events.named("healthcheck_dropped")  # the oldest waiting pings made room
    began = time.monotonic()
    switch.close(timeout=1.0)
    assert time.monotonic() - began < 2.0  # shutdown is bounded too
    assert any(e.get("reason") == "gave up at shutdown" for e in events.all)
    assert any("timed out" in e.get("reason", "") for e in events.named("healthcheck_failed"))


def test_a_server_error_is_a_failed_ping_and_the_next_one_goes_through(
    service: FakeHealthcheck,
) -> None:
    service.script(Fault("500"))
    events = Events()
    switch = DeadMansSwitch(service.ping_url, events, timeout=2)
    switch.ping("first")
    switch.ping("second")
    switch.close()
    assert events.named("healthcheck_failed")[0]["reason"].startswith("healthcheck: HTTP 500")
    assert [r.text for r in service.received] == ["second"]


def test_push_token_never_in_events(service: FakeHealthcheck, dead_port: int) -> None:
    events = Events()
    switch = DeadMansSwitch(f"http://127.0.0.1:{dead_port}/api/push/{PUSH_TOKEN}", events)
    switch.ping()
    switch.close()
    assert PUSH_TOKEN not in events.text() and events.named("healthcheck_failed")
