# Sourced by install-test-deps and install-run-deps: apt-get that waits (bounded) for
# another apt or dpkg (unattended-upgrades, a second terminal) instead of failing at once.
# apt-get waits for the dpkg lock itself (DPkg::Lock::Timeout), but `apt-get update` does
# not wait for the package lists' lock (apt 2.6): it is retried while that lock is held.
APT_WAIT_SECONDS=${APT_WAIT_SECONDS:-600}

apt_get() {
  apt-get -o DPkg::Lock::Timeout="$APT_WAIT_SECONDS" "$@"
}

apt_update() {
  local deadline=$((SECONDS + APT_WAIT_SECONDS)) out said=""
  while ! out=$(LC_ALL=C apt_get update -qq 2>&1); do
    if ! grep -q "Could not get lock" <<<"$out" || [ "$SECONDS" -ge "$deadline" ]; then
      printf '%s\n' "$out" >&2
      return 1
    fi
    [ -n "$said" ] || echo "waiting up to ${APT_WAIT_SECONDS} s for another apt to finish..." >&2
    said=1
    sleep 2
  done
  [ -z "$out" ] || printf '%s\n' "$out" >&2
}
