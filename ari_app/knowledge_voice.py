"""Consultation self-service on a call: the caller's recorded question understood and
answered from the knowledge base (the flow's FindAnswer / NoteSelfService commands).

Only answers with a recorded reading that still matches their text are offered (an answer
edited since its reading was made goes to agents, not to callers), and only above a score
stricter than the console's: a wrong answer read to a caller is worse than an agent's reply.
Recognition runs in the transcriber's worker processes, never on the calls' event loop.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ari_app.client import AriClient, AriError
from ari_app.recording_store import fetch_recording
from ivr import commands as cmd
from ivr import events as ev
from recordings.audio import AudioError
from recordings.transcriber import Transcriber
from routing.knowledge_base import knowledge_repository as store
from routing.knowledge_base.knowledge import search
from routing.knowledge_base.knowledge_text import reading_key
from routing.store.knowledge_tables import KnowledgeEntry, KnowledgeUse
from routing.store.models import CallSession

log = logging.getLogger(__name__)
READINGS = "knowledge_readings.yaml"  # beside the prompts (tools/make_knowledge_prompts.py)


def load_readings(prompts_dir: Path) -> dict[str, str]:
    """slug -> the reading_key each recorded reading was made from; none without the file."""
    path = prompts_dir / READINGS
    if not path.exists():
        return {}
    return {str(k): str(v) for k, v in (yaml.safe_load(path.read_text("utf-8")) or {}).items()}


class KnowledgeVoice:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], transcriber: Transcriber,
                 readings: dict[str, str], floor: float) -> None:
        self.sessions, self.transcriber = sessions, transcriber
        self.readings, self.floor = readings, floor

    async def find(self, ari: AriClient, command: cmd.FindAnswer
                   ) -> ev.AnswerFound | ev.AnswerNotFound:
        try:
            audio = await fetch_recording(ari, command.recording_name)
            transcript = await self.transcriber.transcribe(audio)
        except (AriError, AudioError, OSError) as exc:
            log.warning("consultation %s not understood: %s", command.recording_name, exc)
            return ev.AnswerNotFound("not-understood")
        if not transcript.text.strip():
            return ev.AnswerNotFound("silence")
        voiced = await self._voiced()
        best = search(transcript.text, [store.searchable(r) for r in voiced.values()],
                      utility=command.utility, today=datetime.now(UTC).date(), limit=1,
                      floor=self.floor)
        log.info("consultation %s: %r -> %s", command.recording_name, transcript.text,
                 [(voiced[e.id].slug, s) for e, s in best])
        if not best:
            return ev.AnswerNotFound("no-confident-answer")
        row = voiced[best[0][0].id]
        return ev.AnswerFound(row.id, row.version, row.slug)

    async def _voiced(self) -> dict[int, KnowledgeEntry]:
        async with self.sessions() as session:
            rows = await store.active_entries(session)
        return {r.id: r for r in rows if self.readings.get(r.slug) == reading_key(r.answer)}

    async def note(self, channel_id: str, command: cmd.NoteSelfService) -> None:
        """The consultation's record: which answer, in which version, on which call."""
        async with self.sessions.begin() as session:
            call_id = await session.scalar(
                select(CallSession.id).where(CallSession.channel_id == channel_id))
            session.add(KnowledgeUse(
                entry_id=command.entry_id, entry_version=command.entry_version, order_id=None,
                call_session_id=call_id, by="ivr", at=datetime.now(UTC)))
