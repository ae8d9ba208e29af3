/**
 * The harness's own invariants, as pure functions over what the program declares (the policy pack,
 * tools/policy/policies.ts, feeds them the resources of a preview; the tests feed them the resources the
 * program registers under mocks):
 *
 *   - every container (and network) is labelled for its stack: `harness.stack=<project>/<stack>`
 *     and a `harness.role` (program/lib/naming.ts), so `destroy` and a second stack can find it;
 *   - every published port binds loopback (the edge may bind the configured `edge.bindAddress`);
 *   - no tenant URL points outside the harness (every env value that is a URL);
 *   - secrets only in secret inputs: a secret-looking variable sits in a secret `envs`, and no
 *     secret value appears in an input that is not secret.
 *
 * Messages name variables and paths, never a secret value.
 */
import { LABEL_ROLE, LABEL_STACK } from "../../program/lib/naming";
import { isSecretName, hasUrlPassword } from "./env";
import { insideHarness, showUrl, urlParts } from "./rules";

/** A Docker container (or network) as the program declares it. */
export interface DeclaredContainer {
  urn: string;
  labels: Record<string, string>;
  ports: { internal?: number; external?: number; ip?: string }[];
  /** The env (`envs` as a map); undefined = not known (a preview before the stack's secrets exist). */
  env?: Record<string, string>;
  /** Whether the `envs` input is a secret. */
  envSecret: boolean;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → stack and project. */
export function stackOfUrn(urn: string): { stack: string; project: string } | undefined {
  const m = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn);
  return m ? { stack: m[1], project: m[2] } : undefined;
}

/** `envs` (`NAME=value` strings) as a map. */
export function envsToMap(envs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of envs) {
    const eq = e.indexOf("=");
    if (eq > 0) out[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return out;
}

/** The docker provider's label list (`[{label, value}]`) as a map. */
export function labelsToMap(labels: unknown): Record<string, string> {
  if (!Array.isArray(labels)) return {};
  const out: Record<string, string> = {};
  for (const l of labels as { label?: unknown; value?: unknown }[]) {
    if (typeof l?.label === "string") out[l.label] = String(l.value ?? "");
  }
  return out;
}

export function labelProblems(labels: Record<string, string>, stackLabel: string): string[] {
  const problems: string[] = [];
  if (labels[LABEL_STACK] === undefined) {
    problems.push(
      `no ${LABEL_STACK} label: destroy and \`docker ps --filter label=${LABEL_STACK}=${stackLabel}\` cannot find it`,
    );
  } else if (labels[LABEL_STACK] !== stackLabel) {
    problems.push(
      `${LABEL_STACK}=${labels[LABEL_STACK]}, but it belongs to ${stackLabel}: another stack's destroy would remove it`,
    );
  }
  if (!labels[LABEL_ROLE]) problems.push(`no ${LABEL_ROLE} label (program/lib/naming.ts Naming.labels)`);
  return problems;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Published ports must bind loopback. `edgeBind`: the address the edge may bind instead (the
 * configured `harness:edge.bindAddress`, documented as the one opt-in).
 */
export function portProblems(c: DeclaredContainer, edgeBind?: string): string[] {
  const role = c.labels[LABEL_ROLE];
  return c.ports.flatMap((p) => {
    const ip = p.ip ?? "";
    if (LOOPBACK.has(ip)) return [];
    if (role === "cf-proxy" && edgeBind !== undefined && ip === edgeBind) return [];
    const port = `${p.external ?? "?"}→${p.internal ?? "?"}`;
    return [
      ip === ""
        ? `port ${port} is published without an ip: Docker binds every interface`
        : `port ${port} is published on ${ip}, not loopback${role === "cf-proxy" ? " (the edge binds harness:edge.bindAddress only)" : ""}`,
    ];
  });
}

/** Every env value of a tenant that is a URL must point inside the harness (`hosts`: rules.ts harnessHosts). */
export function tenantUrlProblems(env: Record<string, string>, hosts: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    const p = urlParts(value);
    if (!p || insideHarness(value, hosts)) continue;
    const secret = isSecretName(name) || hasUrlPassword(value);
    problems.push(
      secret
        ? `${name} points outside the harness (value not shown)`
        : `${name} points outside the harness (${showUrl(p)}): a call would leave it`,
    );
  }
  return problems;
}

/** A secret-looking variable in an `envs` that is not secret (it would be stored and shown in plain text). */
export function secretEnvProblems(c: DeclaredContainer): string[] {
  if (c.envSecret || c.env === undefined) return [];
  return Object.entries(c.env)
    .filter(([name, value]) => value !== "" && (isSecretName(name) || hasUrlPassword(value)))
    .map(
      ([name]) =>
        `${name} is secret-looking but the container's envs are not a secret input (wrap them in pulumi.secret)`,
    )
    .sort();
}

/** A string input of a resource, with whether it is (inside) a secret. */
export interface DeclaredString {
  path: string;
  value: string;
  secret: boolean;
}

/** Every string in `value`, with its path, marked secret under any path in `secretPaths`. */
export function stringsOf(value: unknown, secretPaths: readonly string[], path = ""): DeclaredString[] {
  const secret = secretPaths.some((s) => path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`));
  if (typeof value === "string") return [{ path, value, secret }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, secretPaths, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => stringsOf(v, secretPaths, path ? `${path}.${k}` : k));
  }
  return [];
}

/**
 * The secret values among a resource's strings: under a secret path, a `NAME=value` env entry of a
 * secret-looking name (its value; a URL's password), or a token-like string of 16+ characters
 * (a generated token, key or password). Structured secrets (a JSON target) are not values themselves.
 */
export function secretValuesIn(strings: readonly DeclaredString[]): string[] {
  const out = new Set<string>();
  for (const s of strings) {
    if (!s.secret) continue;
    const entry = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(s.value);
    const value = entry ? entry[2] : s.value;
    if (entry && !isSecretName(entry[1]) && !hasUrlPassword(value)) continue;
    if (hasUrlPassword(value)) {
      const password = decodeURIComponent(new URL(value).password);
      if (password.length >= 8) out.add(password);
    } else if (entry ? value.length >= 8 : /^[A-Za-z0-9+/=_.~-]{16,}$/.test(value)) {
      out.add(value);
    }
  }
  return [...out];
}

/** Secret values that also appear in an input that is not secret, anywhere in the stack. */
export function secretLeaks(
  resources: readonly { urn: string; strings: DeclaredString[] }[],
): { urn: string; path: string }[] {
  const secrets = new Set(resources.flatMap((r) => secretValuesIn(r.strings)));
  const leaks: { urn: string; path: string }[] = [];
  for (const r of resources) {
    for (const s of r.strings) {
      if (s.secret) continue;
      for (const secret of secrets) {
        if (s.value.includes(secret)) {
          leaks.push({ urn: r.urn, path: s.path });
          break;
        }
      }
    }
  }
  return leaks;
}
