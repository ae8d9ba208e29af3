/**
 * The environment of one side of the comparison (a harness tenant, or the production tenant), and
 * what makes a variable secret-looking. Values of secret-looking variables are compared by name and
 * kind only: no output of the lint ever shows them.
 */

export interface EnvVar {
  name: string;
  /** The value, when this side knows it; undefined = set, but not readable here (a secret reference, a generated secret). */
  value?: string;
  /** Known to be non-empty although the value is not known (a secret generated per stack at `up`). */
  nonEmpty?: boolean;
  /** Where it comes from, for humans: `env`, `secretKeyRef tenant-secrets/admin-token`, `image ENV (reference-tenant/Dockerfile)`, … */
  source: string;
  /** From a secret store (a Kubernetes secretKeyRef, ECS `secrets`, a Pulumi secret). */
  secret?: boolean;
  /** Harness side only: set by the harness itself, by `harness:tenantEnv`, or by the image's own ENV. */
  origin?: "harness" | "tenantEnv" | "image";
}

export type EnvMap = Map<string, EnvVar>;

/** Names whose values are secrets: tokens, keys, passwords, credentials, connection strings. */
const SECRET_NAME =
  /(?:^|_)(?:TOKENS?|SECRETS?|PASSWORDS?|PASSWD|PASS|PWD|KEYS?|CREDENTIALS?|PRIVATE|AUTH|SESSION|COOKIE|DSN|SALT|SIGNATURE|CERT|PAT)(?:_|$)|DATABASE_URL|CONNECTION_STRING|CONN_STR/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A URL that carries a password (`scheme://user:password@host`). */
export function hasUrlPassword(value: string): boolean {
  try {
    return new URL(value).password !== "";
  } catch {
    return false;
  }
}

/** Whether the lint may never show this variable's value. */
export function isSecretLooking(v: EnvVar): boolean {
  return v.secret === true || isSecretName(v.name) || (v.value !== undefined && hasUrlPassword(v.value));
}

/** Every value that must not appear in any output (the safety net of `redact`). */
export function secretValues(...sides: EnvMap[]): string[] {
  const out = new Set<string>();
  for (const env of sides) {
    for (const v of env.values()) {
      if (v.value === undefined || !isSecretLooking(v)) continue;
      if (v.value.trim().length >= 4) out.add(v.value);
      // The password inside a URL, on its own as well.
      try {
        const password = decodeURIComponent(new URL(v.value).password);
        if (password.length >= 4) out.add(password);
      } catch {
        // not a URL
      }
    }
  }
  // Longest first: a value containing another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

/** Replaces every secret value in `text` (the lint never prints one; this makes sure). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join("***");
  return out;
}

export function envMap(vars: EnvVar[]): EnvMap {
  return new Map(vars.map((v) => [v.name, v]));
}

/** POSIX-ish environment variable name, as Docker and Kubernetes accept them. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
