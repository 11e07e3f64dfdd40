"""The callback survey by phone (回访, issue 11, acceptance 2 and 4): a unit reports through
its API, the hotline rings the citizen back, and the sandbox citizen's phone
(`hotline12319 citizen answer`, a real process on the caller simulator) answers and presses
keys. Real serve, real Asterisk pair, real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
import yaml

from routing.admin.users import add_user
from routing.followup.survey_policy import DEFAULT_SURVEY_POLICY_PATH
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from tests.conftest import ROOT, HotlineProcess
from tests.integration.agents_support import admin_headers, log_everyone_out
from tools.callersim import Answerer, CallerSim, Scenario

pytestmark = pytest.mark.integration

PASSWORD = "survey test 12319"
RING_SECONDS = 6
ATTEMPTS = 3


def fresh_mobile() -> str:
    # Asterisk and the database outlive a run: each test rings a number of its own.
    return f"139{random.randint(0, 99_999_999):08d}"


@pytest.fixture(scope="module")
def survey_serve(
    hotline: HotlineProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HotlineProcess]:
    """serve with no survey delay, calls at any hour, short rings and immediate retries."""
    folder = tmp_path_factory.mktemp("survey")
    policy = yaml.safe_load(DEFAULT_SURVEY_POLICY_PATH.read_text(encoding="utf-8"))
    policy.update(ring_seconds=RING_SECONDS, attempts=ATTEMPTS, retry_gap_minutes=0)
    (folder / "policy.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), "utf-8")
    hotline.kill(signal.SIGTERM)
    mine = HotlineProcess(hotline.settings, folder / "serve.log", {
        "HOTLINE_SURVEY_DELAY_SECONDS": "0", "HOTLINE_SURVEY_HOURS": "00:00-24:00",
        "HOTLINE_SURVEY_POLICY_FILE": str(folder / "policy.yaml"),
        "HOTLINE_SURVEY_POLL_SECONDS": "0.5", "HOTLINE_SPEECH_IN_CALLS": "false",
    })
    mine.start()
    try:
        yield mine
    finally:
        mine.kill(signal.SIGTERM)
        hotline.start()


@pytest.fixture(scope="module")
def users(survey_serve: HotlineProcess) -> None:
    async def add() -> None:
        engine = make_engine(survey_serve.settings.database_url)
        async with make_sessionmaker(engine).begin() as session:
            for user_id, role, agency in (("svstaff", Role.CENTER_STAFF, None),
                                          ("svgas", Role.AGENCY, "industry-gas")):
                await add_user(session, user_id=user_id, name=user_id, role=role,
                               agency_id=agency, password=PASSWORD, now=datetime.now(UTC))
        await engine.dispose()

    asyncio.run(add())


async def login(serve: HotlineProcess, user: str) -> aiohttp.ClientSession:
    http = aiohttp.ClientSession(base_url=serve.api_url, cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with http.post("/api/login", json={"user": user, "password": PASSWORD}) as r:
        assert r.status == 200, await r.text()
    return http


@pytest.fixture
async def staff(survey_serve: HotlineProcess, users: None) -> AsyncIterator[aiohttp.ClientSession]:
    http = await login(survey_serve, "svstaff")
    yield http
    await http.close()


@pytest.fixture
async def gas_unit(survey_serve: HotlineProcess, users: None
                   ) -> AsyncIterator[aiohttp.ClientSession]:
    http = await login(survey_serve, "svgas")
    yield http
    await http.close()


async def received_gas_order(staff: aiohttp.ClientSession, gas: aiohttp.ClientSession,
                             citizen: str) -> str:
    """A gas maintenance order, dispatched to industry-gas and signed for by the unit."""
    body = {"utility": "gas", "order_type": "maintenance", "description": "燃气表漏气，已关阀",
            "caller_number": citizen, "district": "历下区", "address": "泉城路100号"}
    async with staff.post("/api/orders", json=body) as r:
        assert r.status == 201, await r.text()
        number = str((await r.json())["number"])
    async with staff.post(f"/api/orders/{number}/events", json={"event": "dispatch"}) as r:
        assert r.status in (200, 409), await r.text()  # 409: dispatched automatically already
    await until(lambda: order_field(staff, number, "status"), "dispatched", within=20)
    async with gas.post(f"/api/agency/orders/{number}/receipt", json={}) as r:
        assert r.status == 200, await r.text()
    return number


async def report(gas: aiohttp.ClientSession, number: str, *, handled: bool = True) -> None:
    body = {"handled": handled, "reason": "已更换燃气表接头，试压正常"}
    async with gas.post(f"/api/agency/orders/{number}/result", json=body) as r:
        assert r.status == 200, await r.text()


async def order_field(http: aiohttp.ClientSession, number: str, name: str) -> Any:
    async with http.get(f"/api/orders/{number}") as r:
        assert r.status == 200, await r.text()
        return (await r.json())[name]


async def until(read: Any, want: Any, *, within: float) -> Any:
    deadline = asyncio.get_running_loop().time() + within
    seen = None
    while asyncio.get_running_loop().time() < deadline:
        seen = await read()
        if seen == want:
            return seen
        await asyncio.sleep(0.5)
    raise AssertionError(f"wanted {want!r} within {within}s, last saw {seen!r}")


class CitizenPhone:
    """`hotline12319 citizen answer` as its own process, listening before the test acts."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> CitizenPhone:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hotline12319.cli", "citizen", "answer", "--json", *self.args,
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        assert self.proc.stderr is not None
        line = await asyncio.wait_for(self.proc.stderr.readline(), 20)
        assert b"listening" in line, line
        return self

    async def heard(self, within: float) -> dict[str, Any]:
        assert self.proc is not None
        out, err = await asyncio.wait_for(self.proc.communicate(), within)
        assert self.proc.returncode == 0, err.decode()
        return dict(json.loads(out))

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


async def test_given_gas_order_handled_when_citizen_presses_1_then_closed_as_satisfied(
    staff: aiohttp.ClientSession, gas_unit: aiohttp.ClientSession
) -> None:
    citizen = fresh_mobile()
    number = await received_gas_order(staff, gas_unit, citizen)
    async with CitizenPhone("--keys", "1", "--timeout", "90") as phone:
        await report(gas_unit, number)
        heard = await phone.heard(within=100)
    assert heard["number"] == citizen and heard["caller_id"] == "12319"
    assert heard["order_number"] == number
    assert heard["answered"] and heard["keys"] == ["1"]
    assert heard["talk"] and heard["talk"][0]["seconds"] > 5  # intro, number, report, question
    assert heard["hung_up_by"] == "hotline"
    await until(lambda: order_field(staff, number, "status"), "closed", within=15)
    assert await order_field(staff, number, "satisfaction") == "satisfied"


async def test_given_citizen_presses_3_then_reopened_with_the_unit(
    staff: aiohttp.ClientSession, gas_unit: aiohttp.ClientSession
) -> None:
    citizen = fresh_mobile()
    number = await received_gas_order(staff, gas_unit, citizen)
    async with CitizenPhone("--keys", "3", "--timeout", "90") as phone:
        await report(gas_unit, number)
        heard = await phone.heard(within=100)
    assert heard["order_number"] == number and heard["keys"] == ["3"]
    await until(lambda: order_field(staff, number, "status"), "dispatched", within=15)
    assert await order_field(staff, number, "satisfaction") == "not_satisfied"
    assert await order_field(staff, number, "agency_id") == "industry-gas"


async def test_given_no_answer_three_times_then_on_the_manual_callback_list(
    staff: aiohttp.ClientSession, gas_unit: aiohttp.ClientSession, caller: CallerSim
) -> None:
    citizen = fresh_mobile()
    phone = caller.answerers[citizen] = Answerer(answer=False)  # rings, nobody picks up
    number = await received_gas_order(staff, gas_unit, citizen)
    await report(gas_unit, number)

    async def listed() -> bool:
        async with staff.get("/api/callbacks/manual") as r:
            assert r.status == 200, await r.text()
            return number in [c["order_number"] for c in (await r.json())["callbacks"]]

    await until(listed, True, within=ATTEMPTS * (RING_SECONDS + 10) + 20)
    assert len(phone.rung) == ATTEMPTS
    assert await order_field(staff, number, "status") == "handled"
    async with staff.get(f"/api/orders/{number}/surveys") as r:
        (survey,) = (await r.json())["surveys"]
    assert (survey["status"], survey["attempts"]) == ("manual", ATTEMPTS)


async def test_given_citizen_presses_0_then_put_through_to_an_agent_with_the_order_on_screen(
    staff: aiohttp.ClientSession, gas_unit: aiohttp.ClientSession, caller: CallerSim,
    survey_serve: HotlineProcess,
) -> None:
    number = await received_gas_order(staff, gas_unit, fresh_mobile())
    softphone = caller.answerers["agent3902"] = Answerer(voice=None, hang_up_after=4)
    admin = await admin_headers(survey_serve.settings, survey_serve.api_url)
    async with aiohttp.ClientSession(base_url=survey_serve.api_url, headers=admin) as agents:
        await define_agent(agents, "sv3902", "agent3902")
        try:
            async with agents.ws_connect("/api/live") as live, CitizenPhone(
                    "--keys", "0", "--timeout", "90") as phone:
                await report(gas_unit, number)
                pop = await first_update(live, "screen_pop", within=60)
                heard = await phone.heard(within=100)
        finally:
            await log_everyone_out(agents)
    assert pop["agent_id"] == "sv3902" and pop["order_number"] == number and pop["survey"]
    assert heard["keys"] == ["0"] and len(softphone.answered) == 1
    assert heard["hung_up_by"] == "hotline"  # the agent ended the conversation
    async with staff.get(f"/api/orders/{number}/surveys") as r:
        (survey,) = (await r.json())["surveys"]
    assert survey["status"] == "agent"
    assert await order_field(staff, number, "status") == "handled"  # the agent decides


async def define_agent(http: aiohttp.ClientSession, agent_id: str, extension: str) -> None:
    body = {"name": agent_id, "endpoint": f"PJSIP/{extension}@callers", "skills": {"gas": 1}}
    async with http.put(f"/api/agents/{agent_id}", json=body) as r:
        assert r.status == 200, await r.text()
    async with http.post(f"/api/agents/{agent_id}/state", json={"state": "available"}) as r:
        assert r.status == 200, await r.text()


async def first_update(live: aiohttp.ClientWebSocketResponse, topic: str, *, within: float
                       ) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            update = await live.receive_json()
            if update.get("topic") == topic:
                return dict(update["data"])


async def test_given_a_citizen_who_declined_callbacks_then_never_rung(
    staff: aiohttp.ClientSession, gas_unit: aiohttp.ClientSession
) -> None:
    number = await received_gas_order(staff, gas_unit, fresh_mobile())
    async with staff.post(f"/api/orders/{number}/callback-preference",
                          json={"declined": "yes"}) as r:
        assert r.status == 422 and (await r.json())["error"]  # a clear 4xx, not a 500
    async with staff.post(f"/api/orders/{number}/callback-preference",
                          json={"declined": True}) as r:
        assert r.status == 200, await r.text()
    async with CitizenPhone("--timeout", "10") as phone:
        await report(gas_unit, number)
        with pytest.raises(AssertionError, match="no call from the hotline"):
            await phone.heard(within=20)
    async with staff.get(f"/api/orders/{number}/surveys") as r:
        (survey,) = (await r.json())["surveys"]
    assert (survey["status"], survey["attempts"]) == ("declined", 0)
    assert await order_field(staff, number, "callback_declined") is True


async def test_given_a_caller_waiting_in_the_queue_then_no_survey_call_starts(
    staff: aiohttp.ClientSession, gas_unit: aiohttp.ClientSession, caller: CallerSim,
    survey_serve: HotlineProcess,
) -> None:
    citizen = fresh_mobile()
    number = await received_gas_order(staff, gas_unit, citizen)
    admin = await admin_headers(survey_serve.settings, survey_serve.api_url)
    async with aiohttp.ClientSession(base_url=survey_serve.api_url, headers=admin) as agents:
        caller.answerers["agent3901"] = Answerer(answer=False)  # the one agent never picks up
        await define_agent(agents, "sv3901", "agent3901")
        # The caller waits in the queue for 45 s, then hangs up (CallerSim's timeout).
        waiting = asyncio.create_task(caller.place(Scenario(
            keys=["3", "0"], caller_number=fresh_mobile(), timeout=45)))
        try:
            await until(lambda: queue_length(agents), 1, within=25)
            async with CitizenPhone("--timeout", "12") as phone:
                await report(gas_unit, number)
                with pytest.raises(AssertionError, match="no call from the hotline"):
                    await phone.heard(within=25)
            async with staff.get(f"/api/orders/{number}/surveys") as r:
                (survey,) = (await r.json())["surveys"]
            assert (survey["status"], survey["attempts"]) == ("scheduled", 0)
            # Listening again before the caller leaves: the survey rings once the queue is empty.
            async with CitizenPhone("--keys", "2", "--timeout", "90") as phone:
                await waiting
                await until(lambda: queue_length(agents), 0, within=15)
                heard = await phone.heard(within=100)
        finally:
            await asyncio.gather(waiting, return_exceptions=True)
            await log_everyone_out(agents)
    assert heard["order_number"] == number and heard["keys"] == ["2"]
    await until(lambda: order_field(staff, number, "satisfaction"), "basically_satisfied",
                within=15)


async def queue_length(http: aiohttp.ClientSession) -> int:
    async with http.get("/api/queue") as r:
        assert r.status == 200, await r.text()
        return len((await r.json()).get("waiting", []))
