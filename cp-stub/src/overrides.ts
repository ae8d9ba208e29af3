/**
 * Programmable overrides: "answer METHOD PATH with this status/body/headers, after this delay,
 * once or until removed", so a replay can make the control plane fail or hang. Validation turns
 * every mistake into one sentence that says how to fix it (the admin API answers it as a 400).
 */
import type { Override, OverrideTimes } from "./api";
import { cleanPath } from "./go-url";
import { HEADER_VALUE, HTTP_TOKEN } from "./http-token";

/** Longest accepted delay: ten minutes is enough to outlast any client timeout in the harness. */
export const MAX_DELAY_MS = 600_000;

/** An override before it is stored. */
export type OverrideSpec = Omit<Override, "id" | "hits">;

const FIELDS = ["method", "path", "status", "body", "bodyText", "headers", "delayMs", "times"] as const;

/** Headers Node computes itself; letting an override set them would corrupt the response framing. */
const RESERVED_HEADERS = ["content-length", "transfer-encoding", "connection"];

const EXAMPLE = '{"method":"POST","path":"/cp/workspaces/provision","status":500,"times":"once"}';

type Validated = { ok: true; spec: OverrideSpec } | { ok: false; error: string };

const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Checks a decoded `POST /__stub/routes` body and fills in the defaults. */
export function validateOverride(input: unknown): Validated {
  const bad = (error: string): Validated => ({ ok: false, error });
  if (!isPlainObject(input))
    return bad(`an override must be a JSON object, e.g. ${EXAMPLE}; got ${show(input)}`);

  const unknown = Object.keys(input).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    return bad(`unknown field ${JSON.stringify(unknown[0])}; allowed fields: ${FIELDS.join(", ")}`);
  }

  const { method, path, status, body, bodyText, headers = {}, delayMs = 0, times = "once" } = input;

  if (typeof method !== "string" || method === "") {
    return bad(
      `"method" is required: an upper-case HTTP method such as "POST", or "*" for any; got ${show(method)}`,
    );
  }
  if (method !== "*" && (!HTTP_TOKEN.test(method) || method !== method.toUpperCase())) {
    return bad(
      `"method" must be an upper-case HTTP method such as "POST", or "*" for any; got ${show(method)}`,
    );
  }

  if (typeof path !== "string" || !path.startsWith("/")) {
    return bad(
      `"path" must be the exact request path, starting with "/", e.g. "/cp/workspaces/provision"; got ${show(path)}`,
    );
  }
  if (/[?#]/.test(path)) {
    return bad(
      `"path" must not contain "?" or "#": overrides match the path only, whatever the query; got ${show(path)}`,
    );
  }
  if (cleanPath(path) !== path) {
    return bad(
      `"path" must be clean (no "//", "." or ".." segments) because such requests are redirected before overrides apply; use ${show(cleanPath(path))}`,
    );
  }
  if (path === "/healthz" || path === "/__stub" || path.startsWith("/__stub/")) {
    return bad(
      `"path" must not be /healthz or under /__stub/: the stub's own endpoints cannot be overridden`,
    );
  }

  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
    return bad(`"status" must be an integer HTTP status from 100 to 599; got ${show(status)}`);
  }
  if (status < 200) {
    // Node sends 1xx as an interim response and the client then waits forever: use delayMs to hang.
    return bad(
      `"status" ${status} is an interim (1xx) status and cannot end a response; to make the CP hang use "delayMs"`,
    );
  }

  if (body !== undefined && bodyText !== undefined) {
    return bad(`set either "body" (sent as JSON) or "bodyText" (sent verbatim), not both`);
  }
  if (bodyText !== undefined && typeof bodyText !== "string") {
    return bad(`"bodyText" must be a string (sent verbatim); for JSON use "body"; got ${show(bodyText)}`);
  }

  if (!isPlainObject(headers))
    return bad(`"headers" must be an object of name → string value; got ${show(headers)}`);
  for (const [name, value] of Object.entries(headers)) {
    if (!HTTP_TOKEN.test(name)) return bad(`header name ${show(name)} is not a valid HTTP header name`);
    if (RESERVED_HEADERS.includes(name.toLowerCase())) {
      return bad(`header ${show(name)} cannot be overridden: the server computes it`);
    }
    if (typeof value !== "string" || !HEADER_VALUE.test(value)) {
      return bad(
        `header ${show(name)} must have a string value without control characters; got ${show(value)}`,
      );
    }
  }

  if (typeof delayMs !== "number" || !Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
    return bad(
      `"delayMs" must be an integer number of milliseconds from 0 to ${MAX_DELAY_MS}; got ${show(delayMs)}`,
    );
  }

  if (times !== "once" && times !== "sticky") {
    return bad(
      `"times" must be "once" (answer one request, then vanish) or "sticky" (until deleted or reset); got ${show(times)}`,
    );
  }

  // Keys in the documented order; body/bodyText only when given (null is a body: JSON null).
  const spec: OverrideSpec = {
    method,
    path,
    status,
    ...(body !== undefined ? { body } : {}),
    ...(typeof bodyText === "string" ? { bodyText } : {}),
    headers: { ...(headers as Record<string, string>) },
    delayMs,
    times: times as OverrideTimes,
  };
  return { ok: true, spec };
}

/** The overrides of one stub instance. Ids are never reused, not even after `clear()`. */
export class OverrideStore {
  private readonly items = new Map<number, Override>();
  private nextId = 1;

  add(spec: OverrideSpec): Override {
    // Spread between id and hits so the JSON keeps the documented order.
    const stored: Override = { id: this.nextId++, ...spec, hits: 0 };
    this.items.set(stored.id, stored);
    return stored;
  }

  list(): Override[] {
    return [...this.items.values()];
  }

  get(id: number): Override | undefined {
    return this.items.get(id);
  }

  remove(id: number): boolean {
    return this.items.delete(id);
  }

  clear(): void {
    this.items.clear();
  }

  /**
   * The override that answers this request, if any, counted as a hit (and removed if `once`).
   * `once` overrides go first, oldest first — so several queue up — then the newest `sticky` one,
   * so a replay can put "fail once" in front of a standing "always fail".
   */
  take(method: string, path: string): Override | undefined {
    const candidates = this.list().filter(
      (o) => (o.method === "*" || o.method === method) && o.path === path,
    );
    const chosen =
      candidates.find((o) => o.times === "once") ?? candidates.filter((o) => o.times === "sticky").at(-1);
    if (chosen === undefined) return undefined;
    chosen.hits += 1;
    if (chosen.times === "once") this.items.delete(chosen.id);
    return chosen;
  }
}
