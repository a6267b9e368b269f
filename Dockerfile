# notesbot's container image. Build from the repository root:
#
#     docker build -t notesbot:0.1.0 .
#
# Runs as uid 10001 on a read-only root filesystem: the only writable place it needs is DATA_DIR
# (/data, a volume: the SQLite database); the notes are mounted read-only (NOTES_DIR, e.g. /notes;
# without it the notes shipped in /app/corpus). The bot serves /healthz, /readyz and /metrics on
# HEALTH_PORT (8080). Nothing at run time goes through a shell: the entry point and the
# HEALTHCHECK exec Python directly.
# docs/deploy.md has the rest; tests/deploy/ lints this file and runs its entry point.

# The same base in both stages: the virtual environment built in the first is copied into the
# second and keeps pointing at /usr/local/bin/python. CI tests on Python 3.11.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: the dependencies, pinned in pyproject.toml, into /opt/venv ----
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /src
COPY pyproject.toml ./
# Only [project].dependencies, exactly as pinned there (not the test or bench extras). The
# project itself is not pip-installed: the bot runs from /app, next to its migrations/ folder,
# which it finds relative to its own package. Wheels only: the slim base has no compiler, and
# every pin has a manylinux wheel.
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > requirements.txt \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --only-binary=:all: --requirement requirements.txt

COPY bot/ /app/bot/
COPY migrations/ /app/migrations/
COPY corpus/ /app/corpus/
COPY deploy/image/probe.py /app/deploy/image/probe.py
# Compiled now: at run time the tree is read-only and PYTHONDONTWRITEBYTECODE is set.
RUN /opt/venv/bin/python -m compileall -q /app

# ---- runtime ----
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="notesbot" \
      org.opencontainers.image.description="A Discord bot that answers questions from a study group's Markdown notes." \
      org.opencontainers.image.licenses="MIT"

# A fixed numeric uid/gid (Kubernetes' runAsNonRoot can only verify a numeric USER), no home,
# no login shell; /data belongs to it for when no volume is mounted there.
RUN groupadd --system --gid 10001 notesbot \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin notesbot \
    && mkdir /data \
    && chown 10001:10001 /data

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/nonexistent \
    DATA_DIR=/data \
    HEALTH_PORT=8080

WORKDIR /app
USER 10001:10001
VOLUME ["/data"]

# The bot's /healthz, /readyz and /metrics (bot/health.py).
EXPOSE 8080

# GET http://127.0.0.1:$HEALTH_PORT/readyz with Python's urllib (deploy/image/probe.py http-ready,
# which reads HEALTH_PORT itself: the exec form runs no shell to expand it, and the slim base has
# no curl): healthy when the index is loaded, the gateway connected and the database answers. The
# start period covers a first index build. Kubernetes ignores HEALTHCHECK and uses the httpGet probes in deploy/.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "/app/deploy/image/probe.py", "http-ready"]

ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
