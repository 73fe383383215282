#!/usr/bin/env bash
# The local AWS: moto from the project's venv plus our extensions (scripts/local_aws),
# on 127.0.0.1.
#   scripts/local-aws.sh start [PORT]   start it (default: a free port) and print its endpoint
#   scripts/local-aws.sh stop           stop it (by the pid it recorded)
#   scripts/local-aws.sh endpoint       print the endpoint of the running server
# State lives in .local-aws/ (pid, port, log).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="$root/.local-aws"
mkdir -p "$state"

running() { [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; }

case "${1:-}" in
  start)
    if running; then echo "http://127.0.0.1:$(cat "$state/port")"; exit 0; fi
    bash "$root/scripts/setup.sh" >/dev/null
    port="${2:-$("$root/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
    (cd "$root/scripts" && PYTHONPATH="$root/scripts" exec nohup "$root/.venv/bin/python" -m local_aws -H 127.0.0.1 -p "$port" >"$state/log" 2>&1) &
    echo $! >"$state/pid"
    echo "$port" >"$state/port"
    for _ in $(seq 1 600); do
      running || { echo "local AWS exited; see $state/log" >&2; exit 1; }
      if "$root/.venv/bin/python" -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null; then
        echo "http://127.0.0.1:$port"; exit 0
      fi
      sleep 0.1
    done
    echo "local AWS did not start; see $state/log" >&2; exit 1 ;;
  stop)
    if running; then kill "$(cat "$state/pid")"; fi
    rm -f "$state/pid" "$state/port" ;;
  endpoint)
    running || { echo "the local AWS is not running; start it with scripts/local-aws.sh start" >&2; exit 1; }
    echo "http://127.0.0.1:$(cat "$state/port")" ;;
  *) echo "usage: scripts/local-aws.sh start [PORT] | stop | endpoint" >&2; exit 2 ;;
esac
