#!/usr/bin/env bash
# cp-stub provision + tenants/config wire shapes — closes #2863 (phase 1).
# Written the way the anchor's tests/harness/replays/*.sh are (docs/anchor.md#cp-stub-provision-config):
# set -euo pipefail, sources ../_curl.sh and ../.seed.env, curl + jq, [replay] lines. It runs unmodified
# here.
#
# The tenant's CP provisioner treats ONLY a 201 carrying instance_id + state as success (the first
# stub answered 200 with other fields and every workspace create logged "provision failed (200)"),
# and the boot-time config refresh reads /cp/tenants/config. Both counters are shared by every
# tenant, whose boot and create calls race this replay: hence ">= initial+1", never "==" (33580451).
# replay-proves: the cp-stub answers provision with 201 + instance_id/state/workspace_id/url and tenants/config with runtimes/llm_endpoints/feature_flags, counts both, and refuses the wrong methods with 405
set -euo pipefail
source "$(dirname "$0")/../_curl.sh"
source "$(dirname "$0")/../.seed.env"

: "${CP_STUB_BASE:?CP_STUB_BASE must point at the cp-stub (published on the host)}"

BODY=$(mktemp)
trap 'rm -f "$BODY"' EXIT

fail() {
  echo "[replay] FAIL: $*"
  exit 1
}
counter() { curl -sS "$CP_STUB_BASE/__stub/state" | jq -r ".$1"; }

initial_provision=$(counter provision_calls)
initial_config=$(counter tenants_config_calls)
echo "[replay] initial counters: provision_calls=$initial_provision tenants_config_calls=$initial_config"

# Provision: 201 with the four fields the tenant's provisioner and the replays read.
code=$(curl -sS -o "$BODY" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d '{"workspace_id":"harness-replay-$$"}' "$CP_STUB_BASE/cp/workspaces/provision")
[ "$code" = 201 ] || fail "POST /cp/workspaces/provision answered $code, the tenant's provisioner needs 201: $(head -c 300 "$BODY")"
jq -e 'has("instance_id") and has("state") and has("workspace_id") and has("url")' "$BODY" >/dev/null ||
  fail "provision body lacks instance_id/state/workspace_id/url: $(head -c 300 "$BODY")"
echo "[replay] provision → 201 $(jq -c . "$BODY")"

now=$(counter provision_calls)
[ "$now" -ge $((initial_provision + 1)) ] ||
  fail "provision_calls is $now after a provision call, expected >= $((initial_provision + 1))"

# Config: 200 with the three sections the tenant's refresh reads.
code=$(curl -sS -o "$BODY" -w '%{http_code}' "$CP_STUB_BASE/cp/tenants/config")
[ "$code" = 200 ] || fail "GET /cp/tenants/config answered $code, expected 200: $(head -c 300 "$BODY")"
jq -e 'has("runtimes") and has("llm_endpoints") and has("feature_flags")' "$BODY" >/dev/null ||
  fail "tenants/config body lacks runtimes/llm_endpoints/feature_flags: $(head -c 300 "$BODY")"
echo "[replay] tenants/config → 200 runtimes=$(jq -c .runtimes "$BODY")"

now=$(counter tenants_config_calls)
[ "$now" -ge $((initial_config + 1)) ] ||
  fail "tenants_config_calls is $now after a config call, expected >= $((initial_config + 1))"

# Wrong methods are refused, not silently served.
code=$(curl -sS -o "$BODY" -w '%{http_code}' -X POST "$CP_STUB_BASE/cp/tenants/config")
[ "$code" = 405 ] || fail "POST /cp/tenants/config answered $code, expected 405: $(head -c 300 "$BODY")"
code=$(curl -sS -o "$BODY" -w '%{http_code}' "$CP_STUB_BASE/cp/workspaces/provision")
[ "$code" = 405 ] || fail "GET /cp/workspaces/provision answered $code, expected 405: $(head -c 300 "$BODY")"

echo "[replay] PASS: cp-stub provision (201 + instance_id/state) and tenants/config wire shapes hold; counters advance (>=); wrong methods 405"
