#!/usr/bin/env bash
# An API end-to-end suite in the style of the anchor's tests/e2e/test_api.sh, pointed at the harness
# instead of localhost (the seed's Phase 2): curl + jq through the edge, with each tenant's Host header
# and admin token. Run by the replay runner as a `harness:suites` entry (Pulumi.e2e.yaml), which
# exports the stack's endpoints under the anchor's names (runner/README.md, "Environment of a suite").
#
# Prints PASS/FAIL per check and `=== Results: P passed, F failed ===`; exits 1 when a check failed.
# Writes nothing to the checkout; the probe workspace it creates is removed again.
set -uo pipefail
source "$HARNESS_HELPERS"

PASS=0
FAIL=0
pass() { echo "PASS: $1"; PASS=$((PASS + 1)); }
fail() { echo "FAIL: $1"; FAIL=$((FAIL + 1)); }

# check <label> <expected status> <actual status> [<body> <substring the body must contain>]
check() {
  local label=$1 expected=$2 actual=$3 body=${4:-} needle=${5:-}
  if [ "$actual" != "$expected" ]; then
    fail "$label — expected HTTP $expected, got $actual; body: ${body:0:200}"
  elif [ -n "$needle" ] && ! grep -qF -- "$needle" <<<"$body"; then
    fail "$label — HTTP $actual, but the body lacks '$needle': ${body:0:200}"
  else
    pass "$label"
  fi
}

# Each request: body to $BODY_FILE, status to stdout ("000" when the edge cannot be reached).
BODY_FILE=$(mktemp)
trap 'rm -f "$BODY_FILE"' EXIT
status() { "$@" -o "$BODY_FILE" -w '%{http_code}' --max-time 15 || true; }
body() { cat "$BODY_FILE"; }

echo "=== API suite against $BASE (tenants: ${HARNESS_TENANTS:-alpha beta}) ==="

# --- health through the edge, per tenant and on the legacy host -------------------------------------
for tenant in ${HARNESS_TENANTS:-alpha beta}; do
  code=$(status curl_tenant_anon "$tenant" "$BASE/health")
  check "$tenant: GET /health" 200 "$code" "$(body)" '"status":"ok"'
done
code=$(status curl_anon "$BASE/health")
check "legacy host $TENANT_HOST: GET /health" 200 "$code" "$(body)" '"status":"ok"'

# --- the admin lists its own tenant's seeded workspaces ----------------------------------------------
code=$(status curl_alpha_admin "$BASE/workspaces")
check "alpha admin: GET /workspaces" 200 "$code" "$(body)"
if [ "$code" = 200 ]; then
  names=$(jq -r '[.[] | select(.status != "removed") | .name] | sort | join(",")' "$BODY_FILE")
  [ "$names" = "alpha-child,alpha-parent" ] && pass "alpha lists exactly its seeded workspaces" ||
    fail "alpha lists exactly its seeded workspaces — got: $names"
fi

# --- auth failures -----------------------------------------------------------------------------------
code=$(status curl -sS -H "Host: $ALPHA_HOST" -H "X-Molecule-Org-Id: $ALPHA_ORG_ID" "$BASE/workspaces")
check "no bearer token: 401" 401 "$code" "$(body)" "admin auth required"
code=$(status curl -sS -H "Host: $ALPHA_HOST" -H "X-Molecule-Org-Id: $ALPHA_ORG_ID" \
  -H "Authorization: Bearer not-the-admin-token" "$BASE/workspaces")
check "a wrong bearer token: 401" 401 "$code" "$(body)" "invalid admin auth token"

# --- cross-tenant access is refused ------------------------------------------------------------------
code=$(status curl_alpha_creds_at_beta "$BASE/workspaces")
check "alpha's credentials at beta: 404 (TenantGuard)" 404 "$code" "$(body)"
code=$(status curl_beta_creds_at_alpha "$BASE/workspaces")
check "beta's credentials at alpha: 404 (TenantGuard)" 404 "$code" "$(body)"
code=$(status curl_alpha_admin "$BASE/workspaces/$BETA_PARENT_ID")
check "beta's workspace id at alpha: 404 (separate databases)" 404 "$code" "$(body)" "workspace not found"

# --- a write round trip: create, read back over HTTP and in the tenant's own database, remove -------
probe="suite-probe-$$"
code=$(status curl_alpha_admin -X POST "$BASE/workspaces" -d "{\"name\":\"$probe\",\"tier\":1,\"runtime\":\"langgraph\"}")
check "alpha admin: POST /workspaces" 201 "$code" "$(body)" '"status":"provisioning"'
id=$(jq -r '.id // empty' "$BODY_FILE" 2>/dev/null || true)
if [ -n "$id" ]; then
  code=$(status curl_alpha_admin "$BASE/workspaces/$id")
  check "GET /workspaces/<new id>" 200 "$code" "$(body)" "\"name\":\"$probe\""
  row=$(psql_exec_alpha -c "select name from workspaces where id = '$id'" 2>&1)
  [ "$row" = "$probe" ] && pass "the row is in alpha's database (ALPHA_DATABASE_URL)" ||
    fail "the row is in alpha's database (ALPHA_DATABASE_URL) — psql said: $row"
  beta_rows=$(psql_exec_beta -c "select count(*) from workspaces where id = '$id'" 2>&1)
  [ "$beta_rows" = 0 ] && pass "and not in beta's (BETA_DATABASE_URL)" ||
    fail "and not in beta's (BETA_DATABASE_URL) — psql said: $beta_rows"
  code=$(status curl_alpha_admin -X DELETE "$BASE/workspaces/$id")
  check "DELETE /workspaces/<new id>" 200 "$code" "$(body)" '"status":"removed"'
else
  fail "the create answered no id: $(body | head -c 200)"
fi

echo "=== Results: $PASS passed, $FAIL failed ==="
[ "$FAIL" -eq 0 ]
