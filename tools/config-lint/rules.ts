/**
 * The coherence rules: pure functions from the harness tenants' environment and the production
 * tenant's to findings. Shared by `npm run lint:config` (tools/config-lint/lint.ts) and the policy pack
 * (tools/policy/policies.ts); nothing here reads a file.
 *
 *   missing  production sets it, the harness does not: a layer or setting the harness skips. Error.
 *   extra    the harness sets it, production does not. Error, unless it is one of the harness's own
 *            documented variables (HARNESS_OWN). What the tenant image's own ENV sets is in both
 *            (production runs the image too): it satisfies `missing` and is never `extra`.
 *   value    a small declared set whose values must agree in kind: MOLECULE_ENV equal; the URL
 *            variables URLs in both, the harness's inside the harness; the layer switches non-empty
 *            in both.
 *
 * A finding names the variable, the rule and the fix. Messages show a value only when it explains
 * the finding and is not secret-looking (tools/config-lint/env.ts): a URL only as scheme://host[:port].
 */
import { ALIASES } from "../../program/lib/naming";
import { isSecretLooking, type EnvMap, type EnvVar } from "./env";

export type Rule = "missing" | "extra" | "value" | "stale-allow";
export const RULES: readonly Rule[] = ["missing", "extra", "value", "stale-allow"];
/** Rules an allow entry may name. */
export const ALLOWABLE_RULES = ["missing", "extra", "value"] as const;
export type AllowableRule = (typeof ALLOWABLE_RULES)[number];

/** error: fails the lint; allowed: an allow entry covers it; documented: a harness variable of its own. */
export type Severity = "error" | "allowed" | "documented";

export interface Finding {
  rule: Rule;
  variable: string;
  /** The harness tenants it concerns (empty for a stale allow entry). */
  tenants: string[];
  severity: Severity;
  message: string;
  fix: string;
  /** Why it is not an error: the allow entry's reason, or the documented harness reason. */
  reason?: string;
}

/** Something the lint could not check; never fails it. */
export interface Note {
  variable?: string;
  message: string;
}

/** One harness tenant's environment: what its container gets, plus what its image's ENV sets. */
export interface TenantEnv {
  tenant: string;
  env: EnvMap;
}

/**
 * The harness's own variables: set on every tenant for a reason of the harness's topology, so
 * production not setting them is expected (docs/pulumi.md, "What every tenant gets").
 */
export const HARNESS_OWN: Readonly<Record<string, string>> = {
  RATE_LIMIT:
    "raised for the harness: all harness traffic arrives from the edge's one IP (harness:rateLimit)",
  MEMORY_PLUGIN_DISABLE: "the memory sidecar needs pgvector, which the harness's plain postgres lacks",
};

/** Values that must be equal on both sides. */
export const EQUAL_VARIABLES: readonly string[] = ["MOLECULE_ENV"];

/** URL variables: URLs on both sides, the harness's pointing inside the harness. */
export const URL_VARIABLES: readonly string[] = [
  "CP_UPSTREAM_URL",
  "MOLECULE_CP_URL",
  "CP_PROVISION_URL",
  "CANVAS_PROXY_URL",
  "DATABASE_URL",
  "REDIS_URL",
  "PLATFORM_URL",
  "MOLECULE_LLM_USAGE_URL",
  "MOLECULE_LLM_BASE_URL",
  "MOLECULE_LLM_ANTHROPIC_BASE_URL",
];

/** Variables that switch a production layer on: non-empty on both sides. */
export const LAYER_SWITCHES: readonly string[] = [
  "MOLECULE_ORG_ID",
  "CP_UPSTREAM_URL",
  "CANVAS_PROXY_URL",
  "ADMIN_TOKEN",
];

/** Whether the harness's value of `name` must be a URL inside the harness. */
export function isHarnessUrlVariable(name: string): boolean {
  return URL_VARIABLES.includes(name) || /_URL$/.test(name);
}

/**
 * The host names a tenant can reach inside the harness: its own container (loopback), the harness's
 * network aliases (program/lib/naming.ts) and every tenant's Postgres and tenant alias.
 */
export function harnessHosts(tenants: readonly string[]): Set<string> {
  const hosts = new Set([
    "localhost",
    "127.0.0.1",
    "[::1]",
    "::1",
    ALIASES.redis,
    ALIASES.cpStub,
    ALIASES.edge,
  ]);
  for (const t of tenants) {
    hosts.add(ALIASES.postgres(t));
    hosts.add(ALIASES.tenant(t));
  }
  return hosts;
}

export interface UrlParts {
  scheme: string;
  host: string;
  port: string;
}

/** `scheme://host…` with a host, or undefined (a bare word, a path, an empty value). */
export function urlParts(value: string): UrlParts | undefined {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value.trim())) return undefined;
  try {
    const url = new URL(value.trim());
    if (url.hostname === "") return undefined;
    return {
      scheme: url.protocol.replace(/:$/, "").toLowerCase(),
      host: url.hostname.toLowerCase(),
      port: url.port,
    };
  } catch {
    return undefined;
  }
}

/** What a message may show of a URL: scheme, host and port (never credentials, path or query). */
export function showUrl(p: UrlParts): string {
  return `${p.scheme}://${p.host}${p.port ? `:${p.port}` : ""}`;
}

export function insideHarness(value: string, hosts: ReadonlySet<string>): boolean {
  const p = urlParts(value);
  return p !== undefined && hosts.has(p.host);
}

/** Schemes of the same kind (a TLS variant is the same kind). */
function schemeFamily(scheme: string): string {
  const families: Record<string, string> = {
    https: "http",
    wss: "ws",
    postgresql: "postgres",
    rediss: "redis",
  };
  return families[scheme] ?? scheme;
}

const ALLOW_HINT = "or allow it, with a reason, in the allow file (harness.drift.yaml)";

function q(value: string): string {
  return JSON.stringify(value);
}

/** The rules for one harness tenant against production. */
export function tenantFindings(
  t: TenantEnv,
  production: EnvMap,
  hosts: ReadonlySet<string>,
): {
  findings: Finding[];
  notes: Note[];
} {
  const findings: Finding[] = [];
  const notes: Note[] = [];
  const add = (rule: Rule, variable: string, message: string, fix: string, extra: Partial<Finding> = {}) =>
    findings.push({ rule, variable, tenants: [t.tenant], severity: "error", message, fix, ...extra });

  // missing
  for (const [name, p] of production) {
    if (t.env.has(name)) continue;
    add(
      "missing",
      name,
      `production sets it (${p.source}); the harness does not: a layer or setting the harness skips`,
      isSecretLooking(p)
        ? `wire it in program/lib/tenant-env.ts (tenantEnvVars) as a secret; ${ALLOW_HINT}`
        : `set it for every tenant: \`pulumi config set --path 'harness:tenantEnv.${name}' <value>\` (a layer: wire it in program/lib/tenant-env.ts); ${ALLOW_HINT}`,
    );
  }

  // extra
  for (const [name, h] of t.env) {
    if (production.has(name) || h.origin === "image") continue;
    const own = HARNESS_OWN[name];
    if (own !== undefined) {
      add(
        "extra",
        name,
        "the harness sets it, production does not: one of the harness's own variables",
        "none needed",
        {
          severity: "documented",
          reason: own,
        },
      );
      continue;
    }
    const fix =
      h.origin === "tenantEnv"
        ? `remove it from harness:tenantEnv (\`pulumi config rm --path 'harness:tenantEnv.${name}'\`), or set it in production too; ${ALLOW_HINT}`
        : `production has turned this off or renamed it: follow production in program/lib/tenant-env.ts (tenantEnvVars), or set it in production too; ${ALLOW_HINT}`;
    add(
      "extra",
      name,
      `the harness sets it (${h.origin === "tenantEnv" ? "harness:tenantEnv" : h.source}); production does not`,
      fix,
    );
  }

  // value
  for (const [name, h] of t.env) {
    const p = production.get(name);
    const secret = isSecretLooking(h) || (p !== undefined && isSecretLooking(p));
    if (EQUAL_VARIABLES.includes(name) && p) {
      if (p.value === undefined) {
        notes.push({
          variable: name,
          message: `production's value comes from ${p.source}: not comparable here`,
        });
      } else if (h.value !== undefined && h.value !== p.value) {
        add(
          "value",
          name,
          secret
            ? "the values differ (not shown: secret-looking)"
            : `must be equal: production ${q(p.value)}, harness ${q(h.value)}`,
          name === "MOLECULE_ENV"
            ? "the harness always runs MOLECULE_ENV=production (program/lib/tenant-env.ts); production must too — strict auth and crypto depend on it"
            : `make the two equal; ${ALLOW_HINT}`,
        );
      }
    }
    if (isHarnessUrlVariable(name) && h.origin !== "image" && h.value !== undefined) {
      const hp = urlParts(h.value);
      if (!hp) {
        add(
          "value",
          name,
          secret
            ? "the harness's value is not a URL (value not shown)"
            : `the harness's value ${q(h.value)} is not a URL`,
          "set a URL scheme://host… that points inside the harness",
        );
      } else if (!hosts.has(hp.host)) {
        add(
          "value",
          name,
          secret
            ? "the harness's URL points outside the harness (value not shown)"
            : `the harness's URL points outside the harness (${showUrl(hp)}): a call would leave it`,
          `point it at a harness service (${[...hosts].filter((x) => !x.includes(":")).join(", ")})`,
        );
      }
      if (hp && p?.value !== undefined && URL_VARIABLES.includes(name)) {
        const pp = urlParts(p.value);
        if (!pp) {
          add(
            "value",
            name,
            secret
              ? "production's value is not a URL (value not shown)"
              : `production's value ${q(p.value)} is not a URL`,
            `check production's ${name}: the tenant expects a URL`,
          );
        } else if (schemeFamily(pp.scheme) !== schemeFamily(hp.scheme)) {
          add(
            "value",
            name,
            `different kinds of URL: production ${pp.scheme}://, harness ${hp.scheme}://`,
            `make the harness speak what production speaks (${pp.scheme}); ${ALLOW_HINT}`,
          );
        }
      }
    }
    if (
      isHarnessUrlVariable(name) &&
      URL_VARIABLES.includes(name) &&
      p &&
      p.value === undefined &&
      h.origin !== "image"
    ) {
      notes.push({
        variable: name,
        message: `production's value comes from ${p.source}: its kind is not checked here`,
      });
    }
    if (LAYER_SWITCHES.includes(name) && p) {
      if (!setNonEmpty(h)) {
        add(
          "value",
          name,
          "empty in the harness: the layer it switches on is off",
          "give it a non-empty value (program/lib/tenant-env.ts, or the tenant's config)",
        );
      }
      if (p.value !== undefined && p.value.trim() === "") {
        add(
          "value",
          name,
          "empty in production: the layer it switches on is off there, on in the harness",
          `production has switched this layer off: follow it in the harness, or fix production; ${ALLOW_HINT}`,
        );
      } else if (p.value === undefined) {
        notes.push({
          variable: name,
          message: `production's value comes from ${p.source}: assumed non-empty`,
        });
      }
    }
  }
  return { findings, notes };
}

function setNonEmpty(v: EnvVar): boolean {
  return v.value !== undefined ? v.value.trim() !== "" : v.nonEmpty === true;
}

/** The rules for every tenant, one finding per variable and problem (the tenants it concerns merged). */
export function coherenceFindings(
  tenants: readonly TenantEnv[],
  production: EnvMap,
  hosts: ReadonlySet<string> = harnessHosts(tenants.map((t) => t.tenant)),
): { findings: Finding[]; notes: Note[] } {
  const merged = new Map<string, Finding>();
  const notes = new Map<string, Note>();
  for (const t of tenants) {
    const r = tenantFindings(t, production, hosts);
    for (const f of r.findings) {
      const key = [f.rule, f.variable, f.severity, f.message, f.fix].join("\0");
      const seen = merged.get(key);
      if (seen) seen.tenants.push(t.tenant);
      else merged.set(key, { ...f, tenants: [...f.tenants] });
    }
    for (const n of r.notes) notes.set(`${n.variable}\0${n.message}`, n);
  }
  return { findings: sortFindings([...merged.values()]), notes: [...notes.values()] };
}

export function sortFindings(findings: Finding[]): Finding[] {
  const order = (r: Rule) => RULES.indexOf(r);
  return [...findings].sort(
    (a, b) =>
      order(a.rule) - order(b.rule) ||
      a.variable.localeCompare(b.variable) ||
      a.message.localeCompare(b.message),
  );
}

/** 0 coherent, 1 drift (an error finding). */
export function exitCodeOf(findings: readonly Finding[]): 0 | 1 {
  return findings.some((f) => f.severity === "error") ? 1 : 0;
}
