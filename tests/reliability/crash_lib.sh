# crash_lib.sh - helpers of the SIGKILL tests (sourced; not a test itself).
# Kill points are chosen so the tests do not depend on the machine's speed or load: a round
# either waits until the run has written a new checkpoint (so every round makes progress) or
# starts the clock at launch, then sleeps a random fraction of the uninterrupted run's duration.

now_s() { date +%s.%N; }

# inode NAME: the file's inode number, "-" if absent. Every atomic write (temporary file +
# rename) gives the final name a new inode, so a change means a new complete file.
inode() { stat -c %i "$1" 2>/dev/null || echo -; }

# wait_new FILE INODE PID [TIMEOUT]: until FILE exists with another inode than INODE, PID exits
# or TIMEOUT seconds (default 300) pass. Returns 0 if a new FILE appeared.
wait_new() {
  local f=$1 ino=$2 pid=$3 end=$(( $(date +%s) + ${4:-300} ))
  while [ "$(date +%s)" -lt $end ]; do
    [ "$(inode "$f")" != "$ino" ] && [ "$(inode "$f")" != - ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.02
  done
  return 1
}

# random_sleep DURATION MAXFRAC: sleep a random fraction in [0, MAXFRAC] of DURATION seconds
# ($RANDOM: seed it for a reproducible sequence of fractions).
random_sleep() {
  sleep "$(awk -v d="$1" -v f="$2" -v r=$RANDOM 'BEGIN { printf "%.3f", d * f * r / 32767 }')"
}

# kill_now PID: SIGKILL; returns 0 if the process was still running.
kill_now() {
  local rc=1
  kill -9 "$1" 2>/dev/null && rc=0
  wait "$1" 2>/dev/null
  return $rc
}

# no_tmp DIR: count of temporary files (NAME.tmp or NAME.tmp.PID) left in DIR.
count_tmp() { ls -a "$1" | grep -cE '\.tmp(\.[0-9]+)?$'; }
