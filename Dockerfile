# syntax=docker/dockerfile:1
#
# The payments service: one image for every role. PAYMENTS_MODE picks the role at run time
# (gateway | webhook-receiver | worker | all); every role serves /healthz, /readyz and /metrics on
# PORT (8080). Configuration comes from the environment only (see CONFIG_VARIABLES in
# src/config.ts); no secret is baked into any layer.
#
#   docker build -t payments-service:dev .
#   docker run --rm -e PAYMENTS_MODE=gateway -e STRIPE_KEY=... -e CHARGE_API_TOKEN=... payments-service:dev
#
# Base image: Node 24 LTS pinned by its exact version tag (24.19.0 on Debian 12 "bookworm", slim).
# The tag is pinned rather than the digest because this file was written without registry access;
# when the build runs online, resolve the digest and append it (node:24.19.0-bookworm-slim@sha256:...)
# so the base can never change under the same tag. All three stages use the same base on purpose:
# native modules (@temporalio/core-bridge, @swc/core) resolve their prebuilt binary for the
# platform and libc (glibc) of the stage that installs them, and that must match the runtime.

# ---------------------------------------------------------------------------------------------------
# build: all dependencies, TypeScript compile, and the prebuilt Temporal workflow bundle.
# ---------------------------------------------------------------------------------------------------
FROM node:24.19.0-bookworm-slim AS build
WORKDIR /app
# Manifests first so the dependency layer is cached until package*.json change. Install scripts run
# as package.json's allowScripts says (npm 11 approvals; an older npm runs them all): the three allowed
# (@swc/core, esbuild, protobufjs) only verify their binary or version, nothing is downloaded when the
# platform package from the lockfile is present; @scarf/scarf's (a usage ping, pulled in by the dev
# dependency @asyncapi/parser) is refused.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
# tsc to dist/, then dist/workflow-bundle.js: the worker loads the bundle (WORKFLOW_BUNDLE_PATH
# default) instead of running webpack at start, so every worker of a release runs identical code.
RUN npm run build && test -s dist/workflow-bundle.js

# ---------------------------------------------------------------------------------------------------
# prod-deps: production dependencies only (no TypeScript, eslint, tsx, test server).
# ---------------------------------------------------------------------------------------------------
FROM node:24.19.0-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# @temporalio/core-bridge ships prebuilt native modules for five platforms plus the Rust sources
# (~150 MB); keep only this platform's (the name the bridge itself resolves at load time), then load
# it to prove the pruned tree still works.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && keep="$(node -p "require('./node_modules/@temporalio/core-bridge/common.js').getPrebuiltTargetName()")" \
 && find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 ! -name "$keep" -exec rm -rf {} + \
 && rm -rf node_modules/@temporalio/core-bridge/sdk-core \
 && node -e "require('@temporalio/core-bridge')"

# ---------------------------------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------------------------------
FROM node:24.19.0-bookworm-slim AS runtime
# Every interface inside a container; the service's own default is loopback, safe on a laptop.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
# A dedicated user with a fixed numeric UID/GID, so Kubernetes can verify runAsNonRoot without a
# runAsUser (and the k8s manifests pin the same 10001).
RUN groupadd --system --gid 10001 payments \
 && useradd --system --no-log-init --uid 10001 --gid payments --home-dir /nonexistent --shell /usr/sbin/nologin payments
# Code and dependencies stay owned by root and read-only for the service user: the process writes
# nothing to its image (Kubernetes runs it with readOnlyRootFilesystem).
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER 10001:10001
EXPOSE 8080
# Node runs as PID 1, without tini: main.ts handles SIGTERM and SIGINT itself (stop taking requests,
# drain the worker for WORKER_SHUTDOWN_GRACE_SECONDS, disconnect Kafka, exit 0), so the PID-1 rule
# that ignores signals without a handler never applies; the service spawns no child processes
# (Temporal's core runs in-process threads), so there are no zombies to reap. The exec form keeps
# node itself PID 1 (no shell in between to swallow the signal), and `node` rather than `npm start`
# avoids npm writing to a read-only filesystem.
STOPSIGNAL SIGTERM
# For plain `docker run`; Kubernetes ignores it (the manifests define probes) and docker-compose.yml
# defines its own checks. /healthz is liveness: alive even while a dependency is down.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
