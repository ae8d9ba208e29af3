/**
 * Removes the target's secrets from text a report embeds (replay output, container logs, the cp-stub
 * journal, messages): outputs and logs may print an admin token or a database URL, and report.html is
 * meant to be attached to CI runs and passed around. Each known secret is replaced by a label that
 * still says whose it was (`[redacted: beta admin token]`: which tenant's credentials a request
 * carried is often the point of a failure); then, whatever the target knows, URL passwords
 * (`scheme://user:…@`) and bearer tokens (a word after "bearer" that looks like one).
 */
import type { HarnessTarget } from "../../program/contracts/target";

export type Redact = (text: string) => string;

/**
 * Shorter values are only redacted where they sit in a URL or after `Bearer`: replacing a two-letter
 * password everywhere would garble the text and tell a reader where it is.
 */
export const MIN_SECRET_LENGTH = 4;

interface Secret {
  value: string;
  label: string;
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The target's secrets with their labels: admin tokens, database URLs and their passwords, and the
 * remote engine's client key when it came as text (harness:engine.tls.key).
 */
export function secretsOf(target: Pick<HarnessTarget, "tenants" | "engine">): Secret[] {
  const tenants = target.tenants.flatMap((t) => {
    const secrets: Secret[] = [
      { value: t.adminToken, label: `${t.name} admin token` },
      { value: t.databaseUrl, label: `${t.name} database URL` },
    ];
    let password = "";
    try {
      password = new URL(t.databaseUrl).password;
    } catch {
      // Not a URL: the whole value is still redacted above.
    }
    if (password !== "") {
      for (const value of new Set([password, decoded(password)]))
        secrets.push({ value, label: `${t.name} postgres password` });
    }
    return secrets;
  });
  const key = target.engine?.key;
  return key ? [...tenants, { value: key, label: "engine client key" }] : tenants;
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"<>]*:)[^\s@/'"<>]+@/gi;
const BEARER = /\b(Bearer\s+)([A-Za-z0-9._~+/=-]+)/gi;
/** A token, not a word ("no bearer token"): long, or with a digit. */
const looksLikeToken = (word: string) => word.length >= 24 || (word.length >= 8 && /\d/.test(word));

/** A redactor for these secrets. Longest first, so a database URL wins over the password inside it. */
export function redactor(secrets: readonly Secret[]): Redact {
  const known = secrets
    .filter((s) => s.value.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.value.length - a.value.length);
  return (text) => {
    let out = text;
    for (const { value, label } of known) out = out.split(value).join(`[redacted: ${label}]`);
    return out
      .replace(URL_PASSWORD, "$1[redacted]@")
      .replace(BEARER, (match, prefix: string, token: string) =>
        looksLikeToken(token) ? `${prefix}[redacted]` : match,
      );
  };
}

/** Every string in a JSON-like value redacted (object keys too: a header name is not a secret, a key may be). */
export function redactDeep<T>(value: T, redact: Redact): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, redact)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v, redact)])) as T;
  }
  return value;
}
