# briefbot with its briefing baked in: `docker build -t briefbot .`, then
# `docker run --env-file .env -v briefbot-data:/data briefbot` (SQLite in the volume), or
# `docker compose up -d` for the bot with PostgreSQL (compose.yaml; README: "Running it with Docker").
# The entry point is `briefbot`: `docker run --rm briefbot check` proves the baked-in briefing.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/briefbot
COPY pyproject.toml README.md /src/
COPY briefings /src/briefings
COPY seeds /src/seeds
COPY bot /src/bot
# The package carries the briefing and the articles (bot/data links to briefings/ and seeds/):
# the installed bot needs nothing of the source tree.
RUN /opt/briefbot/bin/pip install "/src[postgres]"

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin briefbot \
    && mkdir /data && chown briefbot:briefbot /data
COPY --from=build /opt/briefbot /opt/briefbot
# SQLite in /data unless DATABASE_URL says otherwise; /healthz and /metrics on port 8080.
ENV PATH=/opt/briefbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/briefbot.db \
    HTTP_ADDRESS=0.0.0.0:8080
WORKDIR /data
VOLUME ["/data"]
USER briefbot
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["briefbot", "health"]
ENTRYPOINT ["briefbot"]
CMD ["run"]
