/** The cf-proxy edge's render options, from the harness config (cf-proxy/options.ts is the contract). */
import { EDGE_CONTAINER_PORT, type EdgeOptions } from "../../cf-proxy";
import { ALIASES, PORTS } from "../lib/naming";
import type { EdgeConfig, TenantConfig } from "./schema";

/** Docker's embedded DNS: nginx resolves tenant aliases per request, so a replaced tenant is found again. */
export const DOCKER_DNS = "127.0.0.11";

export function edgeOptions(tenants: readonly Pick<TenantConfig, "name">[], edge: EdgeConfig): EdgeOptions {
  return {
    tenants: tenants.map((t) => ({ name: t.name, upstream: `${ALIASES.tenant(t.name)}:${PORTS.tenant}` })),
    listen: String(EDGE_CONTAINER_PORT),
    forwardedProto: edge.forwardedProto,
    readTimeoutSeconds: edge.readTimeoutSeconds,
    maxBodySize: edge.maxBodySize,
    resolver: DOCKER_DNS,
  };
}
