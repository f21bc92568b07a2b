# CrisisCell image for web (uvicorn), worker and beat (celery); see docker-compose.yml.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# curl: the web container's health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

# Compiled translations and collected static files, made once at build time.
FROM base AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
COPY . .
# Settings refuse to load without these when DEBUG is off; they serve the build only.
RUN DEBUG=False SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=localhost STATIC_ROOT=/app/staticfiles \
        python manage.py compilemessages --ignore=.venv \
    && DEBUG=False SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=localhost STATIC_ROOT=/app/staticfiles \
        python manage.py collectstatic --no-input \
    && rm -rf /app/var

FROM base
COPY --from=build /app /app
# A non-root user; it owns only what it writes: var/ and the beat schedule's volume.
RUN useradd --system --create-home --uid 10001 crisiscell \
    && mkdir -p /app/var /var/lib/crisiscell /var/lib/crisiscell-anchors \
    && chown crisiscell:crisiscell /app/var /var/lib/crisiscell /var/lib/crisiscell-anchors
USER crisiscell
ENV DEBUG=False \
    STATIC_ROOT=/app/staticfiles \
    CELERY_BEAT_SCHEDULE_FILENAME=/var/lib/crisiscell/celerybeat-schedule
EXPOSE 8000
CMD ["uvicorn", "crisiscell.asgi:application", "--host=0.0.0.0", "--port=8000", "--workers=2", "--no-proxy-headers", "--ws-per-message-deflate=false"]
