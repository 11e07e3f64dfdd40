# The hotline's public SIP address in a cluster (issue 14): Debian bookworm's Kamailio 5.6
# with dialplans/kamailio/kamailio.cfg, spreading calls over the hotline nodes (dispatcher)
# and probing them with SIP OPTIONS. Build from the repository root (compose.cluster.yaml does):
#   docker build -f docker/kamailio.Dockerfile -t hotline12319-kamailio .
# Run-time settings (docker/kamailio-entrypoint.sh): HOTLINE_NODES (required),
# SIP_EXTERNAL_ADDRESS (optional).
FROM debian:bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends kamailio \
 && rm -rf /var/lib/apt/lists/*
COPY dialplans/kamailio/kamailio.cfg /etc/hotline12319/kamailio.cfg
COPY docker/kamailio-entrypoint.sh /usr/local/bin/hotline12319-kamailio
EXPOSE 5060/udp
ENTRYPOINT ["/usr/local/bin/hotline12319-kamailio"]
