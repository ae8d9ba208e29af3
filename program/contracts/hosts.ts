/**
 * Host names the edge routes on. Every tenant answers on `harness-tenant-<name>.localhost`;
 * the anchor's single-tenant name `harness-tenant.localhost` stays as an alias of the FIRST tenant.
 */
export const LEGACY_TENANT_HOST = "harness-tenant.localhost";

export function tenantHost(tenantName: string): string {
  return `harness-tenant-${tenantName}.localhost`;
}

/** Default org id of a tenant when config does not set one (the anchor's naming). */
export function defaultOrgId(tenantName: string): string {
  return `harness-org-${tenantName}`;
}

/** Tenant names: DNS-label safe, so they can appear in host names, container names and aliases. */
export const TENANT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;
