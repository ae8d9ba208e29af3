/**
 * TenantGuard in its final form (docs/anchor.md#tenantguard). A request reaches this tenant only if it is
 * for this org: the header the CDN worker/edge forwards must match MOLECULE_ORG_ID. Wrong org → an
 * empty 404 (no existence leak); no routing header at all → a 400 that says which header is missing.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { decodedPath } from "./request-path";
import { isSameOriginCanvas } from "./same-origin";

/** Exact matches only: `/health/debug` is guarded. `/buildinfo` is here since the #2398 allowlist fix. */
export const GUARD_ALLOWLIST: ReadonlySet<string> = new Set([
  "/health",
  "/metrics",
  "/registry/register",
  "/registry/heartbeat",
  "/buildinfo",
]);

export const ORG_HEADER = "X-Molecule-Org-Id";
export const FLY_REPLAY_SRC_HEADER = "Fly-Replay-Src";

export const MISSING_ORG_HEADER_BODY = {
  error: "missing tenant routing header",
  code: "TENANT_ORG_HEADER_REQUIRED",
  required_header: ORG_HEADER,
  detail: "SaaS tenant API requests must include X-Molecule-Org-Id matching the organization UUID.",
} as const;

export interface GuardInput {
  /** Raw request URL (path and query). */
  url: string;
  orgHeader?: string;
  flyReplaySrc?: string;
  host?: string;
  referer?: string;
  origin?: string;
}

export type GuardDecision = "pass" | "missing-header" | "wrong-org";

/** `state=<id>` from a Fly-Replay-Src value: `;`-separated, segments trimmed, first `state=` wins. */
export function orgIdFromReplaySrc(value: string): string | null {
  for (const segment of value.split(";")) {
    const trimmed = segment.trim();
    if (trimmed.startsWith("state=")) return trimmed.slice("state=".length);
  }
  return null;
}

export function evaluateTenantGuard(
  input: GuardInput,
  options: { orgId: string; canvasProxyActive: boolean },
): GuardDecision {
  if (options.orgId === "") return "pass";
  const path = decodedPath(input.url);
  if (path !== null && GUARD_ALLOWLIST.has(path)) return "pass";
  // The CP proxy has its own allowlist and the CP its own auth.
  if (path !== null && path.startsWith("/cp/")) return "pass";
  const orgHeader = input.orgHeader ?? "";
  if (orgHeader !== "" && orgHeader === options.orgId) return "pass";
  const replaySrc = input.flyReplaySrc ?? "";
  if (replaySrc !== "" && orgIdFromReplaySrc(replaySrc) === options.orgId) return "pass";
  if (options.canvasProxyActive && isSameOriginCanvas(input)) return "pass";
  return orgHeader === "" && replaySrc === "" ? "missing-header" : "wrong-org";
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** onRequest hook; registered after rate limiting and metrics and before the security headers. */
export function tenantGuardHook(options: { orgId: string; canvasProxyActive: boolean }) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const decision = evaluateTenantGuard(
      {
        url: request.raw.url ?? "/",
        orgHeader: header(request, ORG_HEADER),
        flyReplaySrc: header(request, FLY_REPLAY_SRC_HEADER),
        host: header(request, "host"),
        referer: header(request, "referer"),
        origin: header(request, "origin"),
      },
      options,
    );
    if (decision === "missing-header") return reply.code(400).send(MISSING_ORG_HEADER_BODY);
    // Empty body: 404 not 403, so a wrong org learns nothing about this tenant.
    if (decision === "wrong-org") return reply.code(404).send();
    return undefined;
  };
}
