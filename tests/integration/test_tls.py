"""The web side over TLS: a real `hotline12319 serve` with a certificate made by the openssl
CLI answers /health over https to a client trusting that certificate, and refuses plain http.

The process points at an ARI port where nothing listens and a SQLite store of its own: it
never touches the Asterisk sandbox or the shared databases, so it takes no sandbox lock."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from pydantic import ValidationError

from hotline12319.commands.serve import tls_context
from hotline12319.errors import CommandError
from hotline12319.settings import PROJECT_ROOT, load_settings

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class TlsServe:
    port: int
    cert: Path
    key: Path
    log: Path
    proc: subprocess.Popen[bytes]

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=30,
    )
    return cert, key


def _spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def tls_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServe]:
    tmp = tmp_path_factory.mktemp("tls")
    cert, key = _self_signed(tmp)
    port = _spare_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'hotline.db'}",
        "HOTLINE_HTTP_PORT": str(port),
        "HOTLINE_TLS_CERT_FILE": str(cert),
        "HOTLINE_TLS_KEY_FILE": str(key),
        "HOTLINE_RECORDINGS_DIR": str(tmp / "recordings"),
        # Nothing listens on port 1: this process never registers with the sandbox's Asterisk.
        "HOTLINE_ARI_URL": "http://127.0.0.1:1/ari",
        "HOTLINE_ARI_APP": "hotline12319-tls-test",
        "HOTLINE_SPEECH_IN_CALLS": "false",
        "HOTLINE_INGEST_FALLBACK_MESSAGES": "false",
        "HOTLINE_DUTY_POLL_SECONDS": "3600",
        "HOTLINE_SWEEPER_INTERVAL_SECONDS": "3600",
    }
    log = tmp / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hotline12319.cli", "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    yield TlsServe(port, cert, key, log, proc)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=15)


async def _get_health(
    serve: TlsServe, scheme: str, context: ssl.SSLContext | bool
) -> tuple[int, dict[str, object]]:
    timeout = aiohttp.ClientTimeout(total=3)
    async with (
        aiohttp.ClientSession(timeout=timeout) as http,
        http.get(f"{scheme}://127.0.0.1:{serve.port}/health", ssl=context) as response,
    ):
        return response.status, await response.json()


async def _ready(
    serve: TlsServe, context: ssl.SSLContext, within: float = 40.0
) -> tuple[int, dict[str, object]]:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        assert serve.proc.poll() is None, serve.log_tail()
        try:
            return await _get_health(serve, "https", context)
        except aiohttp.ClientConnectorError:
            assert asyncio.get_running_loop().time() < deadline, serve.log_tail()
            await asyncio.sleep(0.3)


async def test_given_a_certificate_when_serving_then_health_answers_over_https(
    tls_serve: TlsServe,
) -> None:
    trusting = ssl.create_default_context(cafile=str(tls_serve.cert))
    status, body = await _ready(tls_serve, trusting)
    assert status == 200 and "status" in body, body
    assert "web https://" in tls_serve.log_tail()


async def test_a_client_not_trusting_the_certificate_is_refused(tls_serve: TlsServe) -> None:
    await _ready(tls_serve, ssl.create_default_context(cafile=str(tls_serve.cert)))
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        await _get_health(tls_serve, "https", ssl.create_default_context())


async def test_plain_http_gets_no_answer_on_the_tls_port(tls_serve: TlsServe) -> None:
    await _ready(tls_serve, ssl.create_default_context(cafile=str(tls_serve.cert)))
    with pytest.raises(aiohttp.ClientError):
        await _get_health(tls_serve, "http", False)


def test_a_certificate_without_its_key_is_refused_by_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="both HOTLINE_TLS_CERT_FILE and"):
        load_settings(tls_cert_file=tmp_path / "cert.pem")
    with pytest.raises(ValidationError, match="or neither"):
        load_settings(tls_key_file=tmp_path / "key.pem")
    assert tls_context(load_settings()) is None


def test_a_missing_key_file_stops_serve_before_it_listens(tls_serve: TlsServe) -> None:
    settings = load_settings(
        tls_cert_file=tls_serve.cert, tls_key_file=tls_serve.key.with_name("absent.pem")
    )
    with pytest.raises(CommandError, match="cannot load the TLS certificate and key"):
        tls_context(settings)
    good = tls_context(load_settings(tls_cert_file=tls_serve.cert, tls_key_file=tls_serve.key))
    assert good is not None and good.minimum_version >= ssl.TLSVersion.TLSv1_2
