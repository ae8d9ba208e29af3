/**
 * /cp/* reverse proxy to CP_UPSTREAM_URL (docs/anchor.md#cp-proxy) behind a fail-closed allowlist: the
 * browser may reach auth, orgs, billing, templates and legal on the CP through its tenant, never the
 * CP's admin, provisioning or tenant-config APIs. A blocked path is an empty 404 and the upstream is
 * never called.
 */
import type { FastifyInstance } from "fastify";
import type { Dispatcher } from "undici";
import { forward } from "./proxy";
import { decodedPath } from "./request-path";

/** Entries ending in `/` match any sub-path; others match exactly or followed by `/…`. */
export const CP_PROXY_ALLOWLIST: readonly string[] = [
  "/cp/auth/",
  "/cp/orgs",
  "/cp/billing/",
  "/cp/templates",
  "/cp/legal/",
];

export const CP_UNAVAILABLE_BODY = "control plane unavailable";

export function isCpPathAllowed(rawUrl: string): boolean {
  const path = decodedPath(rawUrl);
  if (path === null || !path.startsWith("/cp/")) return false;
  // Hardening beyond the anchor: dot segments or backslashes could climb out of an allowed prefix
  // once the upstream (or a URL parser on the way) normalises the path.
  if (path.includes("\\") || path.split("/").some((seg) => seg === "." || seg === "..")) return false;
  return CP_PROXY_ALLOWLIST.some((entry) =>
    entry.endsWith("/") ? path.startsWith(entry) : path === entry || path.startsWith(`${entry}/`),
  );
}

/** Registers `/cp` and `/cp/*` (all methods) in an instance whose body parsers pass the stream through. */
export function registerCpProxy(app: FastifyInstance, upstream: URL, dispatcher: Dispatcher): void {
  for (const url of ["/cp", "/cp/*"]) {
    app.all(url, async (request, reply) => {
      if (!isCpPathAllowed(request.raw.url ?? "/")) return reply.code(404).send();
      return forward(request, reply, { target: upstream, dispatcher, unavailableBody: CP_UNAVAILABLE_BODY });
    });
  }
}
