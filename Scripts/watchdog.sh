#!/usr/bin/env bash
# Scripts/watchdog.sh SECONDS COMMAND [ARGS…]
#
# Runs a test command with a time limit, its output line-buffered (so a log cut short still ends
# where the run stood). If the command runs past the limit, prints the processes it started, how
# long each has run, and where every thread of each stands (gdb, when installed), then stops them
# all and fails: a hang in CI names the test and the line instead of eating the CI's time.
set -uo pipefail
limit=$1; shift

# Its own process group, so that everything it started can be stopped together.
setsid stdbuf -oL -eL "$@" &
leader=$!
start=$(date +%s)
while kill -0 "$leader" 2>/dev/null; do
  if (( $(date +%s) - start >= limit )); then
    echo "watchdog: '$*' still running after $limit s; its processes:" >&2
    ps -o pid,ppid,etimes,stat,args -g "$leader" >&2 || true
    if command -v gdb >/dev/null; then
      for p in $(ps -o pid= -g "$leader"); do
        case "$(cat /proc/$p/comm 2>/dev/null)" in
          bash|sh|make|stdbuf|setsid|swift-test|swift-build) continue;;
        esac
        echo "watchdog: threads of pid $p ($(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | cut -c1-200)):" >&2
        timeout 120 gdb -p "$p" -batch -nx -ex "set pagination off" -ex "thread apply all bt 40" 2>/dev/null \
          | grep -E '^(Thread|#)' | cut -c1-300 >&2 || true
      done
    else
      echo "watchdog: gdb is not installed, so no stacks" >&2
    fi
    kill -TERM -- "-$leader" 2>/dev/null; sleep 5; kill -KILL -- "-$leader" 2>/dev/null
    wait "$leader" 2>/dev/null
    echo "watchdog: stopped '$*' after $limit s" >&2
    exit 124
  fi
  sleep 2
done
wait "$leader"
