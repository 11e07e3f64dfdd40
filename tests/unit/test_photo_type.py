"""Evidence photos are recognised by their bytes, never by the type the client claims."""

from __future__ import annotations

from console.evidence_http import photo_type


def test_given_image_signatures_then_their_types() -> None:
    assert photo_type(b"\xff\xd8\xff\xe0" + b"\x00" * 16) == "image/jpeg"
    assert photo_type(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16) == "image/png"
    assert photo_type(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"


def test_given_other_bytes_then_no_type() -> None:
    assert photo_type(b"GIF89a") is None
    assert photo_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert photo_type(b"RIFF\x10\x00\x00\x00WAVEfmt ") is None  # a recording is not a photo
    assert photo_type(b"") is None
