"""The sandbox cluster's nodes (issue 14): every node an Asterisk of its own, nothing shared
with the sandbox pair or another node that two processes would fight over."""

from __future__ import annotations

from itertools import combinations

import pytest

from hotline12319 import asterisk_config as config
from hotline12319.settings import Settings, load_settings
from tools import cluster_nodes as cn


@pytest.fixture
def settings() -> Settings:
    return load_settings()


def ports_of(inst: config.Instance) -> set[int]:
    first, last = inst.rtp_ports
    return {inst.sip_port, inst.http_port, *range(first, last + 1)}


def test_no_two_instances_share_a_port_or_a_directory(settings: Settings) -> None:
    cluster = [node.instance(settings) for node in cn.nodes(cn.MAX_NODES)]
    everyone = [*config.instances(settings), *cluster]
    for a, b in combinations(everyone, 2):
        assert not ports_of(a) & ports_of(b), (a.name, b.name)
        assert a.base != b.base
    webrtc = {node.settings(settings).webrtc_port for node in cn.nodes(cn.MAX_NODES)}
    assert len(webrtc) == cn.MAX_NODES and settings.webrtc_port not in webrtc
    assert cn.PROXY_SIP_PORT not in set().union(*(ports_of(i) for i in everyone))


def test_a_node_is_a_hotline_under_its_own_name(settings: Settings) -> None:
    node = cn.Node(2)
    inst = node.instance(settings)
    assert (inst.name, inst.kind) == ("node2", "hotline")
    rendered = config.render(inst, node.settings(settings))
    assert "systemname = node2" in rendered["asterisk.conf"]
    assert f"bind = 127.0.0.1:{node.sip_port}" in rendered["pjsip.conf"]
    # It calls agents and duty lines on the caller simulator, like the sandbox's hotline.
    assert f"contact = sip:127.0.0.1:{settings.caller_sip_port}" in rendered["pjsip.conf"]
    assert "[from-callers]" in rendered["extensions.conf"]


def test_the_caller_simulator_dials_the_proxy_while_a_cluster_is_up(settings: Settings) -> None:
    caller = cn.caller_through_proxy(settings)
    assert caller.name == "caller"
    pjsip = config.render(caller, settings)["pjsip.conf"]
    assert f"contact = sip:127.0.0.1:{cn.PROXY_SIP_PORT}" in pjsip
    assert f"contact = sip:127.0.0.1:{settings.hotline_sip_port}" not in pjsip


@pytest.mark.parametrize("count", [0, -1, cn.MAX_NODES + 1])
def test_a_cluster_has_one_to_five_nodes(count: int) -> None:
    with pytest.raises(ValueError, match="1 to 5 nodes"):
        cn.nodes(count)


def test_kamailio_node_states_are_read_from_its_listing() -> None:
    from tools.cluster_proxy import parse_dispatcher_list

    listing = """{
\tNRSETS: 1
\tRECORDS: {
\t\tSET: {
\t\t\tID: 1
\t\t\tTARGETS: {
\t\t\t\tDEST: {
\t\t\t\t\tURI: sip:127.0.0.1:16020
\t\t\t\t\tFLAGS: AP
\t\t\t\t\tPRIORITY: 0
\t\t\t\t}
\t\t\t\tDEST: {
\t\t\t\t\tURI: sip:127.0.0.1:16010
\t\t\t\t\tFLAGS: IP
\t\t\t\t}
"""
    assert parse_dispatcher_list(listing) == {
        "sip:127.0.0.1:16020": "AP", "sip:127.0.0.1:16010": "IP"}
    assert parse_dispatcher_list("") == {}
