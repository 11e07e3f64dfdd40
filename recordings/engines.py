"""Speech recognisers behind one interface: vosk (streaming) and faster-whisper (batch).

Both take 16 kHz mono 16-bit PCM (recordings.audio.prepare makes it) and return text.
They are synchronous and CPU-bound: run them in a worker (recordings.transcriber), never on
the event loop. Models load when an engine is constructed, never at import.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from recordings.models import vosk_model_dir, whisper_model_dir
from recordings.textnorm import to_simplified


class SpeechSettings(Protocol):
    """What the engines read of the settings (the root's Settings has it)."""

    @property
    def speech_engine(self) -> str: ...
    @property
    def models_dir(self) -> Path: ...
    @property
    def whisper_model_dir(self) -> Path | None: ...
    @property
    def vosk_model_dir(self) -> Path: ...
    @property
    def speech_threads(self) -> int: ...
    @property
    def whisper_compute_type(self) -> str: ...
    @property
    def whisper_beam_size(self) -> int: ...

ENGINES = ("whisper", "vosk")
SAMPLE_RATE = 16_000
# Whisper answers Mandarin in traditional characters unless the prompt is simplified; a
# prompt of the hotline's vocabulary also steers homophones towards the domain's words.
# The words of danger callers use most (管道漏气, 煤气味, 井盖没了) are in it because a
# missed one costs most: with them Whisper base stopped writing 路汽 for 漏气 and 梅廊 for
# 没了 (docs/speech-benchmark.md, "Decoding options").
DOMAIN_PROMPT = (
    "济南12319城建热线，市民来电反映：供水、停水、水表、水管爆了；供暖、暖气不热；"
    "燃气、天然气管道漏气、有煤气味；道路、桥梁、河道、路灯、下水道、井盖没了、积水、防汛、节水。"
    "请派人抢修、维修，我要投诉、咨询、求助、提建议。历下区、市中区、槐荫区、天桥区、"
    "历城区、长清区、章丘区、济阳区、莱芜区、钢城区。"
)
VOSK_CHUNK_BYTES = 8_000  # 0.25 s: what a live call path would feed per step
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


class Engine(Protocol):
    name: str

    def recognize(self, pcm: bytes) -> str:
        """The text of 16 kHz mono 16-bit PCM ("" when nothing was understood)."""
        ...


@dataclass(frozen=True)
class EngineConfig:
    """Everything a worker process needs to build an engine (picklable)."""

    engine: str = "whisper"
    models_dir: Path = Path("data/models")
    whisper_model_dir: Path | None = None
    vosk_model_dir: Path | None = None
    threads: int = 2
    compute_type: str = "int8"
    beam_size: int = 5
    initial_prompt: str | None = DOMAIN_PROMPT
    vad_filter: bool = True

    @classmethod
    def from_settings(cls, settings: SpeechSettings, engine: str | None = None) -> EngineConfig:
        return cls(
            engine=engine or settings.speech_engine,
            models_dir=settings.models_dir,
            whisper_model_dir=settings.whisper_model_dir,
            vosk_model_dir=settings.vosk_model_dir,
            threads=settings.speech_threads,
            compute_type=settings.whisper_compute_type,
            beam_size=settings.whisper_beam_size,
        )


class WhisperEngine:
    """faster-whisper on CPU; whole utterances (batch)."""

    name = "whisper"

    def __init__(self, config: EngineConfig) -> None:
        from faster_whisper import WhisperModel  # heavy: imported only where it runs

        path = whisper_model_dir(config.whisper_model_dir, config.models_dir)
        self._model = WhisperModel(
            str(path),
            device="cpu",
            compute_type=config.compute_type,
            cpu_threads=config.threads,
        )
        self._config = config

    def recognize(self, pcm: bytes) -> str:
        import numpy as np  # faster-whisper's own dependency; it takes float32 samples

        if not pcm:
            return ""
        samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        segments, _info = self._model.transcribe(
            samples,
            language="zh",
            beam_size=self._config.beam_size,
            initial_prompt=self._config.initial_prompt,
            # Each utterance stands alone: conditioning on earlier text makes Whisper loop.
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=self._config.vad_filter,
        )
        return to_simplified("".join(segment.text for segment in segments).strip())


class VoskStream:
    """One utterance fed piece by piece, as a live call delivers it."""

    def __init__(self, recognizer: Any) -> None:
        self._recognizer = recognizer
        self._final: list[str] = []

    def feed(self, pcm: bytes) -> str:
        """Feed PCM; returns the partial text so far (what the caller is saying now)."""
        if self._recognizer.AcceptWaveform(pcm):
            self._final.append(json.loads(self._recognizer.Result()).get("text", ""))
            return ""
        return str(json.loads(self._recognizer.PartialResult()).get("partial", ""))

    def finish(self) -> str:
        self._final.append(json.loads(self._recognizer.FinalResult()).get("text", ""))
        return _CJK_GAP.sub("", " ".join(t for t in self._final if t))


class VoskEngine:
    """Kaldi via vosk: streaming recognition, model shared by every stream."""

    name = "vosk"

    def __init__(self, config: EngineConfig) -> None:
        import vosk

        if config.vosk_model_dir is None:
            raise ValueError("the vosk engine needs vosk_model_dir")
        vosk.SetLogLevel(-1)  # Kaldi logs every model load on stderr
        self._vosk = vosk
        self._model = vosk.Model(str(vosk_model_dir(config.vosk_model_dir)))

    def stream(self) -> VoskStream:
        return VoskStream(self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE))

    def recognize(self, pcm: bytes) -> str:
        stream = self.stream()
        for start in range(0, len(pcm), VOSK_CHUNK_BYTES):
            stream.feed(pcm[start : start + VOSK_CHUNK_BYTES])
        return stream.finish()


def load_engine(config: EngineConfig) -> Engine:
    """The engine `config` names, with its model loaded."""
    if config.engine == "whisper":
        return WhisperEngine(config)
    if config.engine == "vosk":
        return VoskEngine(config)
    raise ValueError(f"unknown speech engine {config.engine!r}; expected one of {ENGINES}")
