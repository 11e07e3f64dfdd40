"""The sandbox's Asterisk configs: rendered from `dialplans/` with the configured values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hotline12319 import asterisk_config as config
from hotline12319.settings import Settings, load_settings

# A template placeholder is `$name` / `${name}` in lower case; Asterisk's are upper case.
PLACEHOLDER = re.compile(r"\$\{?[a-z][a-z0-9_]*")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        ari_url="http://127.0.0.1:28088/ari",
        caller_ari_url="http://127.0.0.1:28089/ari",
        ari_user="tester",
        ari_password="s3cret",
        ari_app="hotapp",
        caller_ari_app="simapp",
        hotline_sip_port=25060,
        caller_sip_port=25070,
        hotline_rtp_ports=(30000, 30999),
        caller_rtp_ports=(31000, 31999),
        prompts_uri="/srv/test/prompts",
        sandbox_root=tmp_path / "root",
    )


def rendered(settings: Settings) -> dict[str, dict[str, str]]:
    return {inst.name: config.render(inst, settings) for inst in config.instances(settings)}


def test_no_placeholder_is_left(settings: Settings) -> None:
    for name, files in rendered(settings).items():
        for file_name, text in files.items():
            leftover = PLACEHOLDER.findall(text)
            assert not leftover, f"{name}/{file_name}: {leftover}"


def test_every_instance_has_the_files_asterisk_needs(settings: Settings) -> None:
    needed = {"asterisk.conf", "modules.conf", "pjsip.conf", "extensions.conf", "http.conf",
              "ari.conf", "rtp.conf", "logger.conf"}
    for files in rendered(settings).values():
        assert needed <= files.keys()


def test_hotline_gets_its_ports_credentials_and_paths(settings: Settings) -> None:
    files = rendered(settings)["hotline"]
    assert "bindport = 28088" in files["http.conf"]
    assert "bindaddr = 127.0.0.1" in files["http.conf"]
    assert "[tester]" in files["ari.conf"] and "password = s3cret" in files["ari.conf"]
    assert "bind = 127.0.0.1:25060" in files["pjsip.conf"]
    assert "contact = sip:127.0.0.1:25070" in files["pjsip.conf"]
    assert "rtpstart = 30000" in files["rtp.conf"] and "rtpend = 30999" in files["rtp.conf"]
    # ICE on for the browser softphones (per endpoint off for the trunk), and their WSS/DTLS.
    assert "icesupport = yes" in files["rtp.conf"]
    assert "ice_support = no" in files["pjsip.conf"]
    assert "tlsenable = yes" in files["http.conf"]
    assert "tlscertfile = /srv/hotline12319/hotline/keys/webrtc.crt" in files["http.conf"]
    assert "protocol = wss" in files["pjsip.conf"] and "webrtc = yes" in files["pjsip.conf"]
    assert "dtls_private_key = /srv/hotline12319/hotline/keys/webrtc.key" in files["pjsip.conf"]
    assert "astspooldir => /srv/hotline12319/hotline/spool" in files["asterisk.conf"]
    assert "transmit_silence = yes" in files["asterisk.conf"]
    assert "highpriority = yes" in files["asterisk.conf"]  # SCHED_RR, as in production
    assert "Stasis(hotapp)" in files["extensions.conf"]
    assert "PROMPTS = /srv/test/prompts" in files["extensions.conf"]
    assert "RECDIR = /srv/hotline12319/hotline/spool/recording" in files["extensions.conf"]


def test_only_the_hotline_serves_browser_softphones(settings: Settings) -> None:
    caller = rendered(settings)["caller"]
    assert "icesupport = no" in caller["rtp.conf"]
    assert "tlsenable" not in caller["http.conf"] and "webrtc" not in caller["pjsip.conf"]


def test_dialplan_keeps_asterisk_variables(settings: Settings) -> None:
    text = rendered(settings)["hotline"]["extensions.conf"]
    assert '$["${STASISSTATUS}" = "FAILED"]' in text
    assert "fallback-${EPOCH}-${CALLERID(num)}-${UNIQUEID}.wav" in text


def test_caller_points_at_the_hotline(settings: Settings) -> None:
    files = rendered(settings)["caller"]
    assert "bindport = 28089" in files["http.conf"]
    assert "bind = 127.0.0.1:25070" in files["pjsip.conf"]
    assert "contact = sip:127.0.0.1:25060" in files["pjsip.conf"]
    assert "rtpstart = 31000" in files["rtp.conf"]
    assert "Stasis(simapp," in files["extensions.conf"]
    assert "highpriority = no" in files["asterisk.conf"]  # the outside world: normal priority


def test_the_two_instances_never_share_a_port_or_directory(settings: Settings) -> None:
    hotline, caller = config.instances(settings)
    assert hotline.http_port != caller.http_port
    assert hotline.sip_port != caller.sip_port
    hot_rtp, call_rtp = range(*hotline.rtp_ports), range(*caller.rtp_ports)
    assert not set(hot_rtp) & set(call_rtp)
    assert not set(hotline.private_dirs) & set(caller.private_dirs)


def test_default_settings_keep_the_ports_apart() -> None:
    hotline, caller = config.instances(Settings())
    assert (hotline.http_port, caller.http_port) == (18088, 18089)
    assert (hotline.sip_port, caller.sip_port) == (15060, 15070)
    assert hotline.rtp_ports[1] < caller.rtp_ports[0]


def test_install_writes_into_the_root_and_reports_changes(
    settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    hotline = config.instances(settings)[0]
    assert config.install(root, hotline, settings) is True
    assert (root / "srv/hotline12319/hotline/spool/recording").is_dir()
    assert "bindport = 28088" in (root / "srv/hotline12319/hotline/etc/http.conf").read_text()
    assert config.install(root, hotline, settings) is False


def test_an_unknown_placeholder_fails_loudly(settings: Settings, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "common").mkdir(parents=True)
    (templates / "common" / "asterisk.conf").write_text("x = $no_such_value\n")
    with pytest.raises(KeyError):
        config.render(config.instances(settings)[0], settings, templates)
