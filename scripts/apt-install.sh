#!/usr/bin/env bash
# apt_install <tag> <package>...: installs Debian packages non-interactively (as root, or with
# passwordless sudo), so it also runs in CI with no standard input; sourced by the ensure-* scripts.
# Waits for another apt/dpkg run (an unattended upgrade, a parallel job) instead of failing on its
# lock; no recommends. Exits non-zero with a message naming <tag> when it cannot install.
apt_install() {
  local tag=$1
  shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "[$tag] apt-get is not available: install Debian's $* package(s)" >&2
    exit 1
  fi
  local sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo_cmd=(sudo -n)
    else
      echo "[$tag] run as root (or with passwordless sudo): apt-get install -y --no-install-recommends $*" >&2
      exit 1
    fi
  fi
  echo "[$tag] installing Debian's $* (apt-get)…" >&2
  local apt_opts=(-o DPkg::Lock::Timeout=300)
  "${sudo_cmd[@]}" apt-get "${apt_opts[@]}" update -qq </dev/null >/dev/null
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "$@" </dev/null >/dev/null
}
