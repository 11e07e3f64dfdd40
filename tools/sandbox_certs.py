"""The sandbox's self-signed certificate for the hotline's HTTPS/WSS and DTLS (WebRTC).

Made once by `sandbox up` inside the instance's private directory when absent, never
committed; production names its own pair in settings (`webrtc_cert_file`/`webrtc_key_file`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hotline12319.asterisk_config import Instance, inside
from hotline12319.errors import CommandError

SUBJECT = "/CN=hotline12319-sandbox"
# Browsers reach the sandbox by loopback address or name.
ALT_NAMES = "subjectAltName=IP:127.0.0.1,DNS:localhost"
DAYS = 825


def openssl_argv(cert: Path, key: Path) -> list[str]:
    return [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
        "-days", str(DAYS), "-subj", SUBJECT, "-addext", ALT_NAMES,
        "-keyout", str(key), "-out", str(cert),
    ]


def ensure_webrtc_cert(root: Path, inst: Instance) -> bool:
    """Make the pair if either file is missing; True if it was made."""
    cert, key = inside(root, inst.webrtc_cert), inside(root, inst.webrtc_key)
    if cert.is_file() and key.is_file():
        return False
    if shutil.which("openssl") is None:
        raise CommandError("openssl is needed to make the sandbox's WebRTC certificate")
    cert.parent.mkdir(parents=True, exist_ok=True)
    cert.parent.chmod(0o700)
    proc = subprocess.run(openssl_argv(cert, key), capture_output=True, text=True,
                          timeout=60, check=False)
    if proc.returncode != 0:
        raise CommandError(f"openssl exited {proc.returncode}: {proc.stderr.strip()}")
    key.chmod(0o600)
    return True
