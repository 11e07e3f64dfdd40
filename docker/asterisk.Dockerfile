# The hotline's Asterisk 22 (Debian sid packages; bookworm has none), configured from
# dialplans/. Build from the repository root (compose.yaml does):
#   docker build -f docker/asterisk.Dockerfile -t hotline12319-asterisk .
# Run-time settings (see docker/asterisk-entrypoint.sh): ARI_PASSWORD or ARI_PASSWORD_FILE
# and SIP_TRUNK_HOST are required, the container does not start without them;
# SIP_EXTERNAL_ADDRESS and SIP_LOCAL_NET when it sits behind NAT.

# Stage 1: render the config with the sandbox's own templates and functions
# (hotline12319/asterisk_config.py), with the container's values (docker/render_asterisk_config.py).
FROM python:3.11-slim AS render
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN pip install "pydantic>=2.6" "pydantic-settings>=2.2"
WORKDIR /src
COPY hotline12319/__init__.py hotline12319/settings.py hotline12319/asterisk_config.py hotline12319/
COPY dialplans/ dialplans/
COPY docker/render_asterisk_config.py docker/
RUN PYTHONPATH=/src python docker/render_asterisk_config.py /out

# Stage 2: Asterisk.
FROM debian:sid
# sid's Release file may be past its Valid-Until date on a mirror snapshot.
RUN apt-get -o Acquire::Check-Valid-Until=false update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      asterisk asterisk-modules \
 && rm -rf /var/lib/apt/lists/*

# The rendered tree: /srv/hotline12319/hotline/{etc,run,log,lib,spool/recording}. The
# files that need run-time values are etc/*.conf.in; the entrypoint writes etc/*.conf.
COPY --from=render /out/ /
# Prompts where the dialplan and the app (Settings.prompts_uri) tell Asterisk to play them.
COPY recordings/prompts/*.wav /srv/hotline12319/prompts/
COPY docker/asterisk-entrypoint.sh /usr/local/bin/hotline12319-asterisk-entrypoint
# Asterisk runs as the package's `asterisk` user (-U/-G below); the entrypoint runs as root
# to write the secrets into the config and then hands over.
RUN chmod 0755 /usr/local/bin/hotline12319-asterisk-entrypoint \
 && chmod -R a+rX /srv/hotline12319/prompts \
 && cd /srv/hotline12319/hotline \
 && chown asterisk:asterisk run log lib spool spool/recording

# Recordings (ARI's stored recordings and the fallback messages) outlive the container.
VOLUME ["/srv/hotline12319/hotline/spool/recording"]
# SIP, ARI (keep it on the private network) and the RTP range of the rendered rtp.conf.
EXPOSE 5060/udp 8088/tcp 20000-20499/udp

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD asterisk -C /srv/hotline12319/hotline/etc/asterisk.conf -rx "core show uptime" >/dev/null || exit 1

ENTRYPOINT ["/usr/local/bin/hotline12319-asterisk-entrypoint"]
CMD ["asterisk", "-C", "/srv/hotline12319/hotline/etc/asterisk.conf", "-f", "-n", "-U", "asterisk", "-G", "asterisk"]
