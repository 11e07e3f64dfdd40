"""One typed settings object for every process (env `HOTLINE_*`, optional TOML file).

Nothing here is created at import: call `load_settings()` where a process starts.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The sandbox's ARI credentials are public by design (loopback only); outside the sandbox
# they must be replaced, which `validate_for_production` enforces.
SANDBOX_ARI_PASSWORD = "sandbox-only"
SANDBOX_WEBRTC_PASSWORD = "webrtc-sandbox-only"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="forbid")

    environment: str = Field(default="sandbox", pattern="^(sandbox|production)$")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'hotline.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "HOTLINE_DATABASE_URL"),
    )

    # ARI of the hotline Asterisk.
    ari_url: str = "http://127.0.0.1:18088/ari"
    ari_user: str = "hotline12319"
    ari_password: str = SANDBOX_ARI_PASSWORD
    ari_app: str = "hotline12319"
    ari_reconnect_max_seconds: float = 5.0

    # Web side (console, API).
    http_host: str = "127.0.0.1"
    http_port: int = 8319
    # TLS for the web side: a PEM certificate (chain) and its key, both or neither.
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None

    # The IVR flow and its prompts. `prompts_uri` is how Asterisk finds prompt files (a path
    # inside Asterisk's own filesystem, without the extension).
    flow_file: Path = PROJECT_ROOT / "ivr" / "flows" / "hotline.yaml"
    prompts_file: Path = PROJECT_ROOT / "ivr" / "prompts.yaml"
    prompts_dir: Path = PROJECT_ROOT / "recordings" / "prompts"
    prompts_uri: str = "/srv/hotline12319/prompts"

    # The linked-agency directory (routing/agencies/agencies.yaml) and the webhook push to agencies.
    # Each agency's webhook secret is read from the env var its row names
    # (HOTLINE_AGENCY_<ID>_WEBHOOK_SECRET), never from a file.
    agencies_file: Path = PROJECT_ROOT / "routing" / "agencies" / "agencies.yaml"
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # Pushes are signed per Standard Webhooks; "legacy" also sends the old X-Hotline-Signature
    # header, for one release while agencies move (routing.enums.WebhookScheme).
    webhook_scheme: Literal["standard", "legacy"] = "standard"

    # The order engine's deadline sweeper: how often it runs, how often a late order is
    # notified again (escalated after the first), and the grace before an emergency's duty call.
    sweeper_interval_seconds: float = Field(default=30.0, gt=0)
    sweeper_renotify_minutes: float = Field(default=30.0, gt=0)
    receipt_grace_minutes: float = Field(default=5.0, ge=0)

    # SCHED_RR priority of serve's event loop (ari_app/priority.py); 0 = normal scheduling.
    # At most 9, below Asterisk's own `highpriority` (10). Needs CAP_SYS_NICE.
    realtime_priority: int = Field(default=0, ge=0, le=9)

    # Call-surge thresholds (L 3.1.2(5)); the file's numbers are center defaults.
    surge_policy_file: Path = PROJECT_ROOT / "routing" / "floor" / "surge_policy.yaml"

    # Agents: how long an agent's phone rings before the next agent is tried, how long
    # after-call work lasts, and how a citizen is dialled for a queue call-back.
    agent_ring_seconds: int = Field(default=15, ge=5, le=60)
    wrap_up_seconds: float = Field(default=10.0, ge=0, le=600)
    callback_endpoint: str = "PJSIP/{number}@callers"
    # A waiting caller's expected wait (routing/agents/queue_estimate.py) uses the mean of the last
    # `queue_handle_window` handle times; this average until any call was handled. (The
    # defaults equal that module's; this file is imported alone by the Asterisk image.)
    queue_default_handle_seconds: float = Field(default=180.0, gt=0, le=3600)
    queue_handle_window: int = Field(default=20, ge=1, le=1000)
    # Agencies' duty lines, rung when an emergency order's receipt is late (L 3.2.4(2)).
    duty_endpoint: str = "PJSIP/{sip}@callers"
    duty_poll_seconds: float = Field(default=5.0, gt=0)
    # How long a duty line (or a receipt-chase contact) rings before it counts as no answer.
    duty_answer_seconds: float = Field(default=60.0, ge=5, le=300)
    # The dispatch policy (routing/dispatch/dispatch_policy.yaml: automatic dispatch, the receipt
    # chase); a test or the sandbox points this at a shorter one. The automatic dispatcher
    # runs a pass this often, and at once when an order is committed or flagged.
    dispatch_policy_file: Path = PROJECT_ROOT / "routing" / "dispatch" / "dispatch_policy.yaml"
    auto_dispatch_interval_seconds: float = Field(default=5.0, gt=0)
    auto_dispatch: bool = True  # off: only people dispatch (the in-process API tests)
    # The callback survey (回访): the policy (routing/followup/survey_policy.yaml), and overrides of
    # its
    # delay after the unit's report and its calling hours ("08:00-21:00", Asia/Shanghai) for
    # tests and the sandbox; how citizens are dialled, and how often the worker looks.
    survey_policy_file: Path = PROJECT_ROOT / "routing" / "followup" / "survey_policy.yaml"
    survey_delay_seconds: float | None = Field(default=None, ge=0)
    survey_hours: str | None = Field(
        default=None, pattern=r"^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$"
    )
    survey_endpoint: str = "PJSIP/{number}@callers"
    survey_poll_seconds: float = Field(default=2.0, gt=0)

    # Where the app keeps its own copy of each call recording.
    recordings_dir: Path = PROJECT_ROOT / "data" / "recordings"
    # `serve` takes the backups that are due (hotline12319/backup_task.py, L 3.1.4(3)) every
    # backup_check_minutes into backup_dir; unset: 60 in production, never in the sandbox
    # (`hotline12319 backup` there); 0: never.
    backup_dir: Path = PROJECT_ROOT / "data" / "backups"
    backup_check_minutes: float | None = Field(default=None, ge=0)

    # One node of several on one PostgreSQL (issue 14): hold this node's liveness lock and
    # end the calls of a node that died (hotline12319/node_watch.py). Off for a single node.
    cluster_watch: bool = False

    # serve's log lines: "text" for a terminal, "json" (one object a line, with the call and
    # order ids) for a cluster's log shipper (hotline12319/json_logs.py).
    log_format: Literal["text", "json"] = "text"

    # The local Asterisk pair (hotline + caller simulator) in a Debian sid chroot.
    sandbox_root: Path = Path("/var/lib/hotline12319/sid")
    sandbox_state_dir: Path = PROJECT_ROOT / "data" / "sandbox"
    # A second sandbox pair beside the first (`hotline<pair>`, `caller<pair>`), with its own
    # ports: each parallel test worker drives one (tests/workers.py). Empty: the pair.
    sandbox_pair: str = Field(default="", pattern="^[a-z0-9]*$")
    hotline_sip_port: int = 15060
    caller_sip_port: int = 15070
    caller_ari_url: str = "http://127.0.0.1:18089/ari"
    caller_ari_app: str = "callersim"
    # Where `sandbox up` gets the sid tree from, and the RTP port ranges of the pair (kept
    # apart so the two instances on one loopback never compete for a port).
    sandbox_mirror: str = "http://deb.debian.org/debian"
    sandbox_suite: str = "sid"
    hotline_rtp_ports: tuple[int, int] = (20000, 24999)
    caller_rtp_ports: tuple[int, int] = (25000, 29999)
    # The agents' browser softphone (WebRTC): the hotline Asterisk's HTTPS/WSS port, the
    # PEM certificate and key it serves and uses for DTLS (paths as Asterisk sees them; empty:
    # the sandbox's self-signed pair, made by `sandbox up`), and the SIP password of the
    # `webrtcN` endpoints (the sandbox's is public, like its ARI password).
    webrtc_port: int = 18443
    # What the browser dials; empty: wss://<the console's host>:<webrtc_port>/ws.
    webrtc_ws_url: str = ""
    webrtc_cert_file: str = ""
    webrtc_key_file: str = ""
    webrtc_sip_password: str = SANDBOX_WEBRTC_PASSWORD
    # How long `sandbox up` waits for both ARIs to answer.
    sandbox_start_timeout: float = 60.0

    # Speech (recordings/engines.py). Models are paths, never downloaded. Whisper base is
    # joined from its PyPI packages into `models_dir` on first use unless
    # `whisper_model_dir` names a CTranslate2 model; vosk needs `vosk_model_dir`.
    speech_engine: str = Field(default="whisper", pattern="^(whisper|vosk)$")
    models_dir: Path = PROJECT_ROOT / "data" / "models"
    whisper_model_dir: Path | None = None
    vosk_model_dir: Path = PROJECT_ROOT / "data" / "models" / "vosk-model-small-cn-0.22"
    whisper_compute_type: str = "int8"
    # Beam 5 over greedy (1): fewer character errors (15 % vs 17 %) for ~30 % more time.
    whisper_beam_size: int = Field(default=5, ge=1, le=10)
    # CPU threads per recognition, and how many recognitions run at once (worker processes).
    speech_threads: int = Field(default=2, ge=1)
    speech_workers: int = Field(default=1, ge=1)
    # Transcribe each call's description after the call leg and attach it to the order.
    speech_in_calls: bool = True
    # Consultation self-service (ari_app/knowledge_voice.py): the score an answer needs to be
    # read to a caller; stricter than the console's 0.3, as nobody checks it before it is heard.
    knowledge_voice_floor: float = Field(default=0.4, ge=0.0, le=1.0)
    # Turn the dialplan fallback's messages (left while the app was down) into orders.
    ingest_fallback_messages: bool = True

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.environment == "production" and self.ari_password == SANDBOX_ARI_PASSWORD:
            raise ValueError(
                "HOTLINE_ARI_PASSWORD still has the sandbox value; set a real secret for production"
            )
        return self

    @model_validator(mode="after")
    def _tls_pair(self) -> Settings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("set both HOTLINE_TLS_CERT_FILE and HOTLINE_TLS_KEY_FILE, or neither")
        return self


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Environment wins over the file; explicit overrides win over both."""
    path = config_file or (
        Path(os.environ["HOTLINE_CONFIG"]) if "HOTLINE_CONFIG" in os.environ else None
    )
    from_file: dict[str, Any] = {}
    if path is not None:
        with path.open("rb") as fh:
            from_file = tomllib.load(fh)
    env_set = {
        name
        for name in Settings.model_fields
        if f"HOTLINE_{name.upper()}" in os.environ
        or (name == "database_url" and "DATABASE_URL" in os.environ)
    }
    values = {k: v for k, v in from_file.items() if k not in env_set}
    values.update(overrides)
    return Settings(**values)
