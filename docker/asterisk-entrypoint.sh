#!/bin/sh
# Entrypoint of the hotline Asterisk image (docker/asterisk.Dockerfile).
#
# The image holds the config rendered from dialplans/ by docker/render_asterisk_config.py.
# What is only known where it runs is left there as @TOKEN@s in `<file>.in`; at each start
# this writes `<file>` with them filled in, then runs the command (`asterisk ... -f`).
# It refuses to start without them: the image has no default secret.
#
#   ARI_PASSWORD          the ARI password (the app's HOTLINE_ARI_PASSWORD)     required
#     or ARI_PASSWORD_FILE  a file holding it, e.g. /run/secrets/ari_password
#   WEBRTC_PASSWORD       SIP password of the agents' browser softphones         required
#     or WEBRTC_PASSWORD_FILE  (webrtc1..8; the console's 软电话 logs in with it)
#   SIP_TRUNK_HOST        host name or IPv4 address of the SIP trunk / SBC that  required
#                         sends the calls (the only peer accepted, port 5060)
#   SIP_EXTERNAL_ADDRESS  public address to announce in SIP and SDP when the     optional
#                         container sits behind NAT (Docker's published ports)
#   SIP_LOCAL_NET         networks reached without NAT, comma-separated          optional
#                         (default 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16)
#   RTP_PORTS             the RTP range, first-last (default: the image's,       optional
#                         20000-20499); two nodes on one Docker host publish two ranges
#   NODE_NAME             this node's name in a cluster (default: hotline): the  optional
#                         prefix of its channel ids, by which the others tell its calls
#                         (letters and digits only: channel ids are split at '-')
set -eu

etc=${ASTERISK_ETC:-/srv/hotline12319/hotline/etc}
base=${etc%/*}
run_user=${ASTERISK_USER:-asterisk}

die() {
  echo "hotline12319-asterisk: $*" >&2
  exit 64
}

if [ -n "${ARI_PASSWORD_FILE:-}" ]; then
  [ -r "$ARI_PASSWORD_FILE" ] || die "ARI_PASSWORD_FILE=$ARI_PASSWORD_FILE is not readable"
  ARI_PASSWORD=$(cat "$ARI_PASSWORD_FILE")
fi
ARI_PASSWORD=${ARI_PASSWORD:-}
if [ -n "${WEBRTC_PASSWORD_FILE:-}" ]; then
  [ -r "$WEBRTC_PASSWORD_FILE" ] || die "WEBRTC_PASSWORD_FILE=$WEBRTC_PASSWORD_FILE is not readable"
  WEBRTC_PASSWORD=$(cat "$WEBRTC_PASSWORD_FILE")
fi
WEBRTC_PASSWORD=${WEBRTC_PASSWORD:-}
SIP_TRUNK_HOST=${SIP_TRUNK_HOST:-}
SIP_EXTERNAL_ADDRESS=${SIP_EXTERNAL_ADDRESS:-}
SIP_LOCAL_NET=${SIP_LOCAL_NET:-10.0.0.0/8,172.16.0.0/12,192.168.0.0/16}

[ -n "$ARI_PASSWORD" ] || die "ARI_PASSWORD (or ARI_PASSWORD_FILE) is not set; ARI has no default password"
case $ARI_PASSWORD in
  sandbox-only) die "ARI_PASSWORD is the sandbox's public value; set a real secret" ;;
  # `;` starts a comment in Asterisk's config files, `\` escapes; blanks would be trimmed.
  *[![:graph:]]* | *\;* | *\\*) die "ARI_PASSWORD: use printable characters other than ; and \\ (no blanks)" ;;
esac
[ -n "$WEBRTC_PASSWORD" ] || die "WEBRTC_PASSWORD (or WEBRTC_PASSWORD_FILE) is not set; the softphones have no default password"
case $WEBRTC_PASSWORD in
  webrtc-sandbox-only) die "WEBRTC_PASSWORD is the sandbox's public value; set a real secret" ;;
  *[![:graph:]]* | *\;* | *\\*) die "WEBRTC_PASSWORD: use printable characters other than ; and \\ (no blanks)" ;;
esac
[ -n "$SIP_TRUNK_HOST" ] || die "SIP_TRUNK_HOST is not set: the address of the SIP trunk that sends the calls"
case $SIP_TRUNK_HOST in
  *[!A-Za-z0-9.-]*) die "SIP_TRUNK_HOST: a host name or an IPv4 address, got '$SIP_TRUNK_HOST'" ;;
esac
case $SIP_EXTERNAL_ADDRESS in
  *[!A-Za-z0-9.-]*) die "SIP_EXTERNAL_ADDRESS: a host name or an IPv4 address" ;;
esac
case $SIP_LOCAL_NET in
  *[!0-9./,]*) die "SIP_LOCAL_NET: comma-separated IPv4 networks (a.b.c.d/n)" ;;
esac
RTP_PORTS=${RTP_PORTS:-}
case $RTP_PORTS in
  '') ;;
  *[!0-9-]* | -* | *- | *-*-*) die "RTP_PORTS: first-last, e.g. 20500-20999" ;;
  *-*) [ "${RTP_PORTS%-*}" -lt "${RTP_PORTS#*-}" ] || die "RTP_PORTS: the first port must be below the last" ;;
  *) die "RTP_PORTS: first-last, e.g. 20500-20999" ;;
esac

NODE_NAME=${NODE_NAME:-}
case $NODE_NAME in
  '') ;;
  *[!a-z0-9]*) die "NODE_NAME: lower-case letters and digits only, e.g. node2" ;;
esac

rtp_range() {
  if [ -z "$RTP_PORTS" ]; then cat; return; fi
  sed -e "s/^rtpstart *=.*/rtpstart = ${RTP_PORTS%-*}/" -e "s/^rtpend *=.*/rtpend = ${RTP_PORTS#*-}/"
}

# Replace every TOKEN by VALUE, literally (no regular expression, no escaping).
fill() {
  TOKEN=$1 VALUE=$2 awk 'BEGIN { t = ENVIRON["TOKEN"]; v = ENVIRON["VALUE"] }
    { s = $0; out = ""
      while ((i = index(s, t)) > 0) { out = out substr(s, 1, i - 1) v; s = substr(s, i + length(t)) }
      print out s }'
}

nat_settings() {
  [ -n "$SIP_EXTERNAL_ADDRESS" ] || return 0
  printf '\n; Appended by the entrypoint: the container is behind NAT.\n[transport-udp](+)\n'
  printf 'external_media_address = %s\nexternal_signaling_address = %s\n' \
    "$SIP_EXTERNAL_ADDRESS" "$SIP_EXTERNAL_ADDRESS"
  echo "$SIP_LOCAL_NET" | tr ',' '\n' | while read -r net; do
    [ -z "$net" ] || printf 'local_net = %s\n' "$net"
  done
}

found=0
for template in "$etc"/*.in; do
  [ -f "$template" ] || continue
  found=1
  target=${template%.in}
  (
    umask 027
    fill @ARI_PASSWORD@ "$ARI_PASSWORD" <"$template" | fill @SIP_TRUNK_HOST@ "$SIP_TRUNK_HOST" \
      | fill @WEBRTC_PASSWORD@ "$WEBRTC_PASSWORD" >"$target.tmp"
    [ "${target##*/}" != pjsip.conf ] || nat_settings >>"$target.tmp"
  )
  if grep -q '@[A-Z_][A-Z_]*@' "$target.tmp"; then
    rm -f "$target.tmp"
    die "${target##*/}: a token is left unfilled ($(grep -o '@[A-Z_][A-Z_]*@' "$template" | sort -u | tr '\n' ' '))"
  fi
  chown "root:$run_user" "$target.tmp" 2>/dev/null || chgrp "$run_user" "$target.tmp"
  mv "$target.tmp" "$target"
done
[ "$found" = 1 ] || die "no rendered templates (*.in) in $etc"
if [ -n "$RTP_PORTS" ]; then
  rtp_range <"$etc/rtp.conf" >"$etc/rtp.conf.tmp" && mv "$etc/rtp.conf.tmp" "$etc/rtp.conf"
fi
if [ -n "$NODE_NAME" ]; then
  sed "s/^systemname *=.*/systemname = $NODE_NAME/" "$etc/asterisk.conf" >"$etc/asterisk.conf.tmp"
  mv "$etc/asterisk.conf.tmp" "$etc/asterisk.conf"
fi

# Asterisk drops to $run_user (-U/-G): its writable directories, the recording volume among
# them, must be its own (a freshly mounted volume may not be).
for dir in run log lib spool spool/recording; do
  mkdir -p "$base/$dir"
  chown "$run_user:$run_user" "$base/$dir"
done

exec "$@"
