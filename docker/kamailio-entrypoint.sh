#!/bin/sh
# Entrypoint of the Kamailio image (docker/kamailio.Dockerfile): write the dispatcher's list
# of hotline nodes, then run Kamailio in the foreground on the cluster's SIP address.
#
#   HOTLINE_NODES         the nodes' SIP addresses, host:port[=weight], comma-separated  required
#                         e.g. asterisk1:5060,asterisk2:5060=2 (relative weight 1-100, 1 when
#                         left out; a dead node's share goes to the living ones)
#   SIP_EXTERNAL_ADDRESS  the public address to announce in Record-Route and Via     optional
#   KAMAILIO_LISTEN       the local address to bind (default: this container's)     optional
#   KAMAILIO_STATE        where the list and control socket go (default /run/kamailio)
set -eu

state=${KAMAILIO_STATE:-/run/kamailio}
cfg=${KAMAILIO_CFG:-/etc/hotline12319/kamailio.cfg}

die() {
  echo "hotline12319-kamailio: $*" >&2
  exit 64
}

nodes=${HOTLINE_NODES:-}
[ -n "$nodes" ] || die "HOTLINE_NODES is not set: the hotline nodes' SIP addresses (host:port,...)"
mkdir -p "$state"
list="$state/dispatcher.list"
: >"$list.new"
n=0
for node in $(echo "$nodes" | tr ',' ' '); do
  addr=${node%%=*}
  weight=1
  [ "$addr" = "$node" ] || weight=${node#*=}
  case $addr in
    *[!A-Za-z0-9.:-]* | :* | *: | *:*:*) die "HOTLINE_NODES: '$node' is not host:port[=weight]" ;;
    *:*) ;;
    *) die "HOTLINE_NODES: '$node' is not host:port[=weight]" ;;
  esac
  case $weight in
    '' | *[!0-9]*) die "HOTLINE_NODES: weight of '$addr' must be a whole number 1-100" ;;
  esac
  [ "$weight" -ge 1 ] && [ "$weight" -le 100 ] || die "HOTLINE_NODES: weight of '$addr' must be 1-100"
  n=$((n + 1))
  # set 1 = the hotline nodes, active from the start; the probes (every second) take a
  # dead one out.
  echo "1 sip:$addr 0 0 rweight=$weight;duid=node$n" >>"$list.new"
done
mv "$list.new" "$list"

listen=${KAMAILIO_LISTEN:-$(hostname -i 2>/dev/null | cut -d' ' -f1)}
[ -n "$listen" ] || die "cannot tell this container's address; set KAMAILIO_LISTEN"
advertise=""
[ -z "${SIP_EXTERNAL_ADDRESS:-}" ] || advertise="/${SIP_EXTERNAL_ADDRESS}:5060"

exec kamailio -DD -E -f "$cfg" -l "udp:${listen}:5060${advertise}" \
  -A "DS_LIST=\"$list\"" -A "CTL_SOCKET=\"unix:$state/kamailio_ctl\"" "$@"
