#!/usr/bin/env bash
# Scripts/watchdog.sh SECONDS COMMAND [ARGS…]
#
# Runs a test command with a time limit, its output line-buffered (so a log cut short still ends
# where the run stood). If the command runs past the limit, prints the processes it started, how
# long each has run, and where every thread of each stands (gdb, when installed and allowed to
# attach; else each thread's kernel wait channel), then stops them all and fails: a hang in CI
# names the test and the line instead of eating the CI's time.
#
# The command runs in a session of its own, and everything in that session is stopped — `swift
# test` starts the test binary in a process group of its own, so stopping the group is not enough.
# INT, TERM and HUP sent to the watchdog stop the session too.
set -uo pipefail
limit=$1; shift

setsid -w stdbuf -oL -eL "$@" &
leader=$!

# Every process of the session (the leader's pid is the session's id).
members() { ps -o pid= -s "$leader" 2>/dev/null; }
stop_all() {
  local p
  for p in $(members); do kill -TERM "$p" 2>/dev/null; done
  sleep 3
  for p in $(members); do kill -KILL "$p" 2>/dev/null; done
}
trap 'stop_all; exit 130' INT TERM HUP

start=$(date +%s)
while kill -0 "$leader" 2>/dev/null; do
  if (( $(date +%s) - start >= limit )); then
    echo "watchdog: '$*' still running after $limit s; its processes:" >&2
    ps -o pid,ppid,pgid,etimes,stat,args -s "$leader" >&2 || true
    for p in $(members); do
      case "$(cat /proc/$p/comm 2>/dev/null)" in
        bash|sh|make|stdbuf|setsid|swift-test|swift-build|ps) continue;;
      esac
      echo "watchdog: threads of pid $p ($(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | cut -c1-200)):" >&2
      stacks=""
      if command -v gdb >/dev/null; then
        stacks=$(timeout 120 gdb -p "$p" -batch -nx -ex "set pagination off" -ex "thread apply all bt 40" 2>&1 \
          | grep -E '^(Thread|#)|ptrace|denied|not permitted' | cut -c1-300)
      fi
      if echo "$stacks" | grep -q '^#'; then
        echo "$stacks" >&2
      else
        [ -n "$stacks" ] && echo "$stacks" >&2
        echo "  (no stacks from gdb; each thread's name, state and kernel wait channel instead)" >&2
        for t in /proc/$p/task/*; do
          echo "  thread $(basename "$t") $(cat "$t/comm" 2>/dev/null) state $(awk '{print $3}' "$t/stat" 2>/dev/null) wchan $(cat "$t/wchan" 2>/dev/null)" >&2
        done
      fi
    done
    stop_all
    wait "$leader" 2>/dev/null
    echo "watchdog: stopped '$*' after $limit s" >&2
    exit 124
  fi
  sleep 2
done
wait "$leader"
