/**
 * Parses and validates the `harness` config namespace in one pass: the schema (schema.ts) checks
 * every key and fills in the defaults; here the values are decoded as the CLI passes them, resolved
 * against the checkout (paths made absolute, directories and files that must exist), and the engine
 * and suites go through their own validators. Every problem is collected, each with its fix, into
 * one ConfigError: index.ts calls it before declaring any resource.
 */
import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { edgeOptionProblems } from "../../cf-proxy";
import { checkSuites } from "../contracts/suites";
import { HEALTHCHECKS } from "../lib/docker";
import { edgeOptions } from "./edge";
import { parseEngine } from "./engine";
import { ConfigError, type ConfigProblem } from "./errors";
import { errorMap, problemsOf } from "../contracts/problems";
import {
  CONFIG_KEYS,
  DEFAULT_USER_TENANT_HEALTHCHECK,
  harnessSchema,
  NAMESPACE,
  REBUILD_NONCE_ENV,
  type HarnessConfig,
  type ProductionConfig,
  type SchemaOutput,
  type TenantImageSource,
} from "./schema";

export { NAMESPACE } from "./schema";

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

/** Stack names become part of container names and image repositories (`harness-<stack>/cp-stub`). */
const STACK_NAME = /^(?=.{1,40}$)[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

type Def = { type: string; innerType?: unknown };
/** Keys whose values are text: kept as the CLI passes them (never JSON-decoded: a sha may be digits). */
const TEXT_KEYS = new Set(
  CONFIG_KEYS.filter((key) => {
    let def = (harnessSchema.shape[key] as unknown as { _zod: { def: Def } })._zod.def;
    while (def.innerType) def = (def.innerType as { _zod: { def: Def } })._zod.def;
    return def.type === "string" || def.type === "enum";
  }),
);

/**
 * Config values arrive as strings: structured values (objects, lists, numbers, booleans in the stack
 * YAML) as JSON text, plain strings as themselves.
 */
function decode(key: string, raw: string): unknown {
  if (TEXT_KEYS.has(key as (typeof CONFIG_KEYS)[number])) return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Validates the raw `harness:*` config (keys without the namespace, values as the CLI passes them:
 * strings, structured values as JSON). Throws ConfigError listing every problem.
 */
export function parseHarnessConfig(raw: Record<string, string>, ctx: ParseContext): HarnessConfig {
  const problems: ConfigProblem[] = [];
  const add = (key: string, problem: string, fix: string) =>
    problems.push({ key: `${NAMESPACE}:${key}`, problem, fix });
  const isDirectory = ctx.isDirectory ?? ((path: string) => existsSync(path) && statSync(path).isDirectory());
  const isFile = ctx.isFile ?? ((path: string) => existsSync(path) && statSync(path).isFile());
  const env = ctx.env ?? process.env;

  if (!STACK_NAME.test(ctx.stack)) {
    problems.push({
      key: "stack",
      problem: `stack name "${ctx.stack}" cannot name Docker objects (lowercase letters and digits, single . _ - between them; at most 40 characters)`,
      fix: "pulumi stack select --create <lowercase-name> (e.g. harness, ci-1234)",
    });
  }
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) values[key] = decode(key, value);
  const envNonce = env[REBUILD_NONCE_ENV];
  if (envNonce !== undefined && envNonce !== "") values.rebuildNonce = envNonce;

  const parsed = harnessSchema.safeParse(values, { error: errorMap });
  if (!parsed.success) {
    for (const p of problemsOf(harnessSchema, parsed.error, {
      unknownTopLevel: (key, guess) =>
        guess
          ? `did you mean ${NAMESPACE}:${guess}? Run: pulumi config rm ${NAMESPACE}:${key}`
          : `pulumi config rm ${NAMESPACE}:${key} (known keys: ${CONFIG_KEYS.join(", ")})`,
    })) {
      const fromEnv = p.path === "rebuildNonce" && values.rebuildNonce === envNonce && envNonce;
      add(
        fromEnv ? `rebuildNonce (from ${REBUILD_NONCE_ENV})` : p.path,
        p.problem,
        fromEnv ? `e.g. ${REBUILD_NONCE_ENV}=$(date +%s)` : p.fix,
      );
    }
  }
  // What the schema made of it. On failure, key by key: each valid key's value, the default for the
  // others, so the checks below still run on what was valid and one error lists everything.
  const cfg = (
    parsed.success
      ? parsed.data
      : Object.fromEntries(
          CONFIG_KEYS.map((key) => {
            const one = harnessSchema.shape[key].safeParse(values[key]);
            return [key, one.success ? one.data : harnessSchema.shape[key].parse(undefined)];
          }),
        )
  ) as SchemaOutput;
  const valid = (key: string) => !problems.some((p) => p.key.startsWith(`${NAMESPACE}:${key}`));

  // The tenant image: paths resolved against the checkout and checked on disk.
  let tenantImage: TenantImageSource = { kind: "reference" };
  const image = valid("tenantImage") ? cfg.tenantImage : undefined;
  if (image?.build) {
    const context = resolve(ctx.repoRoot, image.build.context);
    const dockerfile =
      image.build.dockerfile === undefined
        ? join(context, "Dockerfile")
        : isAbsolute(image.build.dockerfile)
          ? image.build.dockerfile
          : join(context, image.build.dockerfile);
    if (!isDirectory(context)) {
      add(
        "tenantImage.build.context",
        `directory ${context} does not exist`,
        "point it at an existing checkout (relative paths start at the repo root)",
      );
    } else if (!isFile(dockerfile)) {
      add(
        "tenantImage.build.dockerfile",
        `file ${dockerfile} does not exist`,
        "set dockerfile relative to the build context (as in compose)",
      );
    }
    const { target, args = {} } = image.build;
    tenantImage = { kind: "build", context, dockerfile, args, ...(target ? { target } : {}) };
  } else if (image?.image) {
    tenantImage = { kind: "image", image: image.image };
  }
  const tenantHealthcheck =
    image?.healthcheck ??
    (tenantImage.kind === "reference"
      ? { test: [...HEALTHCHECKS.tenant] }
      : { test: [...DEFAULT_USER_TENANT_HEALTHCHECK] });

  // The replays directory must exist.
  const absDir = resolve(ctx.repoRoot, cfg.replays.dir);
  if (valid("replays.dir") && !isDirectory(absDir)) {
    add(
      "replays.dir",
      `directory ${absDir} does not exist`,
      `create it or point ${NAMESPACE}:replays.dir at the folder holding the replays (relative to the repo root)`,
    );
  }

  // The production file (and the allow file, when given) must exist: checked for each of the two
  // that is a well-formed path, even when other parts of the key are wrong.
  let production: ProductionConfig | undefined;
  const prod = typeof values.production === "string" ? { path: values.production } : values.production;
  const files: Partial<Record<"path" | "allow", string>> = {};
  if (isObject(prod)) {
    for (const [key, what] of [
      ["path", "the file with production's tenant environment"],
      ["allow", "an allow file of intended differences (harness.drift.yaml)"],
    ] as const) {
      const value = prod[key];
      if (typeof value !== "string" || value.trim() === "" || !valid(`production.${key}`)) continue;
      const abs = resolve(ctx.repoRoot, value);
      if (isFile(abs)) files[key] = abs;
      else
        add(
          `production.${key}`,
          `file ${abs} does not exist`,
          `point it at ${what} (relative paths start at the repo root)`,
        );
    }
  }
  if (cfg.production && files.path !== undefined && valid("production")) {
    production = {
      path: files.path,
      ...(cfg.production.format ? { format: cfg.production.format } : {}),
      ...(cfg.production.container ? { container: cfg.production.container } : {}),
      ...(files.allow ? { allow: files.allow } : {}),
    };
  }

  // `harness:suites`: the runner's own contract (contracts/suites.ts), each cwd existing, kept
  // relative to the repo root (the env and the output stay the same from any checkout).
  const suites = checkSuites(values.suites, {
    absoluteCwd: false,
    cwdProblem: (cwd) => {
      const abs = resolve(ctx.repoRoot, cwd);
      return isDirectory(abs) ? undefined : `directory ${abs} does not exist`;
    },
  });
  for (const problem of suites.problems) add(`suites${problem.path}`, problem.problem, problem.fix);

  // `harness:engine` (config/engine.ts); with it, every published port binds on its publishAddress.
  const engineKey = `${NAMESPACE}:engine`;
  const engine = parseEngine(values.engine, {
    key: engineKey,
    baseDir: ctx.repoRoot,
    isDirectory,
    isFile,
    secret: ctx.isSecret?.(engineKey),
  });
  for (const problem of engine.problems) add(`engine${problem.path}`, problem.problem, problem.fix);
  const edge = { ...cfg.edge };
  if (engine.configured) {
    if (isObject(values.edge) && values.edge.bindAddress !== undefined) {
      add(
        "edge.bindAddress",
        `cannot be set with ${NAMESPACE}:engine: every published port, the edge's too, binds on ${NAMESPACE}:engine.publishAddress`,
        `remove ${NAMESPACE}:edge.bindAddress, and set ${NAMESPACE}:engine.publishAddress instead`,
      );
    }
    edge.bindAddress = engine.engine.publishAddress;
  }

  const config: HarnessConfig = {
    ...cfg,
    project: ctx.project,
    stack: ctx.stack,
    repoRoot: ctx.repoRoot,
    tenantImage,
    tenantHealthcheck,
    gitShaKnown: tenantImage.kind !== "image" || raw.gitSha !== undefined,
    edge,
    replays: { ...cfg.replays, absDir },
    suites: suites.suites.map((suite) => ({
      ...suite,
      cwd: relative(ctx.repoRoot, resolve(ctx.repoRoot, suite.cwd)).split(sep).join("/") || ".",
    })),
    engine: engine.engine,
  };
  delete (config as { production?: unknown }).production;
  if (production) config.production = production;
  // The edge renderer has its own checks; with ours passing they should too — say so if not.
  if (problems.length === 0) {
    for (const problem of edgeOptionProblems(edgeOptions(config.tenants, config.edge))) {
      add("edge", problem, `adjust ${NAMESPACE}:edge or ${NAMESPACE}:tenants accordingly`);
    }
  }
  if (problems.length > 0) throw new ConfigError(ctx.stack, problems);
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
