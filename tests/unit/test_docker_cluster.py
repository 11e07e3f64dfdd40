"""The cluster's Docker files (issue 14): Kamailio in front of two hotline nodes.

`docker-compose config` validates and interpolates docker/compose.cluster.yaml (no engine
runs here); the Kamailio entrypoint writes its dispatcher list for real on tmp_path and
Debian's Kamailio 5.6 checks the whole config with it (`kamailio -c`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from hotline12319.settings import PROJECT_ROOT

DOCKER = PROJECT_ROOT / "docker"
COMPOSE = DOCKER / "compose.cluster.yaml"
KAMAILIO_ENTRYPOINT = DOCKER / "kamailio-entrypoint.sh"
KAMAILIO_CFG = PROJECT_ROOT / "dialplans" / "kamailio" / "kamailio.cfg"
ENV = {
    "ARI_PASSWORD": "ari-Secret_42",
    "POSTGRES_PASSWORD": "0123abcd",
    "WEBRTC_PASSWORD": "webrtc-Secret_7",
    "WEBRTC_CERT_DIR": "/etc/hotline12319/webrtc",
}


def compose(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("docker-compose")
    assert exe is not None, "docker-compose is not installed (scripts/host-packages.sh)"
    empty_env = tmp_path / "empty.env"
    empty_env.write_text("")
    return subprocess.run(
        [exe, "--env-file", str(empty_env), "-f", str(COMPOSE), "config"],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), **env},
        capture_output=True, text=True, timeout=60, check=False,
    )


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result = compose(tmp_path_factory.mktemp("compose"), ENV)
    assert result.returncode == 0, result.stderr
    return dict(yaml.safe_load(result.stdout)["services"])


def published(service: dict[str, Any]) -> set[tuple[int, str]]:
    return {(int(p["published"]), p.get("protocol", "tcp")) for p in service.get("ports", [])
            if "-" not in str(p.get("published", ""))}


def test_only_the_proxy_takes_sip_from_outside(services: dict[str, Any]) -> None:
    assert published(services["kamailio"]) == {(5060, "udp")}
    for node in ("asterisk1", "asterisk2"):
        assert (5060, "udp") not in published(services[node])
        assert services[node]["environment"]["SIP_TRUNK_HOST"] == "kamailio"
    nodes = services["kamailio"]["environment"]["HOTLINE_NODES"].split(",")
    assert nodes == ["asterisk1:5060", "asterisk2:5060"]


def test_each_app_drives_its_own_asterisk_on_one_database(services: dict[str, Any]) -> None:
    apps = [services["app1"]["environment"], services["app2"]["environment"]]
    assert [a["HOTLINE_ARI_URL"] for a in apps] == [
        "http://asterisk1:8088/ari", "http://asterisk2:8088/ari"]
    assert apps[0]["DATABASE_URL"] == apps[1]["DATABASE_URL"]
    assert "0123abcd@postgres/hotline" in apps[0]["DATABASE_URL"]
    assert {p["published"] for s in ("app1", "app2") for p in services[s]["ports"]} == {
        8319, 8320}


def test_the_nodes_rtp_ranges_do_not_overlap(services: dict[str, Any]) -> None:
    ranges = []
    for node in ("asterisk1", "asterisk2"):
        first, last = map(int, services[node]["environment"]["RTP_PORTS"].split("-"))
        ranges.append(range(first, last + 1))
        # docker-compose 1.29 expands a published range into one entry per port.
        published_udp = {int(p["published"]) for p in services[node]["ports"]
                         if p.get("protocol") == "udp"}
        assert published_udp == set(ranges[-1])
    assert not set(ranges[0]) & set(ranges[1])


def test_compose_refuses_to_run_without_secrets(tmp_path: Path) -> None:
    result = compose(tmp_path, {k: v for k, v in ENV.items() if k != "POSTGRES_PASSWORD"})
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD" in result.stderr


def kamailio_entrypoint(tmp_path: Path, *args: str, **env: str
                        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(KAMAILIO_ENTRYPOINT), *args],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
             "KAMAILIO_STATE": str(tmp_path), "KAMAILIO_CFG": str(KAMAILIO_CFG),
             "KAMAILIO_LISTEN": "127.0.0.1", **env},
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_kamailio_config_checks_with_the_rendered_node_list(tmp_path: Path) -> None:
    assert shutil.which("kamailio"), "kamailio is not installed (scripts/host-packages.sh)"
    result = kamailio_entrypoint(tmp_path, "-c", HOTLINE_NODES="10.0.0.11:5060,10.0.0.12:5060=3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "dispatcher.list").read_text().splitlines() == [
        "1 sip:10.0.0.11:5060 0 0 rweight=1;duid=node1",
        "1 sip:10.0.0.12:5060 0 0 rweight=3;duid=node2",
    ]


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ("", "HOTLINE_NODES is not set"),
        ("asterisk1", "is not host:port"),
        ("asterisk1:5060;evil", "is not host:port"),
        ("asterisk1:5060=0", "must be 1-100"),
        ("asterisk1:5060=101", "must be 1-100"),
        ("asterisk1:5060=x", "whole number"),
    ],
)
def test_kamailio_entrypoint_refuses_a_bad_node_list(tmp_path: Path, nodes: str,
                                                     message: str) -> None:
    result = kamailio_entrypoint(tmp_path, "-c", HOTLINE_NODES=nodes)
    assert result.returncode == 64, result.stderr
    assert message in result.stderr
    assert not (tmp_path / "dispatcher.list").exists()


# --- two nodes on one Docker host: each Asterisk its own RTP range --------------------------


@pytest.fixture
def etc(tmp_path: Path) -> Path:
    from hotline12319.asterisk_config import inside
    from tests.unit.test_docker_files import render_config

    render_config.write_tree(tmp_path)
    inst = render_config.hotline_instance(render_config.docker_settings())
    return inside(tmp_path, inst.etc_dir)


def rtp_range(etc: Path) -> tuple[str, str]:
    lines = dict(line.replace(" ", "").split("=", 1) for line in
                 (etc / "rtp.conf").read_text().splitlines() if line.startswith("rtp"))
    return lines["rtpstart"], lines["rtpend"]


def test_asterisk_entrypoint_moves_the_rtp_range(etc: Path) -> None:
    from tests.unit.test_docker_files import entrypoint

    base = {"ARI_PASSWORD": "good-one", "SIP_TRUNK_HOST": "kamailio"}
    assert rtp_range(etc) == ("20000", "20499")
    result = entrypoint(etc, **base, RTP_PORTS="20500-20999")
    assert result.returncode == 0, result.stderr
    assert rtp_range(etc) == ("20500", "20999")
    # A restart with the same range writes the same file (the edit is idempotent).
    assert entrypoint(etc, **base, RTP_PORTS="20500-20999").returncode == 0
    assert rtp_range(etc) == ("20500", "20999")


@pytest.mark.parametrize("ports", ["20999-20500", "20500", "20500-", "a-b", "1-2-3"])
def test_asterisk_entrypoint_refuses_a_bad_rtp_range(etc: Path, ports: str) -> None:
    from tests.unit.test_docker_files import entrypoint

    result = entrypoint(etc, ARI_PASSWORD="good-one", SIP_TRUNK_HOST="kamailio",
                        RTP_PORTS=ports)
    assert result.returncode == 64, result.stderr
    assert "RTP_PORTS" in result.stderr


def test_each_node_has_its_own_name_and_watches_the_others(services: dict[str, Any]) -> None:
    names = [services[n]["environment"]["NODE_NAME"] for n in ("asterisk1", "asterisk2")]
    assert names == ["node1", "node2"]
    assert all(services[a]["environment"]["HOTLINE_CLUSTER_WATCH"] == "1"
               for a in ("app1", "app2"))


def test_asterisk_entrypoint_names_the_node(etc: Path) -> None:
    from tests.unit.test_docker_files import entrypoint

    base = {"ARI_PASSWORD": "good-one", "SIP_TRUNK_HOST": "kamailio"}
    assert "\nsystemname = hotline\n" in (etc / "asterisk.conf").read_text()
    assert entrypoint(etc, **base, NODE_NAME="node2").returncode == 0
    assert "\nsystemname = node2\n" in (etc / "asterisk.conf").read_text()
    refused = entrypoint(etc, **base, NODE_NAME="node-2")
    assert refused.returncode == 64 and "NODE_NAME" in refused.stderr
