#!/usr/bin/env bash
# Start a private Docker engine for the test suite, configured the way that works on these
# machines (see ENVIRONMENT.md: vfs storage, cgroupfs, no iptables, no bridge). Idempotent:
# does nothing when an engine already answers on the socket. Prints DOCKER_HOST=... at the end.
set -euo pipefail

SOCK=/run/albatross-docker.sock
PIDFILE=/run/albatross-docker.pid
LOG=/var/log/albatross-dockerd.log
DATA_ROOT=/var/lib/albatross-docker
# Own exec-root too, so a system dockerd (if any) and this one never share state.
EXEC_ROOT=/run/albatross-docker
CONFIG_DIR=/etc/albatross-docker
CONFIG="$CONFIG_DIR/daemon.json"
WAIT_SECONDS="${ALBATROSS_DOCKERD_WAIT:-60}"
# overlay2 is much faster per `docker run` where the data-root sits on ext4/xfs (measured here:
# ~2 s instead of ~12 s); vfs works everywhere (also overlay-on-overlay). `auto` tries overlay2
# and falls back to vfs when the daemon refuses it. Images are per driver.
STORAGE_DRIVER="${ALBATROSS_DOCKER_STORAGE_DRIVER:-auto}"
export DOCKER_HOST="unix://$SOCK"

say() { echo "start-dockerd: $*" >&2; }

engine_answers() { docker info >/dev/null 2>&1; }

if [ "$(id -u)" -ne 0 ]; then
  say "must run as root (dockerd and apt-get need it)"
  exit 1
fi

# Install what is missing; apt-get update at most once.
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if command -v docker >/dev/null 2>&1 && engine_answers; then
  say "engine already answering on $SOCK"
  echo "DOCKER_HOST=$DOCKER_HOST"
  exit 0
fi

running_pid() {
  local pid
  [ -s "$PIDFILE" ] || return 1
  pid="$(cat "$PIDFILE")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# Starts dockerd with storage driver $1 and waits until it answers; returns 1 on failure.
start_engine() {
  local driver="$1"
  rm -f "$PIDFILE" "$SOCK"
  mkdir -p "$CONFIG_DIR" "$DATA_ROOT" "$EXEC_ROOT" "$(dirname "$LOG")"
  cat >"$CONFIG.tmp" <<JSON
{
  "storage-driver": "$driver",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "iptables": false,
  "bridge": "none",
  "default-ulimits": {},
  "data-root": "$DATA_ROOT",
  "exec-root": "$EXEC_ROOT",
  "pidfile": "$PIDFILE",
  "hosts": ["unix://$SOCK"]
}
JSON
  mv -f "$CONFIG.tmp" "$CONFIG"
  say "starting dockerd with storage driver $driver (config $CONFIG, log $LOG)"
  # setsid: its own session, so it outlives the shell (and job control) that started it.
  setsid dockerd --config-file "$CONFIG" >>"$LOG" 2>&1 </dev/null &
  pid=$!
  wait_for_engine
}

wait_for_engine() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  until engine_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "dockerd (pid $pid) exited; last lines of $LOG:"
      tail -n 40 "$LOG" >&2 || true
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "dockerd did not answer on $SOCK within ${WAIT_SECONDS}s; last lines of $LOG:"
      tail -n 40 "$LOG" >&2 || true
      kill "$pid" 2>/dev/null || true
      return 1
    fi
    sleep 0.5
  done
}

if pid="$(running_pid)"; then
  say "dockerd (pid $pid) is running but not answering yet; waiting for it"
  wait_for_engine
elif [ "$STORAGE_DRIVER" = auto ]; then
  if ! start_engine overlay2; then
    say "overlay2 refused here; falling back to vfs"
    sleep 1
    start_engine vfs
  fi
else
  start_engine "$STORAGE_DRIVER"
fi

say "engine ready: $(docker version --format 'server {{.Server.Version}}, client {{.Client.Version}}')"
echo "DOCKER_HOST=$DOCKER_HOST"
