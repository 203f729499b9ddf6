#!/usr/bin/env bash
# Stop the engine started by start-dockerd.sh, by the pid it recorded (never by name).
set -euo pipefail

PIDFILE="${ALBATROSS_DOCKERD_PIDFILE:-/run/albatross-docker.pid}"
WAIT_SECONDS="${ALBATROSS_DOCKERD_WAIT:-30}"

if [ ! -s "$PIDFILE" ]; then
  echo "stop-dockerd: no pid file $PIDFILE; nothing to stop" >&2
  exit 0
fi
pid="$(cat "$PIDFILE")"
if ! kill -0 "$pid" 2>/dev/null; then
  echo "stop-dockerd: dockerd (pid $pid) is not running; removing stale $PIDFILE" >&2
  rm -f "$PIDFILE"
  exit 0
fi

kill -TERM "$pid"
deadline=$((SECONDS + WAIT_SECONDS))
while kill -0 "$pid" 2>/dev/null; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "stop-dockerd: dockerd (pid $pid) still running after ${WAIT_SECONDS}s; sending KILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    break
  fi
  sleep 0.5
done
rm -f "$PIDFILE"
echo "stop-dockerd: stopped dockerd (pid $pid)" >&2
