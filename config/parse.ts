/**
 * Parses and validates the `harness` config namespace in one pass. Pure apart from the existence
 * checks (injectable): it collects every problem, each with its fix, and throws one ConfigError —
 * index.ts calls it before declaring any resource.
 */
import { existsSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { edgeOptionProblems } from "../cf-proxy";
import { defaultOrgId, tenantHost, TENANT_NAME_PATTERN } from "../contracts/hosts";
import { DEFAULT_EGRESS, type EgressPolicy } from "../contracts/egress";
import { checkSuites, type SuiteSpec } from "../contracts/suites";
import { HEALTHCHECKS } from "../lib/docker";
import { edgeOptions } from "./edge";
import { parseEngine, type EngineConfig } from "./engine";
import { ConfigError, type ConfigProblem } from "./errors";
import {
  CONFIG_KEYS,
  DEFAULT_BASE_IMAGES,
  DEFAULT_EDGE,
  DEFAULT_GIT_SHA,
  DEFAULT_IMAGE_BUILDER,
  DEFAULT_RATE_LIMIT,
  DEFAULT_REPLAYS,
  DEFAULT_TENANTS,
  DEFAULT_USER_TENANT_HEALTHCHECK,
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  MANAGED_TENANT_ENV,
  PRODUCTION_FORMATS,
  REBUILD_NONCE_ENV,
  type BaseImages,
  type EdgeConfig,
  type HarnessConfig,
  type ImageBuilder,
  type ProductionConfig,
  type ProductionFormat,
  type ReplaysConfig,
  type RerunPolicy,
  type TenantConfig,
  type TenantHealthcheck,
  type TenantImageSource,
} from "./schema";

export const NAMESPACE = "harness";

export interface ParseContext {
  project: string;
  stack: string;
  /** Directory relative paths in config are resolved against (the repo root). */
  repoRoot: string;
  /** Process env (for HARNESS_REBUILD_NONCE). */
  env?: NodeJS.ProcessEnv;
  /** Filesystem probe; tests replace it. */
  isDirectory?: (path: string) => boolean;
  isFile?: (path: string) => boolean;
  /** Whether a full key (`harness:engine`) holds a secret; absent: not known (not checked). */
  isSecret?: (key: string) => boolean | undefined;
}

/** Docker image reference: [registry[:port]/]name[/name…][:tag][@sha256:digest], lowercase repository. */
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** Stack names become part of container names and image repositories (`harness-<stack>/cp-stub`). */
const STACK_NAME = /^(?=.{1,40}$)[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const GIT_SHA = /^[A-Za-z0-9._-]{1,64}$/;
const NGINX_SIZE = /^[0-9]+[kKmMgG]?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ORG_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const TOKEN = /^[\x21-\x7e]{16,256}$/;
const NONCE = /^[A-Za-z0-9._-]{0,64}$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

class Problems {
  readonly list: ConfigProblem[] = [];
  add(key: string, problem: string, fix: string): void {
    this.list.push({ key: `${NAMESPACE}:${key}`, problem, fix });
  }
}

function describe(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known key a typo most likely meant (case-insensitive, at most 2 edits, or a prefix). */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const c of candidates) {
    const candidate = c.toLowerCase();
    const distance =
      candidate.startsWith(lower) || lower.startsWith(candidate) ? 1 : editDistance(lower, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: c, distance };
  }
  return best?.key;
}

/** Flags keys of `obj` that are not in `known`; returns nothing (problems are collected). */
function checkKeys(p: Problems, path: string, obj: JsonObject, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const guess = closest(key, known);
    p.add(
      `${path}.${key}`,
      "unknown key",
      guess
        ? `did you mean "${guess}"? Known keys: ${known.join(", ")}`
        : `remove it; known keys: ${known.join(", ")}`,
    );
  }
}

/**
 * Config values arrive as strings: structured values (objects, lists, numbers, booleans in the stack
 * YAML) as JSON text, plain strings as themselves.
 */
function decode(raw: string, expectsString: boolean): Json {
  if (expectsString) return raw;
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return raw;
  }
}

function int(
  p: Problems,
  key: string,
  value: Json | undefined,
  fallback: number,
  min: number,
  max: number,
  fix: string,
): number {
  if (value === undefined) return fallback;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    p.add(key, `must be an integer from ${min} to ${max}, got ${describe(value)}`, fix);
    return fallback;
  }
  return n;
}

function bool(p: Problems, key: string, value: Json | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  p.add(
    key,
    `must be true or false, got ${describe(value)}`,
    `pulumi config set ${NAMESPACE}:${key.split(".")[0]} … with true or false`,
  );
  return fallback;
}

function str(
  p: Problems,
  key: string,
  value: Json | undefined,
  fallback: string,
  pattern: RegExp,
  what: string,
  fix: string,
): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !pattern.test(value)) {
    p.add(key, `must be ${what}, got ${describe(value)}`, fix);
    return fallback;
  }
  return value;
}

function stringList(p: Problems, key: string, value: Json | undefined, fix: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v.trim() === "")) {
    p.add(key, `must be a list of non-empty strings, got ${describe(value)}`, fix);
    return [];
  }
  return value as string[];
}

/** `harness:egress`: `{mode: fail|warn, allow: [host patterns]}` (issue 14). */
function parseEgress(p: Problems, value: Json | undefined): EgressPolicy {
  if (value === undefined) return { ...DEFAULT_EGRESS };
  if (!isObject(value)) {
    p.add(
      "egress",
      `must be an object, got ${describe(value)}`,
      'e.g. harness:egress: {mode: warn, allow: ["*.sentry.io"]}',
    );
    return { ...DEFAULT_EGRESS };
  }
  checkKeys(p, "egress", value, ["mode", "allow"]);
  const mode = str(
    p,
    "egress.mode",
    value.mode,
    DEFAULT_EGRESS.mode,
    /^(fail|warn)$/,
    "fail or warn",
    "e.g. harness:egress: {mode: warn}",
  );
  const allow = stringList(
    p,
    "egress.allow",
    value.allow,
    'host patterns, `*` for any run of characters, e.g. ["api.stripe.com", "*.sentry.io"]',
  );
  for (const pattern of allow)
    if (!/^[a-zA-Z0-9.*-]+$/.test(pattern))
      p.add(
        "egress.allow",
        `${JSON.stringify(pattern)} is not a host pattern`,
        "use letters, digits, dots, hyphens and `*`, e.g. *.example.com",
      );
  return { mode: mode as EgressPolicy["mode"], allow };
}

function stringMap(p: Problems, key: string, value: Json | undefined, fix: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) {
    p.add(key, `must be a map of names to strings, got ${describe(value)}`, fix);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== "string") {
      p.add(
        `${key}.${name}`,
        `must be a string, got ${describe(v)}`,
        `quote the value in Pulumi.<stack>.yaml, e.g. ${name}: "${String(v)}"`,
      );
      continue;
    }
    out[name] = v;
  }
  return out;
}

function parseTenants(p: Problems, value: Json | undefined): TenantConfig[] {
  if (value === undefined) return DEFAULT_TENANTS.map((name) => ({ name, orgId: defaultOrgId(name) }));
  const example = `harness:tenants: [{name: alpha}, {name: beta}] in Pulumi.<stack>.yaml`;
  if (!Array.isArray(value) || value.length === 0) {
    p.add(
      "tenants",
      `must be a non-empty list of {name, orgId?, adminToken?}, got ${describe(value)}`,
      `set ${example}`,
    );
    return [];
  }
  const tenants: TenantConfig[] = [];
  const seen = new Map<string, number>();
  const seenHosts = new Map<string, number>();
  const seenOrgs = new Map<string, number>();
  value.forEach((entry, i) => {
    const key = `tenants[${i}]`;
    if (!isObject(entry)) {
      p.add(
        key,
        `must be an object like {name: alpha}, got ${describe(entry)}`,
        `write each tenant as {name: <name>}`,
      );
      return;
    }
    checkKeys(p, key, entry, ["name", "orgId", "adminToken"]);
    const name = entry.name;
    if (typeof name !== "string" || !TENANT_NAME_PATTERN.test(name)) {
      p.add(
        `${key}.name`,
        name === undefined
          ? "is required"
          : `${describe(name)} is not a valid tenant name (lowercase letter first, then lowercase letters, digits or "-", at most 24 characters)`,
        `use a DNS-label safe name such as "alpha" or "team-2"`,
      );
      return;
    }
    if (seen.has(name)) {
      p.add(
        `${key}.name`,
        `duplicate tenant name "${name}" (also tenants[${seen.get(name)}])`,
        "give every tenant a distinct name",
      );
      return;
    }
    seen.set(name, i);
    const host = tenantHost(name);
    if (seenHosts.has(host)) {
      p.add(
        `${key}.name`,
        `host ${host} is already routed to tenants[${seenHosts.get(host)}]`,
        "give every tenant a distinct name",
      );
    }
    seenHosts.set(host, i);
    const orgId = str(
      p,
      `${key}.orgId`,
      entry.orgId,
      defaultOrgId(name),
      ORG_ID,
      "an org id without spaces (letters, digits, . _ : -; at most 128 characters)",
      `omit it to use "${defaultOrgId(name)}", or set a UUID`,
    );
    if (seenOrgs.has(orgId)) {
      p.add(
        `${key}.orgId`,
        `org id "${orgId}" is also used by tenants[${seenOrgs.get(orgId)}]; each tenant is its own org in production`,
        "give every tenant a distinct orgId (or omit orgId for the default harness-org-<name>)",
      );
    }
    seenOrgs.set(orgId, i);
    const tenant: TenantConfig = { name, orgId };
    if (entry.adminToken !== undefined) {
      if (typeof entry.adminToken !== "string" || !TOKEN.test(entry.adminToken)) {
        p.add(
          `${key}.adminToken`,
          "must be 16 to 256 printable characters without spaces (value not shown)",
          `omit it to generate one per stack, or: pulumi config set --path --secret '${NAMESPACE}:tenants[${i}].adminToken' <token>`,
        );
      } else {
        tenant.adminToken = entry.adminToken;
      }
    }
    tenants.push(tenant);
  });
  return tenants;
}

function parseTenantImage(
  p: Problems,
  value: Json | undefined,
  ctx: Required<Pick<ParseContext, "repoRoot" | "isDirectory" | "isFile">>,
): { source: TenantImageSource; healthcheck: TenantHealthcheck } {
  const referenceHealth = { test: [...HEALTHCHECKS.tenant] };
  if (value === undefined) return { source: { kind: "reference" }, healthcheck: referenceHealth };
  const forms = `{build: {context, dockerfile?, args?, target?}}, {image: "<ref>"}, or omit tenantImage for the reference tenant`;
  if (!isObject(value)) {
    p.add("tenantImage", `must be an object, got ${describe(value)}`, `use ${forms}`);
    return { source: { kind: "reference" }, healthcheck: referenceHealth };
  }
  checkKeys(p, "tenantImage", value, ["build", "image", "healthcheck"]);
  let source: TenantImageSource = { kind: "reference" };
  if (value.build !== undefined && value.image !== undefined) {
    p.add(
      "tenantImage",
      "sets both build and image; the tenant comes from exactly one of them",
      `keep one: ${forms}`,
    );
  } else if (value.build !== undefined) {
    const build = value.build;
    if (!isObject(build)) {
      p.add(
        "tenantImage.build",
        `must be an object, got ${describe(build)}`,
        "use {context: <dir>, dockerfile: <path in context>, args: {…}}",
      );
    } else {
      checkKeys(p, "tenantImage.build", build, ["context", "dockerfile", "args", "target"]);
      let context = "";
      if (typeof build.context !== "string" || build.context === "") {
        p.add(
          "tenantImage.build.context",
          "is required",
          "set it to the build context directory (relative to the repo root or absolute)",
        );
      } else {
        context = resolve(ctx.repoRoot, build.context);
        if (!ctx.isDirectory(context)) {
          p.add(
            "tenantImage.build.context",
            `directory ${context} does not exist`,
            "point it at an existing checkout (relative paths start at the repo root)",
          );
        }
      }
      let dockerfile = context ? join(context, "Dockerfile") : "";
      if (build.dockerfile !== undefined) {
        if (typeof build.dockerfile !== "string" || build.dockerfile === "") {
          p.add(
            "tenantImage.build.dockerfile",
            `must be a path, got ${describe(build.dockerfile)}`,
            "set it relative to the build context, e.g. workspace-server/Dockerfile.tenant",
          );
        } else if (context) {
          dockerfile = isAbsolute(build.dockerfile) ? build.dockerfile : join(context, build.dockerfile);
        }
      }
      if (context && dockerfile && ctx.isDirectory(context) && !ctx.isFile(dockerfile)) {
        p.add(
          "tenantImage.build.dockerfile",
          `file ${dockerfile} does not exist`,
          "set dockerfile relative to the build context (as in compose)",
        );
      }
      const args = stringMap(p, "tenantImage.build.args", build.args, "write args as a map: {NAME: value}");
      if ("GIT_SHA" in args) {
        p.add(
          "tenantImage.build.args.GIT_SHA",
          "GIT_SHA is set by the harness from harness:gitSha (the buildinfo replay expects it)",
          "remove it and run: pulumi config set harness:gitSha <sha>",
        );
        delete args.GIT_SHA;
      }
      const target =
        build.target === undefined ? undefined : typeof build.target === "string" ? build.target : undefined;
      if (build.target !== undefined && target === undefined) {
        p.add(
          "tenantImage.build.target",
          `must be a stage name, got ${describe(build.target)}`,
          "set the Dockerfile stage to build, or omit it",
        );
      }
      source = { kind: "build", context, dockerfile, args, ...(target ? { target } : {}) };
    }
  } else if (value.image !== undefined) {
    if (typeof value.image !== "string" || !IMAGE_REF.test(value.image)) {
      p.add(
        "tenantImage.image",
        `${describe(value.image)} is not an image reference`,
        `use e.g. "registry.example.com/team/tenant:1.2.3" (lowercase repository)`,
      );
    } else {
      source = { kind: "image", image: value.image };
    }
  }
  let healthcheck: TenantHealthcheck =
    source.kind === "reference" ? referenceHealth : { test: [...DEFAULT_USER_TENANT_HEALTHCHECK] };
  const hc = value.healthcheck;
  if (hc === "image") {
    healthcheck = "image";
  } else if (hc !== undefined) {
    if (
      !Array.isArray(hc) ||
      hc.length < 2 ||
      hc.some((part) => typeof part !== "string") ||
      (hc[0] !== "CMD" && hc[0] !== "CMD-SHELL")
    ) {
      p.add(
        "tenantImage.healthcheck",
        `must be "image" (use the image's own HEALTHCHECK) or a Docker test list starting with CMD or CMD-SHELL, got ${describe(hc)}`,
        `e.g. ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1"]`,
      );
    } else {
      healthcheck = { test: hc as string[] };
    }
  }
  return { source, healthcheck };
}

function parseBaseImages(p: Problems, value: Json | undefined): BaseImages {
  if (value === undefined) return { ...DEFAULT_BASE_IMAGES };
  const keys = Object.keys(DEFAULT_BASE_IMAGES) as (keyof BaseImages)[];
  if (!isObject(value)) {
    p.add(
      "baseImages",
      `must be an object, got ${describe(value)}`,
      `set any of ${keys.join(", ")}, e.g. {postgres: "postgres:16-alpine"}`,
    );
    return { ...DEFAULT_BASE_IMAGES };
  }
  checkKeys(p, "baseImages", value, keys);
  const out = { ...DEFAULT_BASE_IMAGES };
  for (const k of keys) {
    out[k] = str(
      p,
      `baseImages.${k}`,
      value[k],
      DEFAULT_BASE_IMAGES[k],
      IMAGE_REF,
      "an image reference",
      `e.g. "${DEFAULT_BASE_IMAGES[k]}" (lowercase repository, optional tag/digest)`,
    );
  }
  return out;
}

function parseEdge(p: Problems, value: Json | undefined): EdgeConfig {
  if (value === undefined) return { ...DEFAULT_EDGE };
  if (!isObject(value)) {
    p.add("edge", `must be an object, got ${describe(value)}`, "e.g. harness:edge: {port: 8080}");
    return { ...DEFAULT_EDGE };
  }
  checkKeys(p, "edge", value, Object.keys(DEFAULT_EDGE));
  const port = int(
    p,
    "edge.port",
    value.port,
    DEFAULT_EDGE.port,
    0,
    65535,
    "use 1-65535, or 0 to pick a free port: pulumi config set --path harness:edge.port 0",
  );
  let bindAddress = DEFAULT_EDGE.bindAddress;
  if (value.bindAddress !== undefined) {
    if (typeof value.bindAddress !== "string" || isIP(value.bindAddress) === 0) {
      p.add(
        "edge.bindAddress",
        `must be an IP address, got ${describe(value.bindAddress)}`,
        `use "127.0.0.1" (default; loopback only) or "0.0.0.0" when a client outside this host must reach the edge`,
      );
    } else {
      bindAddress = value.bindAddress;
    }
  }
  let forwardedProto = DEFAULT_EDGE.forwardedProto;
  if (value.forwardedProto !== undefined) {
    if (value.forwardedProto !== "http" && value.forwardedProto !== "https") {
      p.add(
        "edge.forwardedProto",
        `must be "http" or "https", got ${describe(value.forwardedProto)}`,
        `use "https" (what the real CDN sends) unless a test needs "http"`,
      );
    } else {
      forwardedProto = value.forwardedProto;
    }
  }
  const readTimeoutSeconds = int(
    p,
    "edge.readTimeoutSeconds",
    value.readTimeoutSeconds,
    DEFAULT_EDGE.readTimeoutSeconds,
    1,
    86400,
    "use seconds, e.g. 100 (the CDN tunnel's default)",
  );
  const maxBodySize = str(
    p,
    "edge.maxBodySize",
    value.maxBodySize,
    DEFAULT_EDGE.maxBodySize,
    NGINX_SIZE,
    `an nginx size such as "100m", "512k" or "1g"`,
    `e.g. "100m"`,
  );
  return { port, bindAddress, forwardedProto, readTimeoutSeconds, maxBodySize };
}

function parseReplays(
  p: Problems,
  value: Json | undefined,
  ctx: Required<Pick<ParseContext, "repoRoot" | "isDirectory">>,
): ReplaysConfig {
  const obj: JsonObject = value === undefined ? {} : isObject(value) ? value : {};
  if (value !== undefined && !isObject(value)) {
    p.add(
      "replays",
      `must be an object, got ${describe(value)}`,
      `e.g. harness:replays: {dir: replays, concurrency: 2}`,
    );
  }
  checkKeys(p, "replays", obj, ["dir", "include", "exclude", "timeoutSeconds", "concurrency", "rerun"]);
  let dir = DEFAULT_REPLAYS.dir;
  if (obj.dir !== undefined) {
    if (typeof obj.dir !== "string" || obj.dir.trim() === "") {
      p.add(
        "replays.dir",
        `must be a directory path, got ${describe(obj.dir)}`,
        `use "replays" (default) or another folder of replays`,
      );
    } else {
      dir = obj.dir;
    }
  }
  const absDir = resolve(ctx.repoRoot, dir);
  if (!ctx.isDirectory(absDir)) {
    p.add(
      "replays.dir",
      `directory ${absDir} does not exist`,
      `create it or point harness:replays.dir at the folder holding the replays (relative to the repo root)`,
    );
  }
  let rerun: RerunPolicy = DEFAULT_REPLAYS.rerun;
  if (obj.rerun !== undefined) {
    if (obj.rerun !== "on-change" && obj.rerun !== "always") {
      p.add(
        "replays.rerun",
        `must be "on-change" or "always", got ${describe(obj.rerun)}`,
        `"on-change" re-runs only when a replay, the runner or a tested image/container changed; "always" on every up`,
      );
    } else {
      rerun = obj.rerun;
    }
  }
  return {
    dir,
    absDir,
    include: stringList(p, "replays.include", obj.include, `use glob patterns, e.g. ["tenant-*"]`),
    exclude: stringList(p, "replays.exclude", obj.exclude, `use glob patterns, e.g. ["canary-*"]`),
    timeoutSeconds: int(
      p,
      "replays.timeoutSeconds",
      obj.timeoutSeconds,
      DEFAULT_REPLAYS.timeoutSeconds,
      1,
      3600,
      "use seconds per replay, e.g. 120",
    ),
    concurrency: int(
      p,
      "replays.concurrency",
      obj.concurrency,
      DEFAULT_REPLAYS.concurrency,
      1,
      16,
      "use 1 (one at a time, as the anchor) to 16 (default 3)",
    ),
    rerun,
  };
}

function parseTenantEnv(p: Problems, value: Json | undefined): Record<string, string> {
  const env = stringMap(p, "tenantEnv", value, "write it as a map: {NAME: value}");
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) {
      p.add(
        `tenantEnv.${name}`,
        "is not a valid environment variable name",
        "use letters, digits and _, not starting with a digit",
      );
      delete env[name];
    } else if ((MANAGED_TENANT_ENV as readonly string[]).includes(name)) {
      p.add(
        `tenantEnv.${name}`,
        `${name} is set by the harness (a production layer or its wiring)`,
        "remove it; see docs/pulumi.md for the dedicated key (tenants, rateLimit, encryptionKey, …)",
      );
      delete env[name];
    }
  }
  return env;
}

/**
 * `harness:production`: the file with production's tenant environment (a path, or
 * `{path, format?, container?, allow?}`), read by the config coherence lint. Paths are relative to
 * the repo root; the files must exist (the allow file's default, harness.drift.yaml, is optional).
 */
function parseProduction(
  p: Problems,
  value: Json | undefined,
  ctx: Required<Pick<ParseContext, "repoRoot" | "isFile">>,
): ProductionConfig | undefined {
  if (value === undefined) return undefined;
  const example = "harness:production: {path: deploy/tenant.yaml, container: tenant} in Pulumi.<stack>.yaml";
  const obj: JsonObject | undefined =
    typeof value === "string" ? { path: value } : isObject(value) ? value : undefined;
  if (!obj) {
    p.add(
      "production",
      `must be a file path or {path, format?, container?, allow?}, got ${describe(value)}`,
      `set ${example}`,
    );
    return undefined;
  }
  checkKeys(p, "production", obj, ["path", "format", "container", "allow"]);
  const file = (key: "path" | "allow", what: string): string | undefined => {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v.trim() === "") {
      p.add(
        `production.${key}`,
        `must be a file path, got ${describe(v)}`,
        `set it to ${what} (relative to the repo root)`,
      );
      return undefined;
    }
    const abs = resolve(ctx.repoRoot, v);
    if (!ctx.isFile(abs)) {
      p.add(
        `production.${key}`,
        `file ${abs} does not exist`,
        `point it at ${what} (relative paths start at the repo root)`,
      );
      return undefined;
    }
    return abs;
  };
  if (obj.path === undefined) {
    p.add(
      "production.path",
      "is required",
      "set it to the file with production's tenant environment (dotenv, JSON/YAML map, k8s manifest, ECS task definition or compose file)",
    );
  }
  const path = file("path", "the file with production's tenant environment");
  const allow = file("allow", "an allow file of intended differences (harness.drift.yaml)");
  let format: ProductionFormat | undefined;
  if (obj.format !== undefined) {
    if (typeof obj.format !== "string" || !(PRODUCTION_FORMATS as readonly string[]).includes(obj.format)) {
      p.add(
        "production.format",
        `must be one of ${PRODUCTION_FORMATS.join(", ")}, got ${describe(obj.format)}`,
        "omit it to detect the format from the file",
      );
    } else {
      format = obj.format as ProductionFormat;
    }
  }
  let container: string | undefined;
  if (obj.container !== undefined) {
    if (typeof obj.container !== "string" || obj.container.trim() === "") {
      p.add(
        "production.container",
        `must be a container name, got ${describe(obj.container)}`,
        "name the tenant's container (k8s), container definition (ECS) or service (compose)",
      );
    } else {
      container = obj.container;
    }
  }
  if (path === undefined) return undefined;
  return {
    path,
    ...(format ? { format } : {}),
    ...(container ? { container } : {}),
    ...(allow ? { allow } : {}),
  };
}

/**
 * `harness:suites`: the shape is checked by the runner's own contract (contracts/suites.ts); here
 * each cwd must also exist, and is normalised relative to the repo root (the env and the output
 * stay the same from any checkout).
 */
function parseSuites(
  p: Problems,
  value: Json | undefined,
  ctx: Required<Pick<ParseContext, "repoRoot" | "isDirectory">>,
): SuiteSpec[] {
  const checked = checkSuites(value, {
    absoluteCwd: false,
    cwdProblem: (cwd) => {
      const abs = resolve(ctx.repoRoot, cwd);
      return ctx.isDirectory(abs) ? undefined : `directory ${abs} does not exist`;
    },
  });
  for (const problem of checked.problems) p.add(`suites${problem.path}`, problem.problem, problem.fix);
  return checked.suites.map((suite) => ({
    ...suite,
    cwd: relative(ctx.repoRoot, resolve(ctx.repoRoot, suite.cwd)).split(sep).join("/") || ".",
  }));
}

/** `harness:engine` (config/engine.ts); with it, the edge binds its publishAddress, not its own. */
function engineOf(
  p: Problems,
  value: Json | undefined,
  edge: Json | undefined,
  ctx: ParseContext,
  isDirectory: (path: string) => boolean,
  isFile: (path: string) => boolean,
): EngineConfig {
  const key = `${NAMESPACE}:engine`;
  const parsed = parseEngine(value, {
    key,
    baseDir: ctx.repoRoot,
    isDirectory,
    isFile,
    secret: ctx.isSecret?.(key),
  });
  for (const problem of parsed.problems) p.add(`engine${problem.path}`, problem.problem, problem.fix);
  if (parsed.configured && isObject(edge) && edge.bindAddress !== undefined) {
    p.add(
      "edge.bindAddress",
      "cannot be set with harness:engine: every published port, the edge's too, binds on harness:engine.publishAddress",
      "remove harness:edge.bindAddress, and set harness:engine.publishAddress instead",
    );
  }
  return parsed.engine;
}

function parseEncryptionKey(p: Problems, value: Json | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ok =
    typeof value === "string" &&
    (Buffer.byteLength(value) === 32 ||
      (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, "base64").length === 32));
  if (!ok) {
    p.add(
      "encryptionKey",
      "must be 32 bytes, base64-encoded (or exactly 32 characters), as the tenant's strict crypto requires (value not shown)",
      `omit it to generate one per stack, or: pulumi config set --secret ${NAMESPACE}:encryptionKey "$(openssl rand -base64 32)"`,
    );
    return undefined;
  }
  return value as string;
}

/**
 * Validates the raw `harness:*` config (keys without the namespace, values as the CLI passes them:
 * strings, structured values as JSON). Throws ConfigError listing every problem.
 */
export function parseHarnessConfig(raw: Record<string, string>, ctx: ParseContext): HarnessConfig {
  const p = new Problems();
  const isDirectory = ctx.isDirectory ?? ((path: string) => existsSync(path) && statSync(path).isDirectory());
  const isFile = ctx.isFile ?? ((path: string) => existsSync(path) && statSync(path).isFile());
  const env = ctx.env ?? process.env;

  if (!STACK_NAME.test(ctx.stack)) {
    p.list.push({
      key: "stack",
      problem: `stack name "${ctx.stack}" cannot name Docker objects (lowercase letters and digits, single . _ - between them; at most 40 characters)`,
      fix: "pulumi stack select --create <lowercase-name> (e.g. harness, ci-1234)",
    });
  }
  for (const key of Object.keys(raw)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      const guess = closest(key, CONFIG_KEYS);
      p.add(
        key,
        "unknown key",
        guess
          ? `did you mean ${NAMESPACE}:${guess}? Run: pulumi config rm ${NAMESPACE}:${key}`
          : `pulumi config rm ${NAMESPACE}:${key} (known keys: ${CONFIG_KEYS.join(", ")})`,
      );
    }
  }
  const stringKeys = new Set(["gitSha", "encryptionKey", "rebuildNonce", "imageBuilder"]);
  const v = (key: (typeof CONFIG_KEYS)[number]): Json | undefined =>
    raw[key] === undefined ? undefined : decode(raw[key], stringKeys.has(key));

  const tenants = parseTenants(p, v("tenants"));
  const image = parseTenantImage(p, v("tenantImage"), { repoRoot: ctx.repoRoot, isDirectory, isFile });
  const gitShaSet = raw.gitSha !== undefined;
  const gitSha = str(
    p,
    "gitSha",
    v("gitSha"),
    DEFAULT_GIT_SHA,
    GIT_SHA,
    "a short sha or tag (letters, digits, . _ -)",
    "e.g. pulumi config set harness:gitSha $(git rev-parse HEAD)",
  );
  const builderValue = v("imageBuilder");
  let imageBuilder: ImageBuilder = DEFAULT_IMAGE_BUILDER;
  if (builderValue !== undefined) {
    if (builderValue !== "BuilderV1" && builderValue !== "BuilderBuildKit") {
      p.add(
        "imageBuilder",
        `must be "BuilderBuildKit" or "BuilderV1", got ${describe(builderValue)}`,
        `use "BuilderV1" (classic) on engines without BuildKit`,
      );
    } else {
      imageBuilder = builderValue;
    }
  }
  const envNonce = env[REBUILD_NONCE_ENV];
  const rebuildNonce =
    envNonce !== undefined && envNonce !== ""
      ? str(
          p,
          `rebuildNonce (from ${REBUILD_NONCE_ENV})`,
          envNonce,
          "",
          NONCE,
          "at most 64 letters, digits, . _ -",
          `e.g. ${REBUILD_NONCE_ENV}=$(date +%s)`,
        )
      : str(
          p,
          "rebuildNonce",
          v("rebuildNonce"),
          "",
          NONCE,
          "at most 64 letters, digits, . _ -",
          "e.g. pulumi config set harness:rebuildNonce $(date +%s)",
        );

  let cpStub = { publish: true };
  const cpValue = v("cpStub");
  if (cpValue !== undefined) {
    if (!isObject(cpValue)) {
      p.add("cpStub", `must be an object, got ${describe(cpValue)}`, "e.g. harness:cpStub: {publish: false}");
    } else {
      checkKeys(p, "cpStub", cpValue, ["publish"]);
      cpStub = { publish: bool(p, "cpStub.publish", cpValue.publish, true) };
    }
  }

  const egress = parseEgress(p, v("egress"));

  const config: HarnessConfig = {
    project: ctx.project,
    stack: ctx.stack,
    repoRoot: ctx.repoRoot,
    tenants,
    tenantImage: image.source,
    tenantHealthcheck: image.healthcheck,
    tenantEnv: parseTenantEnv(p, v("tenantEnv")),
    gitSha,
    gitShaKnown: image.source.kind !== "image" || gitShaSet,
    baseImages: parseBaseImages(p, v("baseImages")),
    edge: parseEdge(p, v("edge")),
    replays: parseReplays(p, v("replays"), { repoRoot: ctx.repoRoot, isDirectory }),
    cpStub,
    egress,
    rateLimit: int(
      p,
      "rateLimit",
      v("rateLimit"),
      DEFAULT_RATE_LIMIT,
      1,
      1_000_000,
      "requests per minute per client IP, e.g. 1000 (all harness traffic comes from the edge's one IP)",
    ),
    waitTimeoutSeconds: int(
      p,
      "waitTimeoutSeconds",
      v("waitTimeoutSeconds"),
      DEFAULT_WAIT_TIMEOUT_SECONDS,
      10,
      3600,
      "seconds a container may take to become healthy, e.g. 120",
    ),
    encryptionKey: parseEncryptionKey(p, v("encryptionKey")),
    rebuildNonce,
    imageBuilder,
    keepImages: bool(p, "keepImages", v("keepImages"), false),
    suites: parseSuites(p, v("suites"), { repoRoot: ctx.repoRoot, isDirectory }),
    engine: engineOf(p, v("engine"), v("edge"), ctx, isDirectory, isFile),
  };
  // Every published port binds on the engine's publishAddress, the edge's too.
  if (raw.engine !== undefined) config.edge.bindAddress = config.engine.publishAddress;
  const production = parseProduction(p, v("production"), { repoRoot: ctx.repoRoot, isFile });
  if (production) config.production = production;
  // The edge renderer has its own checks; with ours passing they should too — say so if not.
  if (p.list.length === 0) {
    for (const problem of edgeOptionProblems(edgeOptions(config.tenants, config.edge))) {
      p.add("edge", problem, "adjust harness:edge or harness:tenants accordingly");
    }
  }
  if (p.list.length > 0) throw new ConfigError(ctx.stack, p.list);
  return config;
}

/** Picks the `harness:*` keys out of the runtime's full config map, without the namespace. */
export function harnessKeys(all: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(`${NAMESPACE}:`)) out[key.slice(NAMESPACE.length + 1)] = value;
  }
  return out;
}
