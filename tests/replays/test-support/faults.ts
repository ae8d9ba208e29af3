/**
 * The bugs the replays exist for, each as the smallest fault that gives a correct reference tenant
 * exactly that bug as seen from outside (docs/anchor.md#bug-classes). Each names the production bug it
 * reproduces. Tenant faults go into the fault proxy in front of one tenant; edge faults change one
 * rule of the rendered nginx config.
 */
import { Pool } from "pg";
import { MISSING_ORG_HEADER_BODY } from "../../../reference-tenant/src/guard";
import type { Fault, UpstreamResponse } from "./fault-proxy";

const PEERS = /^\/registry\/[^/]+\/peers$/;
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

function bearer(value: string | string[] | undefined): string | null {
  const header = Array.isArray(value) ? value[0] : value;
  return header?.startsWith("Bearer ") ? header.slice(7).trim() : null;
}

/** #2397: the peers endpoint answers an unregistered workspace with a success-shaped 200 []. */
export const peersAnswerEmptyListForUnknown: Fault = (req) =>
  PEERS.test(req.path)
    ? {
        response: (res) => (res.status === 404 ? { status: 200, headers: JSON_TYPE, body: "[]" } : res),
      }
    : undefined;

/**
 * #2398 as shipped: /buildinfo exists but is not on the TenantGuard allowlist, so the anonymous
 * verifier gets the guard's rejection (final-form guard: 400 without an org header, empty 404 with
 * a wrong one) instead of the SHA.
 */
export function buildinfoNotOnGuardAllowlist(orgId: string): Fault {
  return (req) => {
    if (req.path !== "/buildinfo" || req.headers["x-molecule-org-id"] === orgId) return undefined;
    return req.headers["x-molecule-org-id"] === undefined
      ? { answer: { status: 400, headers: JSON_TYPE, body: JSON.stringify(MISSING_ORG_HEADER_BODY) } }
      : { answer: { status: 404 } };
  };
}

/** #2395: the tenant runs another build than the harness shipped (or GIT_SHA never reached it: "dev"). */
export function buildinfoReports(sha: string): Fault {
  return (req) =>
    req.path === "/buildinfo"
      ? { response: (res) => ({ ...res, body: JSON.stringify({ git_sha: sha }) }) }
      : undefined;
}

/**
 * docs/anchor.md#cross-tenant-isolation: a TenantGuard that stops rejecting a wrong org (any
 * X-Molecule-Org-Id is taken as its own).
 */
export function guardAcceptsAnyOrg(orgId: string): Fault {
  return (req) => {
    if (req.headers["x-molecule-org-id"] !== undefined) req.headers["x-molecule-org-id"] = orgId;
  };
}

/** docs/anchor.md#cross-tenant-isolation: the guard's 404 says whose tenant it is (an existence leak). */
export const guardRejectionNamesTheTenant: Fault = () => ({
  response: (res) =>
    res.status === 404 && res.body === ""
      ? { status: 404, headers: JSON_TYPE, body: JSON.stringify({ error: "tenant org mismatch" }) }
      : res,
});

/**
 * docs/anchor.md#cross-tenant-isolation, under concurrency: every activity write to this tenant also lands in
 * another tenant's DB.
 */
export function activityWritesBleedInto(
  otherDatabaseUrl: string,
  otherWorkspace: string,
): Fault & { end(): Promise<void> } {
  const pool = new Pool({ connectionString: otherDatabaseUrl, max: 2 });
  const fault: Fault = (req) =>
    req.method === "POST" && /^\/workspaces\/[^/]+\/activity$/.test(req.path)
      ? {
          body: async (text) => {
            const row = JSON.parse(text) as { activity_type?: string; summary?: string };
            await pool.query(
              "INSERT INTO activity_logs (workspace_id, activity_type, summary) VALUES ($1, $2, $3)",
              [otherWorkspace, row.activity_type ?? "a2a_receive", row.summary ?? null],
            );
          },
        }
      : undefined;
  return Object.assign(fault, { end: () => pool.end() });
}

/**
 * docs/anchor.md#env-gated-middleware-drift: the /cp/* allowlist opens the CP's admin API (such requests go
 * straight to the CP).
 */
export function cpAdminPathsOpen(cpStubUrl: string): Fault {
  return (req) => {
    if (!req.path.startsWith("/cp/admin/")) return undefined;
    req.headers.host = new URL(cpStubUrl).host;
    return { origin: cpStubUrl };
  };
}

/** The /cp/* proxy drops Authorization, so every CP call the browser makes through its tenant is anonymous. */
export const cpProxyDropsAuthorization: Fault = (req) => {
  if (req.path === "/cp" || req.path.startsWith("/cp/")) delete req.headers.authorization;
};

/** #451: the canvas fallback forwards the caller's credentials (a plain proxy to the canvas). */
export function canvasFallbackKeepsCredentials(orgId: string, canvasUrl: string): Fault {
  return (req) => {
    if (req.path !== "/__canvas/request" || req.headers["x-molecule-org-id"] !== orgId) return undefined;
    req.headers.host = new URL(canvasUrl).host;
    return { origin: canvasUrl };
  };
}

/** docs/anchor.md#strict-auth: AdminAuth takes any bearer for the admin token. */
export function adminAuthAcceptsAnyBearer(adminToken: string): Fault {
  return (req) => {
    const token = bearer(req.headers.authorization);
    if (req.path === "/workspaces" && token !== null && token !== adminToken) {
      req.headers.authorization = `Bearer ${adminToken}`;
    }
  };
}

/**
 * docs/anchor.md#quirks: /registry/:id/peers accepts the admin token for a workspace that holds its own live
 * token.
 */
export function peersAcceptAdminToken(adminToken: string): Fault {
  return (req) =>
    PEERS.test(req.path) && bearer(req.headers.authorization) === adminToken
      ? { answer: { status: 200, headers: JSON_TYPE, body: "[]" } }
      : undefined;
}

/**
 * docs/anchor.md#success-shaped-error-swallowing: a failed CP provisioning is swallowed — the workspace reads
 * as online.
 */
export const provisioningFailureSwallowed: Fault = (req) =>
  req.method === "GET" && /^\/workspaces(\/[^/]+)?$/.test(req.path)
    ? {
        response: (res: UpstreamResponse) => ({
          ...res,
          body: res.body.replaceAll('"status":"failed"', '"status":"online"'),
        }),
      }
    : undefined;

/** #2476 before the fix: the activity list ignores before_ts (paging repeats rows). */
export const activityIgnoresBeforeTs: Fault = (req) => {
  if (!/^\/workspaces\/[^/]+\/activity$/.test(req.path) || !req.query.has("before_ts")) return undefined;
  req.query.delete("before_ts");
  const query = req.query.toString();
  return { url: `${req.path}${query ? `?${query}` : ""}` };
};

/** #2472 before the fix: the activity list ignores peer_id (and so never validates it). */
export const activityIgnoresPeerId: Fault = (req) => {
  if (!/^\/workspaces\/[^/]+\/activity$/.test(req.path) || !req.query.has("peer_id")) return undefined;
  req.query.delete("peer_id");
  const query = req.query.toString();
  return { url: `${req.path}${query ? `?${query}` : ""}` };
};

/** The TenantGuard does not cover /ws: an upgrade without (or with a wrong) org header is let in. */
export function wsOutsideTheGuard(orgId: string): Fault {
  return (req) => {
    if (req.path === "/ws" && req.upgrade) req.headers["x-molecule-org-id"] = orgId;
  };
}

// ── edge faults: one rule of the rendered nginx config broken ───────────────────────────────────

function replaceOnce(conf: string, pattern: RegExp, replacement: string, what: string): string {
  if (!pattern.test(conf)) throw new Error(`edge fault "${what}": the rendered config has no ${pattern}`);
  return conf.replace(pattern, replacement);
}

/** The edge passes the client's CF-Connecting-IP through instead of writing the client address. */
export const edgeTrustsClientConnectingIp = (conf: string) =>
  replaceOnce(conf, /^\s*proxy_set_header CF-Connecting-IP .*\n/m, "", "CF-Connecting-IP passthrough");

/** The anchor's edge: X-Forwarded-Proto = $scheme (http), where production's CDN sends https. */
export const edgeForwardsItsOwnScheme = (conf: string) =>
  replaceOnce(
    conf,
    /proxy_set_header X-Forwarded-Proto '[a-z]+';/,
    "proxy_set_header X-Forwarded-Proto $scheme;",
    "X-Forwarded-Proto $scheme",
  );

/** The anchor's edge: an unknown Host lands on the first tenant (single default server). */
export function edgeRoutesUnknownHostsToFirstTenant(conf: string): string {
  const first = /proxy_pass (http:\/\/[^;]+);/.exec(conf);
  if (!first) throw new Error("edge fault: no proxy_pass in the rendered config");
  return replaceOnce(
    conf,
    /return 421 '[^']*';/,
    `location / { proxy_pass ${first[1]}; }`,
    "unknown host routing",
  );
}

/** The anchor's edge: `Connection ""` and no Upgrade — a WebSocket handshake arrives as a plain GET. */
export function edgeDropsUpgrade(conf: string): string {
  const noUpgrade = replaceOnce(conf, /^\s*proxy_set_header Upgrade .*\n/m, "", "Upgrade passthrough");
  return replaceOnce(
    noUpgrade,
    /proxy_set_header Connection '[^']*';/,
    'proxy_set_header Connection "";',
    "Connection",
  );
}
