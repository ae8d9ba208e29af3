#!/usr/bin/env bash
# Replay fixture written exactly in the anchor harness's style (tests/harness/replays/*.sh):
# TenantGuard isolation + per-tenant DB partitioning. It sources ../_curl.sh and ../.seed.env from
# the directory above the replays directory and uses curl, jq and psql. Used UNMODIFIED by
# runner/shell-compat.test.ts to prove anchor replays run under the runner.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=/dev/null
source "$HERE/../_curl.sh"
# shellcheck source=/dev/null
source "$HERE/../.seed.env"

PASS=0
FAIL=0
assert_status() {
  local label=$1 want=$2 got=$3
  if [ "$got" = "$want" ]; then
    echo "[replay] ✓ $label (HTTP $got)"
    PASS=$((PASS + 1))
  else
    echo "[replay] FAIL $label: expected HTTP $want, got $got"
    FAIL=$((FAIL + 1))
  fi
}
assert() {
  local label=$1 want=$2 got=$3
  if [ "$got" = "$want" ]; then
    echo "[replay] ✓ $label"
    PASS=$((PASS + 1))
  else
    echo "[replay] FAIL $label: expected '$want', got '$got'"
    FAIL=$((FAIL + 1))
  fi
}

BODY=$(mktemp)
trap 'rm -f "$BODY"' EXIT

# A: each tenant's admin lists its own workspaces.
code=$(curl_alpha_admin -o "$BODY" -w '%{http_code}' "$BASE/workspaces")
assert_status "A1 alpha admin at alpha" 200 "$code"
alpha_names=$(jq -r '[.[].name] | sort | join(",")' "$BODY")
code=$(curl_beta_admin -o "$BODY" -w '%{http_code}' "$BASE/workspaces")
assert_status "A2 beta admin at beta" 200 "$code"
beta_names=$(jq -r '[.[].name] | sort | join(",")' "$BODY")

# B/C: deliberately wrong credentials are refused with an empty 404 (no existence leak).
code=$(curl_alpha_creds_at_beta -o "$BODY" -w '%{http_code}' "$BASE/workspaces")
assert_status "B1 alpha creds at beta" 404 "$code"
if grep -qiE 'tenant|org|forbidden|denied' "$BODY"; then
  echo "[replay] FAIL B2 404 body leaks: $(head -c 200 "$BODY")"
  FAIL=$((FAIL + 1))
else
  PASS=$((PASS + 1))
fi
code=$(curl_beta_creds_at_alpha -o "$BODY" -w '%{http_code}' "$BASE/workspaces")
assert_status "C1 beta creds at alpha" 404 "$code"

# E: missing org header → 400 with the machine-readable code.
code=$(curl -sS -H "Host: $ALPHA_HOST" -H "Authorization: Bearer $ALPHA_ADMIN_TOKEN" -o "$BODY" -w '%{http_code}' "$BASE/workspaces")
assert_status "E1 no org header" 400 "$code"
if jq -e '.code == "TENANT_ORG_HEADER_REQUIRED" and .required_header == "X-Molecule-Org-Id"' "$BODY" >/dev/null; then
  PASS=$((PASS + 1))
else
  echo "[replay] FAIL E2 body: $(head -c 200 "$BODY")"
  FAIL=$((FAIL + 1))
fi

# F: per-tenant lists hold exactly the seeded names, and the DB agrees with the seed ids.
assert "F1 alpha names" "alpha-child,alpha-parent" "$alpha_names"
assert "F2 beta names" "beta-child,beta-parent" "$beta_names"
assert "F3 alpha parent id in alpha's DB" "$ALPHA_PARENT_ID" \
  "$(psql_exec_alpha -c "SELECT id FROM workspaces WHERE name = 'alpha-parent'")"
assert "F4 zero beta rows in alpha's DB" 0 \
  "$(psql_exec_alpha -c "SELECT count(*) FROM workspaces WHERE name LIKE 'beta-%'")"
beta_child_parent=$(psql_exec_beta <<SQL
SELECT parent_id FROM workspaces WHERE id = '$BETA_CHILD_ID';
SQL
)
assert "F5 beta child hangs under beta parent" "$BETA_PARENT_ID" "$beta_child_parent"

# Legacy aliases of the Phase-0 seed: ALPHA_ID = alpha parent, BETA_ID = alpha's child.
assert "L1 ALPHA_ID" "$ALPHA_PARENT_ID" "$ALPHA_ID"
assert "L2 BETA_ID" "$ALPHA_CHILD_ID" "$BETA_ID"

# G: /health with only a Host header, on both tenants and the legacy alias.
assert "G1 alpha health" ok "$(curl_alpha_anon "$BASE/health" | jq -r .status)"
assert "G2 beta health" ok "$(curl_beta_anon "$BASE/health" | jq -r .status)"
assert "G3 legacy health" ok "$(curl_anon "$BASE/health" | jq -r .status)"

TOTAL=$((PASS + FAIL))
if [ "$FAIL" -gt 0 ]; then
  echo "[replay] FAIL: $FAIL/$TOTAL assertions failed"
  exit 1
fi
echo "[replay] PASS: $PASS/$TOTAL — TenantGuard isolation + per-tenant DB partitioning hold"
