#!/usr/bin/env bash
# Smoke test of the local stand-in base images (scripts/base-images.sh): starts throwaway containers
# on a throwaway network and checks that each image honours the part of the official image's contract
# the harness relies on (scripts/base-images/README.md). Needs Docker and the images; it is not part
# of `npm test` (tests that need Docker belong to the end-to-end tier).
#
#   bash scripts/base-images-smoke.sh      exit 0 if every check passed, 1 otherwise
#
# Traffic goes only to 127.0.0.1 and to the containers this script starts. Every container, the
# network and the throwaway app image are labelled with this run's id and removed on exit.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

NODE_IMAGE=harness-local/node:20
NGINX_IMAGE=harness-local/nginx:1.22
POSTGRES_IMAGE=harness-local/postgres:15
REDIS_IMAGE=harness-local/redis:7

# Unique per run, so parallel runs (and leftovers of a killed run) never collide.
RUN_ID="base-smoke-$(date +%s)-$$"
LABEL="harness.smoke=$RUN_ID"
NET=$RUN_ID
APP_IMAGE="harness-smoke/node-app:$RUN_ID"
APP_CONTAINER="$RUN_ID-app" # started by smoke_node, proxied to by smoke_nginx
TMP=$(mktemp -d)

PASSED=0
FAILED=0

log() { printf '\n[smoke] %s\n' "$*"; }
die() {
  printf '[smoke] FATAL: %s\n' "$*" >&2
  exit 1
}

cleanup() {
  local ids
  mapfile -t ids < <(docker ps -aq --filter "label=$LABEL" 2>/dev/null || true)
  # -v: the postgres and redis images declare VOLUMEs, as the official ones do; drop them too.
  [ "${#ids[@]}" = 0 ] || docker rm -fv "${ids[@]}" >/dev/null 2>&1 || true
  docker network rm "$NET" >/dev/null 2>&1 || true
  docker image rm -f "$APP_IMAGE" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------
# Checks: each prints PASS or FAIL (with what went wrong) and the run goes on, so one run shows all.

pass() {
  PASSED=$((PASSED + 1))
  printf '  PASS  %s\n' "$1"
}
fail() {
  FAILED=$((FAILED + 1))
  printf '  FAIL  %s\n' "$1"
  [ -z "${2:-}" ] || printf '%s\n' "$2" | tail -n 15 | sed 's/^/        | /'
}

# check <description> <command…>: passes if the command succeeds.
check() {
  local desc=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$desc"; else fail "$desc" "$out"; fi
}

# check_fails <description> <command…>: passes if the command fails.
check_fails() {
  local desc=$1 out
  shift
  if out=$("$@" 2>&1); then fail "$desc" "unexpectedly succeeded: $out"; else pass "$desc"; fi
}

# expect <description> <expected output> <command…>: passes if the command prints exactly that.
expect() {
  local desc=$1 want=$2 out
  shift 2
  out=$("$@" 2>&1) || true
  if [ "$out" = "$want" ]; then pass "$desc"; else fail "$desc" "expected: $want"$'\n'"got: $out"; fi
}

# expect_match <description> <extended regex> <command…>: passes if the output matches.
expect_match() {
  local desc=$1 re=$2 out
  shift 2
  out=$("$@" 2>&1) || true
  if grep -qE -- "$re" <<<"$out"; then pass "$desc"; else fail "$desc" "expected to match: $re"$'\n'"got: $out"; fi
}

# ---------------------------------------------------------------------------------------------------
# Docker helpers: everything is labelled with this run's id (cleanup finds it even after a crash).

# run_bg <name> <docker run options and image…>: a named, labelled container on the test network.
run_bg() {
  local name=$1
  shift
  docker run -d --name "$name" --label "$LABEL" --network "$NET" "$@" >/dev/null
}

# run_once <image> <command…>: a one-shot client container on the test network.
run_once() {
  docker run --rm --label "$LABEL" --network "$NET" "$@"
}

# wait_healthy <container> <seconds>: waits for the container's HEALTHCHECK to report healthy.
wait_healthy() {
  local name=$1 deadline=$((SECONDS + $2)) status
  while [ "$SECONDS" -lt "$deadline" ]; do
    status=$(docker inspect --format '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$name")
    case "$status" in
      running/healthy)
        pass "$name becomes healthy"
        return 0
        ;;
      exited/* | dead/*) break ;;
    esac
    sleep 0.5
  done
  fail "$name becomes healthy (state: $status)" "$(docker logs --tail 20 "$name" 2>&1)"
  return 1
}

# proc_owner <container> <pid>: "<command name> <user>" of a process inside the container.
proc_owner() {
  docker exec "$1" sh -c "printf '%s %s\n' \"\$(cat /proc/$2/comm)\" \"\$(stat -c %U /proc/$2)\""
}

# users_of <container> <command name>: the distinct users running processes with that name.
users_of() {
  docker exec "$1" sh -c "for d in /proc/[0-9]*; do [ \"\$(cat \$d/comm 2>/dev/null)\" = '$2' ] && stat -c %U \$d; done | sort -u | paste -sd ' '"
}

published_port() { docker port "$1" "$2" | head -n1 | sed 's/.*://'; }

stop_signal() { docker inspect --format '{{.Config.StopSignal}}' "$1"; }

# stops_cleanly <container> <log regex>: `docker stop` (STOPSIGNAL, then SIGKILL after 10 s) ends the
# container in time with exit code 0, and its logs show the expected shutdown message.
stops_cleanly() {
  local started=$SECONDS code
  docker stop "$1" >/dev/null
  code=$(docker inspect --format '{{.State.ExitCode}}' "$1")
  if [ "$code" = 0 ] && [ $((SECONDS - started)) -lt 10 ] && grep -qE -- "$2" <<<"$(docker logs "$1" 2>&1)"; then
    return 0
  fi
  echo "exit code $code after $((SECONDS - started)) s; last logs:"
  docker logs --tail 15 "$1" 2>&1
  return 1
}

random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# ---------------------------------------------------------------------------------------------------

smoke_postgres() {
  log "$POSTGRES_IMAGE"
  local pg="$RUN_ID-postgres" password port
  password=$(random_hex 12)
  run_bg "$pg" -p 127.0.0.1::5432 \
    -e POSTGRES_USER=smoke_user -e POSTGRES_PASSWORD="$password" -e POSTGRES_DB=smoke_db \
    --health-cmd 'pg_isready -U smoke_user -d smoke_db -h 127.0.0.1' \
    --health-interval 1s --health-timeout 5s --health-retries 60 \
    "$POSTGRES_IMAGE"
  wait_healthy "$pg" 90 || return 0
  port=$(published_port "$pg" 5432/tcp)

  check "pg_isready -U smoke_user -d smoke_db -h 127.0.0.1 in the container" \
    docker exec "$pg" pg_isready -U smoke_user -d smoke_db -h 127.0.0.1
  expect "the server (PID 1, exec'd by the entrypoint) runs as postgres" "postgres postgres" proc_owner "$pg" 1
  expect "host psql on 127.0.0.1:$port logs in with POSTGRES_USER/PASSWORD into POSTGRES_DB" "smoke_user smoke_db" \
    env PGPASSWORD="$password" psql -h 127.0.0.1 -p "$port" -U smoke_user -d smoke_db -w -X -Atc \
    "select current_user || ' ' || current_database()"
  expect_match "a wrong password is refused over TCP" "password authentication failed" \
    env PGPASSWORD=wrong psql -h 127.0.0.1 -p "$port" -U smoke_user -d smoke_db -w -X -Atc "select 1"
  expect "psql from another container on the network (container name, port 5432); UTF8 database" "UTF8" \
    run_once "$POSTGRES_IMAGE" psql "postgresql://smoke_user:$password@$pg:5432/smoke_db" -X -Atc "show server_encoding"
  expect "STOPSIGNAL is SIGINT" "SIGINT" stop_signal "$pg"
  check "docker stop: fast shutdown, exit code 0" stops_cleanly "$pg" "received fast shutdown request"
  docker start "$pg" >/dev/null
  wait_healthy "$pg" 60 || return 0
  expect_match "restart keeps the data directory (no second initdb)" "Skipping initialization" docker logs "$pg"
  expect_match "without POSTGRES_PASSWORD the first start fails like the official image" \
    "superuser password is not specified" timeout 60 docker run --rm --label "$LABEL" "$POSTGRES_IMAGE"
}

smoke_redis() {
  log "$REDIS_IMAGE"
  local rd="$RUN_ID-redis"
  run_bg "$rd" --health-cmd 'redis-cli ping | grep -q PONG' --health-interval 1s --health-retries 30 "$REDIS_IMAGE"
  wait_healthy "$rd" 60 || return 0

  expect "redis-cli -h $rd ping from another container returns PONG" "PONG" \
    run_once "$REDIS_IMAGE" redis-cli -h "$rd" ping
  expect "SET then GET from another container" "OK smoke" \
    run_once "$REDIS_IMAGE" sh -c "printf '%s %s' \"\$(redis-cli -h $rd set smoke-key smoke)\" \"\$(redis-cli -h $rd get smoke-key)\""
  expect "protected mode is off" "$(printf 'protected-mode\nno')" docker exec "$rd" redis-cli config get protected-mode
  # shellcheck disable=SC2016 # expanded by the container's shell
  expect "redis-server (PID 1) runs as redis" "redis-server redis" \
    docker exec "$rd" sh -c 'printf "%s %s\n" "$(cat /proc/1/comm)" "$(stat -c %U /proc/1)"'
  expect "its working directory is /data" "$(printf 'dir\n/data')" docker exec "$rd" redis-cli config get dir
}

smoke_nginx() {
  log "$NGINX_IMAGE"
  local ng="$RUN_ID-nginx" ng_default="$RUN_ID-nginx-default" port
  # A config copied in before start, the way the harness uploads the cf-proxy config.
  cat >"$TMP/nginx.conf" <<EOF
user nginx;
error_log /var/log/nginx/error.log notice;
events {}
http {
  access_log /var/log/nginx/access.log;
  server {
    listen 8080;
    location / { default_type text/plain; return 200 "smoke $RUN_ID\n"; }
    # The cf-proxy pattern: resolve a container by name at request time through Docker's DNS.
    location = /via-docker-dns {
      resolver 127.0.0.11 valid=1s;
      set \$upstream http://$APP_CONTAINER:3000;
      proxy_pass \$upstream/health;
    }
  }
}
EOF
  docker create --name "$ng" --label "$LABEL" --network "$NET" -p 127.0.0.1::8080 "$NGINX_IMAGE" >/dev/null
  docker cp "$TMP/nginx.conf" "$ng:/etc/nginx/nginx.conf"
  docker start "$ng" >/dev/null
  port=$(published_port "$ng" 8080/tcp)
  check "nginx -t accepts the copied-in config" docker exec "$ng" nginx -t

  local body="" tries
  for tries in $(seq 1 20); do
    body=$(curl -fsS "http://127.0.0.1:$port/smoke-path" 2>/dev/null) && break
    sleep 0.5
  done
  if [ "$body" = "smoke $RUN_ID" ]; then
    pass "serves the copied-in config on 127.0.0.1:$port (after $tries tries)"
  else
    fail "serves the copied-in config on 127.0.0.1:$port" "got: $body; logs: $(docker logs --tail 20 "$ng" 2>&1)"
  fi
  expect "reachable by name from another container" "smoke $RUN_ID" \
    run_once "$NODE_IMAGE" node -e "fetch('http://$ng:8080/').then(r => r.text()).then(t => process.stdout.write(t.trim()))"
  expect "proxies to a container resolved through Docker's DNS (resolver 127.0.0.11)" "ok uid=10001" \
    curl -sS "http://127.0.0.1:$port/via-docker-dns"
  expect_match "access log goes to the container's stdout" '"GET /smoke-path HTTP/1.1" 200' \
    sh -c "docker logs '$ng' 2>/dev/null"
  expect "master (PID 1) runs as root" "nginx root" proc_owner "$ng" 1
  expect "workers run as nginx" "nginx root" users_of "$ng" nginx
  expect "STOPSIGNAL is SIGQUIT" "SIGQUIT" stop_signal "$ng"
  check "docker stop: graceful shutdown, exit code 0" stops_cleanly "$ng" "gracefully shutting down"

  # The image's own default config: the official layout (conf.d/default.conf, port 80, html root).
  run_bg "$ng_default" "$NGINX_IMAGE"
  expect_match "default config serves /usr/share/nginx/html on port 80" "harness-local/nginx:1.22" \
    run_once "$NODE_IMAGE" node -e "
      const go = (n) => fetch('http://$ng_default/').then(r => r.text()).then(t => console.log(t),
        (e) => (n > 0 ? setTimeout(() => go(n - 1), 250) : console.log(String(e))));
      go(20);"
}

smoke_node() {
  log "$NODE_IMAGE"
  # A loopback server and a fetch to it, inside one container, as an arbitrary non-root uid.
  # shellcheck disable=SC2016 # JavaScript template literals, not shell
  local script='
    const http = require("node:http");
    const server = http.createServer((_req, res) => res.end("pong")).listen(0, "127.0.0.1", async () => {
      const res = await fetch(`http://127.0.0.1:${server.address().port}/`);
      console.log(`uid=${process.getuid()} gid=${process.getgid()} ${process.version} ${await res.text()}`);
      server.close();
    });'
  expect_match "node -e as uid 10001 fetches a loopback server" "^uid=10001 gid=10001 v20\.[0-9.]+ pong$" \
    run_once --user 10001:10001 "$NODE_IMAGE" node -e "$script"
  expect "node is on PATH" "/usr/local/bin/node" run_once "$NODE_IMAGE" sh -c 'command -v node'
  expect "entrypoint runs options with node (docker run image -p …)" "2" run_once "$NODE_IMAGE" -p '1 + 1'
  expect "user node is uid/gid 1000" "uid=1000(node) gid=1000(node) groups=1000(node)" run_once "$NODE_IMAGE" id node
  check "ca-certificates bundle present" run_once "$NODE_IMAGE" test -s /etc/ssl/certs/ca-certificates.crt

  # The contract our Dockerfiles rely on: FROM ${NODE_BASE}, node /app/x.js, a numeric non-root USER,
  # and the repo's own HEALTHCHECK script (program/images/healthcheck.cjs).
  mkdir -p "$TMP/app"
  cp "$REPO_ROOT/images/healthcheck.cjs" "$TMP/app/healthcheck.js"
  cat >"$TMP/app/x.js" <<'EOF'
require("node:http")
  .createServer((req, res) => res.end(req.url === "/health" ? `ok uid=${process.getuid()}` : "app"))
  .listen(3000, "0.0.0.0");
EOF
  cat >"$TMP/app/Dockerfile" <<'EOF'
ARG NODE_BASE
FROM ${NODE_BASE}
COPY x.js healthcheck.js /app/
USER 10001
HEALTHCHECK --interval=1s --timeout=3s --retries=30 CMD ["node", "/app/healthcheck.js", "http://127.0.0.1:3000/health"]
CMD ["node", "/app/x.js"]
EOF
  check "docker build FROM \${NODE_BASE}=$NODE_IMAGE (node /app/x.js, USER 10001)" \
    docker build -q --build-arg "NODE_BASE=$NODE_IMAGE" --label "$LABEL" -t "$APP_IMAGE" "$TMP/app"
  local app=$APP_CONTAINER
  run_bg "$app" "$APP_IMAGE"
  wait_healthy "$app" 60 || return 0
  expect "the app answers from another container, running as uid 10001" "ok uid=10001" \
    run_once "$NODE_IMAGE" node -e "fetch('http://$app:3000/health').then(r => r.text()).then(t => process.stdout.write(t))"
}

main() {
  command -v docker >/dev/null || die "docker is not installed"
  docker info >/dev/null 2>&1 || die "cannot reach the Docker engine"
  command -v psql >/dev/null || die "the host's psql is needed (apt-get install postgresql-client)"
  command -v curl >/dev/null || die "the host's curl is needed (apt-get install curl)"
  local image
  for image in "$NODE_IMAGE" "$NGINX_IMAGE" "$POSTGRES_IMAGE" "$REDIS_IMAGE"; do
    docker image inspect "$image" >/dev/null 2>&1 || die "$image is missing; build it with: bash scripts/base-images.sh"
  done

  local started=$SECONDS
  docker network create --label "$LABEL" "$NET" >/dev/null
  printf '[smoke] run %s on network %s\n' "$RUN_ID" "$NET"
  smoke_postgres
  smoke_redis
  smoke_node # before nginx, which proxies to its app container
  smoke_nginx
  printf '\n[smoke] %d passed, %d failed (%d s)\n' "$PASSED" "$FAILED" "$((SECONDS - started))"
  [ "$FAILED" = 0 ]
}

main "$@"
