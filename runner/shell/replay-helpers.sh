# shellcheck shell=bash
# Sourceable helpers with the anchor's names (its tests/harness/_curl.sh, docs/anchor.md#shell-helpers), so
# its replays run unmodified. Every value comes from the environment the replay runner exports
# (runner/shell-env.ts); the defaults below are the anchor's compose values and only apply when a
# variable is unset — `: "${VAR:=…}"`, so the environment always wins. Nothing here is per run.
#
#   source "$HARNESS_HELPERS"          # new scripts
#   source "$(dirname "$0")/../_curl.sh"  # anchor scripts (repo-root shim → this file)

: "${BASE:=http://127.0.0.1:8080}"
: "${ALPHA_HOST:=harness-tenant-alpha.localhost}"
: "${ALPHA_ADMIN_TOKEN:=harness-admin-token-alpha}"
: "${ALPHA_ORG_ID:=harness-org-alpha}"
: "${BETA_HOST:=harness-tenant-beta.localhost}"
: "${BETA_ADMIN_TOKEN:=harness-admin-token-beta}"
: "${BETA_ORG_ID:=harness-org-beta}"
# Legacy single-tenant names point at alpha (the first tenant); TENANT_HOST is the legacy alias host.
: "${TENANT_HOST:=harness-tenant.localhost}"
: "${ADMIN_TOKEN:=$ALPHA_ADMIN_TOKEN}"
: "${ORG_ID:=$ALPHA_ORG_ID}"
: "${CP_STUB_BASE:=http://127.0.0.1:9090}"
: "${PGCONNECT_TIMEOUT:=10}"
export PGCONNECT_TIMEOUT

# --- anonymous: Host header only (/health, /buildinfo) -------------------------------------------
curl_anon() { curl -sS -H "Host: $TENANT_HOST" "$@"; }
curl_alpha_anon() { curl -sS -H "Host: $ALPHA_HOST" "$@"; }
curl_beta_anon() { curl -sS -H "Host: $BETA_HOST" "$@"; }

# --- admin: Host + bearer + org header + JSON content type ---------------------------------------
_harness_curl_creds() { # <host> <token> <org> curl-args…
  local host=$1 token=$2 org=$3
  shift 3
  curl -sS -H "Host: $host" -H "Authorization: Bearer $token" -H "X-Molecule-Org-Id: $org" \
    -H "Content-Type: application/json" "$@"
}
curl_admin() { _harness_curl_creds "$TENANT_HOST" "$ADMIN_TOKEN" "$ORG_ID" "$@"; }
curl_alpha_admin() { _harness_curl_creds "$ALPHA_HOST" "$ALPHA_ADMIN_TOKEN" "$ALPHA_ORG_ID" "$@"; }
curl_beta_admin() { _harness_curl_creds "$BETA_HOST" "$BETA_ADMIN_TOKEN" "$BETA_ORG_ID" "$@"; }

# --- deliberately WRONG: one tenant's credentials sent to the other tenant's Host ----------------
curl_alpha_creds_at_beta() { _harness_curl_creds "$BETA_HOST" "$ALPHA_ADMIN_TOKEN" "$ALPHA_ORG_ID" "$@"; }
curl_beta_creds_at_alpha() { _harness_curl_creds "$ALPHA_HOST" "$BETA_ADMIN_TOKEN" "$BETA_ORG_ID" "$@"; }

# --- workspace bearer (alpha host/org) -----------------------------------------------------------
curl_workspace() {
  : "${WORKSPACE_TOKEN:?set WORKSPACE_TOKEN to a workspace token (mint one with POST /admin/workspaces/:id/tokens)}"
  _harness_curl_creds "$ALPHA_HOST" "$WORKSPACE_TOKEN" "$ALPHA_ORG_ID" "$@"
}

# --- psql against a tenant's own postgres (loopback URL), unaligned tuples-only as the anchor ----
_harness_psql() { # <url-var-name> psql-args…
  local var=$1
  shift
  local url=${!var:-}
  if [ -z "$url" ]; then
    echo "[replay] FAIL: $var is not set (the replay runner exports each tenant's database URL)" >&2
    return 2
  fi
  psql -X -At -d "$url" "$@"
}
psql_exec() { _harness_psql DATABASE_URL "$@"; }
psql_exec_alpha() { _harness_psql ALPHA_DATABASE_URL "$@"; }
psql_exec_beta() { _harness_psql BETA_DATABASE_URL "$@"; }

# --- any tenant by config name (new scripts): <name> curl/psql-args… ------------------------------
_harness_prefix() { local p=${1^^}; echo "${p//[^A-Z0-9]/_}"; }
_harness_var() { # <tenant> <SUFFIX>
  local name
  name="$(_harness_prefix "$1")_$2"
  if [ -z "${!name:-}" ]; then
    echo "[replay] FAIL: $name is not set (no tenant \"$1\"? tenants: ${HARNESS_TENANTS:-unknown})" >&2
    return 2
  fi
  printf '%s' "${!name}"
}
curl_tenant_anon() {
  local host
  host=$(_harness_var "$1" HOST) || return 2
  shift
  curl -sS -H "Host: $host" "$@"
}
curl_tenant_admin() {
  local host token org
  host=$(_harness_var "$1" HOST) && token=$(_harness_var "$1" ADMIN_TOKEN) && org=$(_harness_var "$1" ORG_ID) || return 2
  shift
  _harness_curl_creds "$host" "$token" "$org" "$@"
}
# curl_creds_at <creds-tenant> <host-tenant>: the first tenant's bearer + org sent to the second's Host.
curl_creds_at() {
  local host token org
  token=$(_harness_var "$1" ADMIN_TOKEN) && org=$(_harness_var "$1" ORG_ID) && host=$(_harness_var "$2" HOST) || return 2
  shift 2
  _harness_curl_creds "$host" "$token" "$org" "$@"
}
psql_exec_tenant() {
  local var
  var="$(_harness_prefix "$1")_DATABASE_URL"
  shift
  _harness_psql "$var" "$@"
}
