/**
 * The control-plane surface the tenants, the canvas and the replays call (docs/anchor.md#control-plane-stub),
 * wire-compatible with the Go cp-stub: same method rules, status codes, JSON field names and order.
 * Not a CP re-implementation: each handler answers one exact path the way the staging CP did when
 * the anchor was written. To add one, see cp-stub/README.md ("Adding a CP route").
 */
import type { Handler } from "./context";
import { decodeGoStringStruct } from "./go-json";
import { sendGoJson } from "./http-io";

/**
 * Go type names the anchor's decode errors would print, e.g. "json: cannot unmarshal number into
 * Go struct field createOrgRequest.slug of type string". The anchor's Go source is not at hand (only
 * its wire shapes, docs/anchor.md#control-plane-stub), so the struct name is an inference; the rest
 * of the message is Go's.
 */
const CREATE_ORG_TYPE = "main.createOrgRequest";
const PROVISION_TYPE = "main.provisionRequest";

/**
 * Real CP: the session endpoint the canvas calls on load. Any method; keeps the canvas from
 * redirecting to login.
 */
const authMe: Handler = ({ res }) => {
  sendGoJson(res, 200, {
    id: "harness-user",
    email: "harness@local",
    org_id: "harness-org",
    roles: ["admin"],
  });
};

/**
 * Real CP: the fleet redeploy admin endpoint. Any method; counted. The redeploy workflow's verify
 * step reads `.results[] | select(.healthz_ok==true) | .slug`.
 */
const redeployFleet: Handler = ({ res, state }) => {
  state.counters.redeployFleetCalls += 1;
  sendGoJson(res, 200, {
    ok: true,
    results: [
      {
        slug: "harness-tenant",
        phase: "redeploy",
        ssm_status: "Success",
        ssm_exit_code: 0,
        healthz_ok: true,
      },
    ],
  });
};

/** Real CP: org creation (admin). POST only; 400 names every missing field (canary #2737 capture). */
const adminOrgs: Handler = ({ method, body, res }) => {
  if (method !== "POST") {
    sendGoJson(res, 405, { error: "method not allowed; expected POST" });
    return;
  }
  const decoded = decodeGoStringStruct(body, ["slug", "name", "owner_user_id"] as const, CREATE_ORG_TYPE);
  if (decoded.error !== null) {
    sendGoJson(res, 400, { error: `invalid JSON: ${decoded.error}` });
    return;
  }
  const missing = (["slug", "name", "owner_user_id"] as const).filter((f) => decoded.fields[f] === "");
  if (missing.length > 0) {
    sendGoJson(res, 400, { error: `${missing.join(", ")} are required`, fields: missing });
    return;
  }
  sendGoJson(res, 201, { ok: true, slug: decoded.fields.slug });
};

/**
 * Real CP: workspace provisioning, called by the tenant's CP provisioner on workspace create. POST
 * only; counted; no auth; body optional. Must be 201 with `instance_id` and `state`: the
 * provisioner treats only 201 as success and decodes those two. `mol-ws-` because an `i-` prefix
 * sends the tenant's file read-back down a retired EC2 path.
 */
const provision: Handler = ({ method, body, res, state, publicUrl }) => {
  if (method !== "POST") {
    sendGoJson(res, 405, { error: "cp-stub: /cp/workspaces/provision only accepts POST" });
    return;
  }
  state.counters.provisionCalls += 1;
  // Decode errors are ignored, as in Go: whatever was decoded before the error still counts.
  const wsid =
    decodeGoStringStruct(body, ["workspace_id"] as const, PROVISION_TYPE).fields.workspace_id || "harness-ws";
  sendGoJson(res, 201, {
    instance_id: `mol-ws-${wsid}`,
    state: "running",
    workspace_id: wsid,
    url: `${publicUrl}/cp/workspaces/${wsid}`,
  });
};

/**
 * Real CP: per-tenant config, fetched by the tenant's boot-time env refresh. GET only; counted.
 * Kept nested as the anchor had it, although the tenant decodes a flat string map (the refresh is
 * best effort; the harness passes the LLM env directly).
 */
const tenantsConfig: Handler = ({ method, res, state, publicUrl }) => {
  if (method !== "GET") {
    sendGoJson(res, 405, { error: "cp-stub: /cp/tenants/config only accepts GET" });
    return;
  }
  state.counters.tenantsConfigCalls += 1;
  sendGoJson(res, 200, {
    tenant_id: "harness-tenant",
    runtimes: ["claude-code", "hermes", "openclaw", "codex", "seo-agent"],
    llm_endpoints: { openai: `${publicUrl}/llm/openai/v1`, anthropic: `${publicUrl}/llm/anthropic/v1` },
    feature_flags: {
      canvas_async_dispatch: true,
      runtime_provision_smoke: true,
      secrets_encryption_key: true,
    },
  });
};

/** Any other `/cp/` path: a clear 501 naming the gap, instead of an opaque proxy 502 at the tenant. */
const notImplemented: Handler = ({ method, target, res }) => {
  sendGoJson(res, 501, {
    error: `cp-stub: handler not implemented for ${method} ${target.path}`,
    hint: "add a handler in cp-stub/src/routes.ts for the scenario you're testing",
  });
};

/** Container readiness. */
const healthz: Handler = ({ res }) => {
  sendGoJson(res, 200, { status: "ok" });
};

/** ServeMux patterns → handlers. Exact paths match only themselves; "/cp/" is the subtree catch-all. */
export const CP_ROUTES: Readonly<Record<string, Handler>> = {
  "/cp/auth/me": authMe,
  "/cp/admin/tenants/redeploy-fleet": redeployFleet,
  "/cp/admin/orgs": adminOrgs,
  "/cp/workspaces/provision": provision,
  "/cp/tenants/config": tenantsConfig,
  "/cp/": notImplemented,
  "/healthz": healthz,
};
