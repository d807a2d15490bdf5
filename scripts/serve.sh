#!/usr/bin/env bash
# `make serve`: the site as in production, on this machine: the production settings, PostgreSQL and Redis
# from the environment (or .env), migrations, collectstatic, then the Procfile's processes (gunicorn,
# a Celery worker per queue, beat) under honcho. Stop with Ctrl-C (honcho stops them all gracefully).
# `scripts/serve.sh --check` only checks the environment (make serve does it before installing anything).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .env ]; then set -a; . ./.env; set +a; fi

refuse() {
  printf 'make serve: %s\n' "$1" >&2
  shift
  if [ $# -gt 0 ]; then printf '%s\n' "$@" >&2; fi
  printf 'make serve runs the site as in production; `make run` needs none of this.\n' >&2
  exit 2
}
[ -n "${DATABASE_URL:-}" ] || refuse "DATABASE_URL is not set: give the PostgreSQL database," \
  "  e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/truonghoc make serve"
case "$DATABASE_URL" in
  postgres://*|postgresql://*|pgsql://*|psql://*|postgis://*) ;;
  *) refuse "DATABASE_URL is not a PostgreSQL URL (postgres://…): several web processes and workers need PostgreSQL." ;;
esac
[ -n "${REDIS_URL:-}" ] || refuse "REDIS_URL is not set: give the Redis of the cache and the Celery broker," \
  "  e.g. REDIS_URL=redis://127.0.0.1:6379/0 make serve"
[ -n "${SECRET_KEY:-}" ] || refuse "SECRET_KEY is not set: give a long random value," \
  "  e.g. export SECRET_KEY=\$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
if [ "${1:-}" = "--check" ]; then exit 0; fi

export DJANGO_SETTINGS_MODULE=truonghoc.settings.production
# This machine has no TLS terminator or proxy in front: plain HTTP on localhost (a real deployment keeps
# the defaults, SECURE_SSL_REDIRECT on, and sets ALLOWED_HOSTS to its names).
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
export METRICS_ALLOWED_IPS="${METRICS_ALLOWED_IPS:-127.0.0.1,::1}"
export SERVE_DIR="${SERVE_DIR:-var/serve}"
export GUNICORN_BIND="${GUNICORN_BIND:-${HOST:-127.0.0.1}:${PORT:-8000}}"
export GUNICORN_PIDFILE="${GUNICORN_PIDFILE:-$SERVE_DIR/gunicorn.pid}"
# Web and Celery processes write their Prometheus samples here; it must start empty.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$SERVE_DIR/metrics}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR"
mkdir -p "$SERVE_DIR" "$PROMETHEUS_MULTIPROC_DIR"

.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
echo "make serve: http://$GUNICORN_BIND (health: /healthz, /readyz; metrics: /metrics from $METRICS_ALLOWED_IPS)"
exec .venv/bin/honcho --procfile Procfile --env /dev/null start
