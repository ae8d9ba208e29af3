/**
 * Boot-time CP config refresh (docs/anchor.md#cp-config-refresh), best effort: a managed tenant (org id and
 * admin token both set) asks `{MOLECULE_CP_URL}/cp/tenants/config` for a flat JSON object of strings and
 * adopts them as environment. Anything it cannot use — a non-200, a body over 64 KiB, non-JSON, or a
 * nested body like the cp-stub's — is logged and boot continues with what it has.
 */
import type { Dispatcher } from "undici";
import { request as undiciRequest } from "undici";
import { readCapped } from "./read-capped";

export const REFRESH_TIMEOUT_MS = 10_000;
export const REFRESH_MAX_BYTES = 64 * 1024;
export const REFRESH_MAX_VALUE_BYTES = 4 * 1024;

export interface RefreshLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RefreshOptions {
  cpConfigUrl: string;
  adminToken: string;
  orgId: string;
  log: RefreshLogger;
  dispatcher?: Dispatcher;
  timeoutMs?: number;
}

export type RefreshResult =
  | { status: "skipped"; reason: string }
  | { status: "ignored"; reason: string }
  | { status: "applied"; values: Record<string, string> };

/** Validates a config body: a JSON object whose values are all strings of at most 4 KiB. */
export function parseFlatConfig(text: string): { values: Record<string, string> } | { reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { reason: `body is not JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { reason: "body is not a JSON object" };
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "string") {
      return { reason: `body is not a flat object of strings (key "${key}" holds ${describe(value)})` };
    }
    if (Buffer.byteLength(value) > REFRESH_MAX_VALUE_BYTES) {
      return { reason: `value of "${key}" exceeds ${REFRESH_MAX_VALUE_BYTES} bytes` };
    }
    values[key] = value;
  }
  return { values };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

export async function refreshConfigFromCp(options: RefreshOptions): Promise<RefreshResult> {
  const { log } = options;
  if (options.orgId === "" || options.adminToken === "") {
    return {
      status: "skipped",
      reason: "not a managed tenant (MOLECULE_ORG_ID and ADMIN_TOKEN both needed)",
    };
  }
  const url = `${options.cpConfigUrl}/cp/tenants/config`;
  let result: RefreshResult;
  try {
    const response = await undiciRequest(url, {
      method: "GET",
      headers: { authorization: `Bearer ${options.adminToken}`, "x-molecule-org-id": options.orgId },
      dispatcher: options.dispatcher,
      signal: AbortSignal.timeout(options.timeoutMs ?? REFRESH_TIMEOUT_MS),
    });
    const { text, truncated } = await readCapped(response.body, REFRESH_MAX_BYTES);
    if (response.statusCode !== 200) {
      result = { status: "ignored", reason: `CP answered ${response.statusCode}` };
    } else if (truncated) {
      result = { status: "ignored", reason: `body exceeds ${REFRESH_MAX_BYTES} bytes` };
    } else {
      const parsed = parseFlatConfig(text);
      result =
        "values" in parsed ? { status: "applied", values: parsed.values } : { status: "ignored", ...parsed };
    }
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    result = { status: "ignored", reason: `request failed: ${reason}` };
  }
  if (result.status === "applied") {
    log.info({ url, keys: Object.keys(result.values) }, "cp config refresh: applied");
  } else {
    log.warn({ url, reason: result.reason }, "cp config refresh: ignored; boot continues");
  }
  return result;
}
