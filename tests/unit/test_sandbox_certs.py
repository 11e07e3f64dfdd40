"""`sandbox up`'s self-signed WebRTC certificate: made once where the hotline's config names it."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from hotline12319.asterisk_config import inside, instances, render
from hotline12319.settings import load_settings
from tools.sandbox_certs import ensure_webrtc_cert

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def test_the_pair_is_made_once_private_and_where_the_config_points(tmp_path: Path) -> None:
    settings = load_settings()
    hotline, _ = instances(settings)
    assert ensure_webrtc_cert(tmp_path, hotline) is True
    cert, key = inside(tmp_path, hotline.webrtc_cert), inside(tmp_path, hotline.webrtc_key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    text = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-text"],
                          capture_output=True, text=True, check=True).stdout
    assert "IP Address:127.0.0.1" in text and "hotline12319-sandbox" in text
    before = cert.read_bytes()
    assert ensure_webrtc_cert(tmp_path, hotline) is False  # kept: browsers accepted this one
    assert cert.read_bytes() == before
    files = render(hotline, settings)
    assert f"tlscertfile = {hotline.webrtc_cert}" in files["http.conf"]
    assert f"dtls_cert_file = {hotline.webrtc_cert}" in files["pjsip.conf"]
