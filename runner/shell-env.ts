/**
 * The environment every replay process gets: the anchor's variable names (so its bash replays run
 * unmodified), generalised to any tenant names, plus HARNESS_HELPERS for new scripts.
 *
 * Per tenant <N> (name upper-cased, `-` → `_`): <N>_HOST, <N>_ADMIN_TOKEN, <N>_ORG_ID,
 * <N>_DATABASE_URL, <N>_PARENT_ID, <N>_CHILD_ID, <N>_WORKSPACE_ID (= parent), <N>_CONTAINER.
 * ALPHA_* / BETA_* always exist as the anchor's two tenants: a tenant literally named alpha/beta,
 * else the first / next tenant in config order. Legacy single-tenant names point at ALPHA:
 * TENANT_HOST (the legacy host), ADMIN_TOKEN, ORG_ID, DATABASE_URL, ALPHA_ID (alpha parent) and
 * BETA_ID (alpha's CHILD, exactly as the anchor's seed.sh wrote it).
 */
import type { SeedResult } from "../program/contracts/seed";
import type { HarnessTarget, TenantTarget } from "../program/contracts/target";

export function envPrefix(tenantName: string): string {
  return tenantName.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** Which tenants the anchor's ALPHA and BETA names stand for. */
export function anchorTenants(tenants: readonly TenantTarget[]): {
  alpha: TenantTarget;
  beta: TenantTarget | undefined;
} {
  const named = (name: string) => tenants.find((t) => t.name === name);
  const alpha = named("alpha") ?? tenants.find((t) => t.name !== "beta") ?? tenants[0];
  const beta = named("beta") ?? tenants.find((t) => t !== alpha);
  return { alpha, beta };
}

function tenantVars(prefix: string, t: TenantTarget, seed: SeedResult): Record<string, string> {
  const vars: Record<string, string> = {
    [`${prefix}_HOST`]: t.host,
    [`${prefix}_ADMIN_TOKEN`]: t.adminToken,
    [`${prefix}_ORG_ID`]: t.orgId,
    [`${prefix}_DATABASE_URL`]: t.databaseUrl,
  };
  if (t.container) vars[`${prefix}_CONTAINER`] = t.container;
  const ids = seed.tenants[t.name];
  if (ids) {
    vars[`${prefix}_PARENT_ID`] = ids.parent;
    vars[`${prefix}_CHILD_ID`] = ids.child;
    vars[`${prefix}_WORKSPACE_ID`] = ids.parent;
  }
  return vars;
}

export interface ShellEnvOptions {
  target: HarnessTarget;
  seed: SeedResult;
  /** Absolute path of the sourceable helper file (exported as HARNESS_HELPERS). */
  helpersFile: string;
}

/** Only the harness variables (the caller layers them over the inherited environment). */
export function harnessEnv({ target, seed, helpersFile }: ShellEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const t of target.tenants) Object.assign(env, tenantVars(envPrefix(t.name), t, seed));
  // The anchor's names win over a literal tenant called e.g. "ALPHA"… which cannot exist (lower-case names).
  const { alpha, beta } = anchorTenants(target.tenants);
  Object.assign(env, tenantVars("ALPHA", alpha, seed));
  if (beta) Object.assign(env, tenantVars("BETA", beta, seed));

  env.BASE = target.edgeUrl;
  env.TENANT_HOST = target.legacyHost;
  env.ADMIN_TOKEN = alpha.adminToken;
  env.ORG_ID = alpha.orgId;
  env.DATABASE_URL = alpha.databaseUrl;
  // Empty when the stack does not publish the cp-stub: then the anchor's own default applies.
  if (target.cpStubUrl) env.CP_STUB_BASE = target.cpStubUrl;
  const alphaIds = seed.tenants[alpha.name];
  if (alphaIds) {
    env.ALPHA_ID = alphaIds.parent;
    env.BETA_ID = alphaIds.child;
  }
  if (target.expectedGitSha) env.HARNESS_GIT_SHA = target.expectedGitSha;
  env.HARNESS_HELPERS = helpersFile;
  env.HARNESS_STACK = target.stack;
  env.HARNESS_TENANTS = target.tenants.map((t) => t.name).join(" ");
  return env;
}

/** `http://<host>:<edge port>`: the edge reached by a tenant's own host name. */
function hostUrl(edgeUrl: string, host: string): string {
  const edge = new URL(edgeUrl);
  return `${edge.protocol}//${host}${edge.port ? `:${edge.port}` : ""}`;
}

/**
 * What a suite (`harness:suites`) gets on top of `harnessEnv`: URLs for test runners that take a base
 * URL rather than a Host header (a browser, Playwright's baseURL) — `*.localhost` resolves to loopback
 * in browsers and curl — and the cp-stub under a URL name. Per tenant <N>_URL (and ALPHA_URL,
 * BETA_URL), TENANT_URL for the legacy host, BASE_URL (= BASE), CP_STUB_URL (= CP_STUB_BASE).
 */
export function suiteEnv(target: HarnessTarget): Record<string, string> {
  const env: Record<string, string> = {};
  for (const t of target.tenants) env[`${envPrefix(t.name)}_URL`] = hostUrl(target.edgeUrl, t.host);
  const { alpha, beta } = anchorTenants(target.tenants);
  env.ALPHA_URL = hostUrl(target.edgeUrl, alpha.host);
  if (beta) env.BETA_URL = hostUrl(target.edgeUrl, beta.host);
  env.TENANT_URL = hostUrl(target.edgeUrl, target.legacyHost);
  env.BASE_URL = target.edgeUrl;
  if (target.cpStubUrl) env.CP_STUB_URL = target.cpStubUrl;
  return env;
}
