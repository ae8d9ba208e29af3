/**
 * The environment each harness tenant container gets for a stack, computed as the program computes
 * it, without Docker or the Pulumi CLI: the stack's `Pulumi.<stack>.yaml` is read as the CLI hands
 * it to the program (structured values as JSON text), validated by program/config/parse.ts, and every
 * tenant's env comes from `tenantEnvVars` (program/lib/tenant-env.ts), the function the program itself
 * uses, with the same wiring (program/lib/naming.ts aliases and ports). Plus what the tenant image's own
 * ENV contributes where the harness builds it (the reference tenant's `reference-tenant/Dockerfile`, or
 * `harness:tenantImage.build`'s Dockerfile and target).
 *
 * Secrets are never decrypted: an encrypted config value (`secure: …`) is validated as a stand-in
 * and known only as "set"; the secrets the program generates at `up` (admin tokens, the encryption
 * key, each Postgres password) are known only as "set, non-empty".
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse as parseYaml, parseDocument } from "yaml";
import { tenantEnvVars } from "../../program/lib/tenant-env";
import { ConfigError } from "../../program/config/errors";
import { harnessKeys, parseHarnessConfig } from "../../program/config/parse";
import type { HarnessConfig, TenantConfig } from "../../program/config/schema";
import { ALIASES, PORTS, POSTGRES_DB, POSTGRES_USER } from "../../program/lib/naming";
import { dockerfileEnv } from "./dockerfile";
import type { EnvVar } from "./env";
import { BadInput } from "./errors";
import type { Note, TenantEnv } from "./rules";

/** Stands in for an encrypted config value: 32 printable characters, valid as a token and as a key. */
export const SECRET_PLACEHOLDER = "harness-lint-secret-placeholder!";
/** Stands in for a secret the program generates at `up` (never a real value). */
const GENERATED = "generated-at-up-by-the-program!!";
/** The Postgres password in DATABASE_URL: generated per stack at `up`. */
const GENERATED_PASSWORD = "generated-at-up";

/** Harness env values that carry a secret (the container's whole `envs` is a Pulumi secret). */
const SECRET_VARS = new Set(["ADMIN_TOKEN", "SECRETS_ENCRYPTION_KEY", "DATABASE_URL"]);

export interface StackConfig {
  stack: string;
  project: string;
  /** The stack file. */
  file: string;
  /** `harness:*` keys without the namespace, values as the CLI passes them. */
  raw: Record<string, string>;
}

function projectOf(root: string): string {
  const file = join(root, "Pulumi.yaml");
  if (!existsSync(file))
    throw new BadInput(`no Pulumi.yaml in ${root}: run the lint from the repository root`);
  const doc = parseYaml(readFileSync(file, "utf8")) as { name?: unknown } | null;
  return typeof doc?.name === "string" ? doc.name : "harness";
}

/** Replaces every `{secure: …}` value by the stand-in (never decrypted). */
function withoutCiphertext(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCiphertext);
  if (typeof value === "object" && value !== null) {
    const obj = value as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj.secure === "string") return SECRET_PLACEHOLDER;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, withoutCiphertext(v)]));
  }
  return value;
}

/** The stack's `Pulumi.<stack>.yaml` (in `dir`), as the CLI hands its `harness:*` config to the program. */
export function readStackConfig(dir: string, stack: string): StackConfig {
  const file = join(dir, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    throw new BadInput(
      `no Pulumi.${stack}.yaml in ${dir}: is "${stack}" the stack you meant? Pass --stack <name> (default harness), or create it: pulumi stack select --create ${stack}`,
    );
  }
  const doc = parseDocument(readFileSync(file, "utf8"));
  if (doc.errors.length > 0) {
    throw new BadInput(`${file} is not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
  }
  const body = (doc.toJS() ?? {}) as { config?: unknown };
  const config = body.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new BadInput(`${file}: \`config\` must be a map of keys to values`);
  }
  const all: Record<string, string> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    const v = withoutCiphertext(value);
    all[key] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return { stack, project: projectOf(dir), file, raw: harnessKeys(all) };
}

/**
 * Validates the stack's config with program/config/parse.ts, exactly as the program does; a bad config is a
 * bad input. `root`: the checkout (relative paths in the config start there); `stackDir`: where
 * Pulumi.yaml and the stack file are (the root, or a scratch work dir of the Automation API).
 */
export function harnessConfigOf(root: string, stack: string, stackDir = root): HarnessConfig {
  const sc = readStackConfig(stackDir, stack);
  try {
    // No process env: HARNESS_REBUILD_NONCE only changes image tags, never the tenant's env.
    return parseHarnessConfig(sc.raw, { project: sc.project, stack, repoRoot: root, env: {} });
  } catch (error) {
    if (error instanceof ConfigError) throw new BadInput(error.message);
    throw error;
  }
}

export interface ImageEnv {
  /** The Dockerfile read (repo-relative when inside the repo), or undefined for a prebuilt image. */
  dockerfile?: string;
  env: Map<string, string>;
  notes: Note[];
}

/** What the tenant image's own ENV sets, where the harness builds the image. */
export function tenantImageEnv(cfg: HarnessConfig): ImageEnv {
  const src = cfg.tenantImage;
  if (src.kind === "image") {
    return {
      env: new Map(),
      notes: [
        {
          message: `the tenant is the prebuilt image ${src.image}: its own ENV is not read here (no Docker); what it sets counts as unset`,
        },
      ],
    };
  }
  const file =
    src.kind === "reference" ? join(cfg.repoRoot, "reference-tenant", "Dockerfile") : src.dockerfile;
  const shown = relative(cfg.repoRoot, file).startsWith("..") ? file : relative(cfg.repoRoot, file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new BadInput(`the tenant's Dockerfile ${file} cannot be read: ${(error as Error).message}`);
  }
  const buildArgs: Record<string, string> = {
    ...(src.kind === "build" ? src.args : { NODE_BASE: cfg.baseImages.node }),
    GIT_SHA: cfg.gitSha,
    ...(cfg.rebuildNonce ? { HARNESS_REBUILD: cfg.rebuildNonce } : {}),
  };
  try {
    const env = dockerfileEnv(text, { target: src.kind === "build" ? src.target : undefined, buildArgs });
    return { dockerfile: shown, env, notes: [] };
  } catch (error) {
    if (error instanceof BadInput) throw new BadInput(`${shown}: ${error.message}`);
    throw error;
  }
}

/**
 * One tenant's environment as the lint compares it: the image's ENV, then the container's env over
 * it (`container`: NAME → value, as the program sets it). Values standing in for secrets are known
 * only as set and non-empty.
 */
export function tenantEnvOf(
  tenant: string,
  container: Record<string, string>,
  cfg: HarnessConfig,
  image: ImageEnv,
  source = "harness",
): TenantEnv {
  const env = new Map<string, EnvVar>();
  for (const [name, value] of image.env) {
    env.set(name, { name, value, source: `image ENV (${image.dockerfile})`, origin: "image" });
  }
  for (const [name, value] of Object.entries(container)) {
    const fromConfig = name in cfg.tenantEnv && cfg.tenantEnv[name] === value;
    const hidden = value === GENERATED || value === SECRET_PLACEHOLDER;
    env.set(name, {
      name,
      ...(hidden ? { nonEmpty: true } : { value }),
      source: fromConfig ? "harness:tenantEnv" : hidden ? `${source} (a secret: set, not shown)` : source,
      origin: fromConfig ? "tenantEnv" : "harness",
      ...(SECRET_VARS.has(name) ? { secret: true } : {}),
    });
  }
  return { tenant, env };
}

/** What the program gives tenant `t` (tenantEnvVars, with the program's wiring; generated secrets stood in for). */
export function computedContainerEnv(t: TenantConfig, cfg: HarnessConfig): Record<string, string> {
  return tenantEnvVars({
    alias: ALIASES.tenant(t.name),
    databaseUrl: `postgres://${POSTGRES_USER}:${GENERATED_PASSWORD}@${ALIASES.postgres(t.name)}:${PORTS.postgres}/${POSTGRES_DB}?sslmode=disable`,
    redisUrl: `redis://${ALIASES.redis}:${PORTS.redis}`,
    cpStubUrl: `http://${ALIASES.cpStub}:${PORTS.cpStub}`,
    orgId: t.orgId,
    adminToken: t.adminToken ?? GENERATED,
    encryptionKey: cfg.encryptionKey ?? GENERATED,
    rateLimit: cfg.rateLimit,
    extraEnv: cfg.tenantEnv,
  });
}

/** Every harness tenant's environment for this config, computed as the program computes it. */
export function harnessTenantEnvs(cfg: HarnessConfig): { tenants: TenantEnv[]; image: ImageEnv } {
  const image = tenantImageEnv(cfg);
  const tenants = cfg.tenants.map((t) => tenantEnvOf(t.name, computedContainerEnv(t, cfg), cfg, image));
  return { tenants, image };
}
