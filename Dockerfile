# 支部学习助手 — a slim image that runs the bot as a non-root user, data on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A CJK font, so that charts with Chinese labels render (no empty boxes).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY bot/ bot/
COPY question_bank/ question_bank/
COPY docs/reference/ docs/reference/
COPY config.yaml .

RUN useradd --system --uid 10001 --home-dir /app bot \
    && mkdir -p /data /app/.matplotlib && chown bot /data /app/.matplotlib
USER bot

# The report worker draws charts with matplotlib; its font cache is built once here, in a
# folder the bot may write, not at every start of the worker.
ENV MPLCONFIGDIR=/app/.matplotlib
RUN python -c "from matplotlib import font_manager; font_manager.fontManager"

# The database lives on a volume; the token comes from the environment (BOT_TOKEN) or a
# mounted secret named in telegram.token_file — never from the image.
ENV BOT__DATABASE=/data/bot.sqlite3
VOLUME ["/data"]
# Webhook mode listens here (telegram.mode: webhook, which needs BOT_WEBHOOK_SECRET and an
# https public_url); polling needs no port. Inside the container the port must face the
# container network; publish it to the TLS proxy only.
ENV BOT__TELEGRAM__WEBHOOK__LISTEN=0.0.0.0
EXPOSE 8443

ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
