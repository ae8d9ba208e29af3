#!/usr/bin/env bash
# Builds local stand-ins for the official base images the harness uses, for machines where no image
# registry is reachable (docs/design.md#l5-end-to-end-on-docker). Nothing is pulled: Debian comes from
# debootstrap + `docker import`, the rest are `docker build`s on top of it (apt over plain http to the Debian
# mirror, which models a registry pull). See scripts/base-images/README.md for each image's contract.
#
#   bash scripts/base-images.sh                  build whatever is missing (existing images are skipped)
#   bash scripts/base-images.sh --force          rebuild every image (the cached Debian rootfs is reused)
#   bash scripts/base-images.sh --force postgres rebuild only the named ones (debian node nginx postgres redis)
#   bash scripts/base-images.sh --check          exit 0 if every stand-in exists, 1 (listing them) if not
#   bash scripts/base-images.sh --engine <file>  copy the stand-ins to a remote engine (or every engine of a
#                                                pool file) that lacks them (scripts/base-images-engine.ts)
#
# Env: DEBIAN_MIRROR overrides the mirror read from the machine's apt sources.
# Cache: .harness/base-images/ (gitignored); delete it to re-run debootstrap.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
CONTEXTS="$SCRIPT_DIR/base-images"
CACHE_DIR="$REPO_ROOT/.harness/base-images"
SUITE=bookworm

# Every stand-in, in build order (each service image is FROM the Debian one). The tags mirror the
# official images they replace, under a namespace no registry pull can ever satisfy by accident.
DEBIAN_IMAGE=harness-local/debian:bookworm
NODE_IMAGE=harness-local/node:20
NGINX_IMAGE=harness-local/nginx:1.22
POSTGRES_IMAGE=harness-local/postgres:15
REDIS_IMAGE=harness-local/redis:7
ALL_IMAGES=("$DEBIAN_IMAGE" "$NODE_IMAGE" "$NGINX_IMAGE" "$POSTGRES_IMAGE" "$REDIS_IMAGE")

# Marks our images as local stand-ins. Deliberately not `harness.stack`: the harness's "nothing
# labelled for the stack is left" checks must not count base images.
LABEL_KEY=harness.base
LABEL_VALUE=local

log() { printf '[base-images] %s\n' "$*" >&2; }
die() {
  printf '[base-images] FATAL: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------------------------------------------
# Docker helpers

require_docker() {
  command -v docker >/dev/null || die "the docker CLI is not installed (apt-get install docker.io)"
  docker info >/dev/null 2>&1 || die "cannot reach the Docker engine (is dockerd running? \`docker info\` fails)"
}

# True if the image exists and carries our label (a same-named image from elsewhere is not ours).
image_ok() {
  local label
  label=$(docker image inspect --format "{{ index .Config.Labels \"$LABEL_KEY\" }}" "$1" 2>/dev/null) || return 1
  [ "$label" = "$LABEL_VALUE" ]
}

image_id() { docker image inspect --format '{{ .Id }}' "$1" | cut -c8-19; }

# ---------------------------------------------------------------------------------------------------
# Debian mirror: the one this machine's apt already uses, so the stand-ins build wherever apt works.

# Prints the first http(s) URI serving $SUITE from deb822 sources (*.sources) or one-line sources.
mirror_from_apt_sources() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    # deb822: blank-line separated stanzas; take URIs of the first stanza whose Suites has $SUITE.
    awk -v suite="$SUITE" '
      function flush() { if (has_suite && uri != "") { print uri; found = 1; exit } uri = ""; has_suite = 0 }
      /^[[:space:]]*$/ { flush(); next }
      /^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\//) { uri = $i; break } }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) has_suite = 1 }
      END { if (!found) flush() }
    ' "$file" | head -n1
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    # one-line: deb [options] URI suite components…
    awk -v suite="$SUITE" '
      $1 == "deb" { sub(/\[[^]]*\][[:space:]]*/, ""); if ($2 ~ /^https?:\/\// && $3 == suite) { print $2; exit } }
    ' "$file"
  done
}

debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then
    printf '%s\n' "${DEBIAN_MIRROR%/}"
    return
  fi
  local found
  found=$(mirror_from_apt_sources | head -n1)
  printf '%s\n' "${found:-http://deb.debian.org/debian}" | sed 's:/*$::'
}

# ---------------------------------------------------------------------------------------------------
# harness-local/debian:bookworm — debootstrap (cached as a tarball) + docker import

ROOTFS_DIR=""
TEMP_PATHS=() # removed on exit, also when a step fails

cleanup() {
  cleanup_rootfs
  [ "${#TEMP_PATHS[@]}" = 0 ] || rm -rf "${TEMP_PATHS[@]}"
}

cleanup_rootfs() {
  [ -n "$ROOTFS_DIR" ] && [ -d "$ROOTFS_DIR" ] || return 0
  # debootstrap mounts /proc and /sys inside the target; an interrupted run can leave them mounted,
  # and rm -rf must never descend into them.
  local mnt
  awk -v root="$ROOTFS_DIR" 'index($2, root "/") == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mnt; do umount -l "$mnt" || true; done
  rm -rf --one-file-system "$ROOTFS_DIR"
}
trap cleanup EXIT

# Builds the cached rootfs tarball unless one made from the same mirror exists.
ensure_rootfs_tarball() {
  local mirror=$1 tarball=$2
  if [ -s "$tarball" ] && [ "$(cat "$tarball.mirror" 2>/dev/null)" = "$mirror" ]; then
    log "debian: using cached rootfs $(realpath --relative-to="$REPO_ROOT" "$tarball")"
    return
  fi
  [ "$(id -u)" = 0 ] || die "debootstrap needs root (run as root, or build $DEBIAN_IMAGE on a machine that can)"
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  case "$mirror" in
    https://*) log "warning: mirror $mirror is https; apt inside containers may fail where HTTPS is intercepted" ;;
  esac

  mkdir -p "$CACHE_DIR"
  ROOTFS_DIR=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
  log "debian: debootstrap --variant=minbase $SUITE from $mirror (30-60 s)"
  local started=$SECONDS
  if ! debootstrap --variant=minbase "$SUITE" "$ROOTFS_DIR" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1; then
    tail -n 20 "$CACHE_DIR/debootstrap.log" >&2 || true
    die "debootstrap failed (full log: $CACHE_DIR/debootstrap.log)"
  fi
  log "debian: debootstrap done in $((SECONDS - started)) s"

  # Make it behave like the official debian image in a container: no service starts during package
  # installs (policy-rc.d), no .deb files kept after installs, no apt lists, none of the host's files.
  install -m 0755 "$CONTEXTS/debian/policy-rc.d" "$ROOTFS_DIR/usr/sbin/policy-rc.d"
  install -m 0644 "$CONTEXTS/debian/docker-clean" "$ROOTFS_DIR/etc/apt/apt.conf.d/docker-clean"
  chroot "$ROOTFS_DIR" apt-get clean
  rm -rf "$ROOTFS_DIR"/var/lib/apt/lists/* "$ROOTFS_DIR"/var/cache/apt/*.bin "$ROOTFS_DIR"/var/log/*.log
  : >"$ROOTFS_DIR/etc/resolv.conf"
  rm -f "$ROOTFS_DIR/etc/hostname"

  # Written under a unique name, then renamed: a concurrent run never reads a half-written tarball.
  local partial
  partial=$(mktemp "$tarball.XXXXXX")
  TEMP_PATHS+=("$partial")
  tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    -C "$ROOTFS_DIR" -cf "$partial" . || die "could not write $tarball"
  chmod 0644 "$partial" # mktemp makes it 0600; docker import reads it as the invoking user
  mv "$partial" "$tarball"
  printf '%s\n' "$mirror" >"$tarball.mirror"
  cleanup_rootfs
  ROOTFS_DIR=""
}

build_debian() {
  local mirror tarball
  mirror=$(debian_mirror)
  tarball="$CACHE_DIR/debian-$SUITE-minbase.tar"
  ensure_rootfs_tarball "$mirror" "$tarball"
  log "debian: docker import → $DEBIAN_IMAGE"
  docker import \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change 'CMD ["bash"]' \
    --change "LABEL $LABEL_KEY=$LABEL_VALUE" \
    --message "debootstrap --variant=minbase $SUITE $mirror" \
    "$tarball" "$DEBIAN_IMAGE" >/dev/null || die "docker import of $tarball failed"
}

# ---------------------------------------------------------------------------------------------------
# Service images: docker build of scripts/base-images/<name>/ FROM the Debian stand-in

# docker_build <image> <context dir> [extra docker build args…]
docker_build() {
  local image=$1 context=$2
  shift 2
  local args=(--build-arg "BASE_IMAGE=$DEBIAN_IMAGE" --label "$LABEL_KEY=$LABEL_VALUE" -t "$image")
  # --force means "really rebuild", including the apt layers docker would otherwise reuse.
  [ "$FORCE" = 1 ] && args+=(--no-cache)
  local logfile
  logfile="$CACHE_DIR/build-$(printf '%s' "$image" | tr '/:' '--').log"
  mkdir -p "$CACHE_DIR"
  if ! docker build "${args[@]}" "$@" "$context" >"$logfile" 2>&1; then
    tail -n 30 "$logfile" >&2 || true
    die "docker build of $image failed (full log: $logfile)"
  fi
}

build_node() {
  # The official node image ships its own Node build; ours ships the host's (v20, glibc-linked,
  # runs on bookworm). The binary must be inside the build context, so assemble one under the cache.
  local node_bin node_version context
  node_bin=$(command -v node) || die "node is not installed on the host; $NODE_IMAGE copies the host's node"
  node_bin=$(realpath "$node_bin")
  node_version=$("$node_bin" -p 'process.versions.node')
  case "$node_version" in
    20.*) ;;
    *) die "$NODE_IMAGE needs the host's node to be v20 (found v$node_version at $node_bin)" ;;
  esac
  mkdir -p "$CACHE_DIR"
  context=$(mktemp -d "$CACHE_DIR/node-context.XXXXXX")
  TEMP_PATHS+=("$context")
  # 0755 so any numeric uid (e.g. --user 10001) can run them; the classic builder has no COPY --chmod.
  install -m 0644 "$CONTEXTS/node/Dockerfile" "$context/Dockerfile"
  install -m 0755 "$CONTEXTS/node/docker-entrypoint.sh" "$context/docker-entrypoint.sh"
  install -m 0755 "$node_bin" "$context/node"
  log "node: host $node_bin (v$node_version)"
  docker_build "$NODE_IMAGE" "$context" --build-arg "NODE_VERSION=$node_version"
}

build_image() {
  case "$1" in
    "$DEBIAN_IMAGE") build_debian ;;
    "$NODE_IMAGE") build_node ;;
    "$NGINX_IMAGE") docker_build "$NGINX_IMAGE" "$CONTEXTS/nginx" ;;
    "$POSTGRES_IMAGE") docker_build "$POSTGRES_IMAGE" "$CONTEXTS/postgres" ;;
    "$REDIS_IMAGE") docker_build "$REDIS_IMAGE" "$CONTEXTS/redis" ;;
    *) die "unknown image $1" ;;
  esac
}

# A rebuild leaves the previous image of each tag untagged. Remove those, newest first (the service
# images before the Debian base they were built on), unless a tag or a container still uses them.
remove_replaced() {
  local i id tags
  for ((i = $#; i >= 1; i--)); do
    id=${!i}
    tags=$(docker image inspect --format '{{ len .RepoTags }}' "$id" 2>/dev/null) || continue
    if [ "$tags" = 0 ] && docker image rm "$id" >/dev/null 2>&1; then
      log "removed  replaced image ${id:7:12}"
    fi
  done
}

# ---------------------------------------------------------------------------------------------------

# The images named on the command line (short names), or all of them.
selected_images() {
  local name image
  [ "$#" -gt 0 ] || set -- debian node nginx postgres redis
  for name in "$@"; do
    for image in "${ALL_IMAGES[@]}"; do
      if [ "${image%%:*}" = "harness-local/$name" ]; then
        printf '%s\n' "$image"
        continue 2
      fi
    done
    die "unknown image: $name (known: debian node nginx postgres redis)"
  done
}

check_all() {
  local image missing=()
  for image in "${IMAGES[@]}"; do
    if image_ok "$image"; then
      log "ok       $image ($(image_id "$image"))"
    else
      missing+=("$image")
      log "MISSING  $image"
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "${#missing[@]} stand-in(s) missing; build them with: bash scripts/base-images.sh"
    return 1
  fi
  log "all ${#IMAGES[@]} stand-ins present"
}

main() {
  if [ "${1:-}" = --engine ]; then
    cd "$REPO_ROOT" && exec node --import tsx scripts/base-images-engine.ts "$@"
  fi
  FORCE=0
  local mode=build names=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --force) FORCE=1 ;;
      --check) mode=check ;;
      -h | --help)
        usage
        return 0
        ;;
      -*) die "unknown option: $1 (see --help)" ;;
      *) names+=("$1") ;;
    esac
    shift
  done
  mapfile -t IMAGES < <(selected_images "${names[@]}")
  [ "${#IMAGES[@]}" -gt 0 ] || exit 1 # selected_images died (its message is printed)

  require_docker
  if [ "$mode" = check ]; then
    check_all
    return
  fi

  local image old_id started total_started=$SECONDS built=0 skipped=0 replaced=()
  for image in "${IMAGES[@]}"; do
    if [ "$FORCE" = 0 ] && image_ok "$image"; then
      log "skip     $image (exists: $(image_id "$image"); --force rebuilds)"
      skipped=$((skipped + 1))
      continue
    fi
    old_id=$(docker image inspect --format '{{ .Id }}' "$image" 2>/dev/null || true)
    log "build    $image"
    started=$SECONDS
    build_image "$image"
    log "built    $image ($(image_id "$image")) in $((SECONDS - started)) s"
    built=$((built + 1))
    [ -z "$old_id" ] || replaced+=("$old_id")
  done
  remove_replaced "${replaced[@]}"
  log "done in $((SECONDS - total_started)) s: $built built, $skipped already present"
}

main "$@"
