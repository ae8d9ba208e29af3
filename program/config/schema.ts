/**
 * The harness configuration (namespace `harness`), defined once: every key's type, default,
 * validation, fix and documentation is here. The parser (parse.ts) runs this schema; the README's
 * and docs/pulumi.md's config tables are generated from it (`npm run docs:config`); the types the
 * program uses are inferred from it. Adding a key means adding it here.
 *
 * Two keys are defined where their other readers find them, and parse.ts plugs them in: `suites` is
 * the zod schema of contracts/suites.ts (also the runner's HARNESS_SUITES contract), and `engine`
 * keeps the validator of config/engine.ts (also an engine pool file's entries; its rules are mostly
 * between its keys). Checks that need the filesystem (a directory exists) are in parse.ts.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { defaultOrgId, tenantHost, TENANT_NAME_PATTERN } from "../contracts/hosts";
import type { EgressPolicy } from "../contracts/egress";
import type { SuiteSpec } from "../contracts/suites";
import type { EngineConfig } from "./engine";
import { describe, documented, integerIn } from "../contracts/problems";

export const NAMESPACE = "harness";

/** Env var that overrides `rebuildNonce` (set by the one-shot runner for REBUILD=1). */
export const REBUILD_NONCE_ENV = "HARNESS_REBUILD_NONCE";

/** Env the harness sets on every tenant: `tenantEnv` may not override these. */
export const MANAGED_TENANT_ENV = [
  "PORT",
  "PLATFORM_URL",
  "DATABASE_URL",
  "REDIS_URL",
  "MOLECULE_ENV",
  "MOLECULE_ORG_ID",
  "ADMIN_TOKEN",
  "SECRETS_ENCRYPTION_KEY",
  "CP_UPSTREAM_URL",
  "MOLECULE_CP_URL",
  "CP_PROVISION_URL",
  "CANVAS_PROXY_URL",
  "RATE_LIMIT",
  "MOLECULE_LLM_USAGE_URL",
  "MOLECULE_LLM_BASE_URL",
  "MOLECULE_LLM_ANTHROPIC_BASE_URL",
  "MOLECULE_LLM_USAGE_TOKEN",
  "MEMORY_PLUGIN_DISABLE",
] as const;

/** Formats of the production env file `harness:production` points at (tools/config-lint/production.ts). */
export const PRODUCTION_FORMATS = ["dotenv", "json", "yaml", "k8s", "ecs", "compose"] as const;
export type ProductionFormat = (typeof PRODUCTION_FORMATS)[number];

/**
 * The healthcheck for a user-supplied tenant image: the anchor's probe (busybox wget is in the
 * alpine-based production image), against 127.0.0.1 so it never depends on name resolution.
 */
export const DEFAULT_USER_TENANT_HEALTHCHECK = [
  "CMD-SHELL",
  "wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1",
];

/** Docker image reference: [registry[:port]/]name[/name…][:tag][@sha256:digest], lowercase repository. */
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TOKEN = /^[\x21-\x7e]{16,256}$/;

// ---- Field kinds, worded the harness's way ------------------------------------------------------

/** A string matching `pattern`; any other value is "must be <what>, got <value>". */
const text = (pattern: RegExp, what: string) => {
  const error = (issue: { input?: unknown }) => `must be ${what}, got ${describe(issue.input)}`;
  return z.string({ error }).regex(pattern, { error });
};

/** true or false; "true"/"false" count. */
const boolean = () =>
  z.unknown().transform((value, ctx) => {
    if (value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    ctx.addIssue({ code: "custom", message: `must be true or false, got ${describe(value)}` });
    return z.NEVER;
  });

const nonEmptyStrings = () =>
  z.array(z.string().trim().min(1), {
    error: (issue) => `must be a list of non-empty strings, got ${describe(issue.input)}`,
  });

/** An object with exactly these keys (anything else: "unknown key", with "did you mean"). */
const object = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === "invalid_type" ? `must be an object, got ${describe(issue.input)}` : undefined,
  });

// ---- The keys ----------------------------------------------------------------------------------

const tenant = z
  .strictObject(
    {
      name: documented(
        z
          .string({ error: (i) => (i.input === undefined ? "is required" : undefined) })
          .regex(TENANT_NAME_PATTERN, {
            error: (i) =>
              `${describe(i.input)} is not a valid tenant name (lowercase letter first, then lowercase letters, digits or "-", at most 24 characters)`,
          }),
        { fix: `use a DNS-label safe name such as "alpha" or "team-2"` },
      ),
      orgId: documented(
        text(
          /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
          "an org id without spaces (letters, digits, . _ : -; at most 128 characters)",
        ).optional(),
        { fix: `omit it to use the default harness-org-<name>, or set a UUID` },
      ),
      adminToken: documented(
        z
          .string({ error: "must be 16 to 256 printable characters without spaces (value not shown)" })
          .regex(TOKEN, { error: "must be 16 to 256 printable characters without spaces (value not shown)" })
          .optional(),
        {
          fix: `omit it to generate one per stack, or: pulumi config set --path --secret '${NAMESPACE}:tenants[<i>].adminToken' <token>`,
        },
      ),
    },
    {
      error: (i) =>
        i.code === "invalid_type"
          ? `must be an object like {name: alpha}, got ${describe(i.input)}`
          : undefined,
    },
  )
  .transform(({ name, orgId, adminToken }) => ({
    name,
    orgId: orgId ?? defaultOrgId(name),
    ...(adminToken === undefined ? {} : { adminToken }),
  }));

/** Tenant names, hosts and org ids are unique: each tenant is its own org in production. */
const tenants = z
  .array(tenant, {
    error: (i) => `must be a non-empty list of {name, orgId?, adminToken?}, got ${describe(i.input)}`,
  })
  .min(1, { error: "must be a non-empty list of {name, orgId?, adminToken?}, got an empty list" })
  .superRefine(
    (list, ctx) => {
      const names = new Map<string, number>();
      const hosts = new Map<string, number>();
      const orgs = new Map<string, number>();
      if (!Array.isArray(list)) return;
      // Also when another entry is wrong (then entries may be as given): every problem at once.
      list.forEach((entry, i) => {
        const given = entry as { name?: unknown; orgId?: unknown } | null;
        if (typeof given?.name !== "string" || !TENANT_NAME_PATTERN.test(given.name)) return;
        const t = {
          name: given.name,
          orgId: typeof given.orgId === "string" ? given.orgId : defaultOrgId(given.name),
        };
        if (names.has(t.name)) {
          ctx.addIssue({
            code: "custom",
            path: [i, "name"],
            message: `duplicate tenant name "${t.name}" (also tenants[${names.get(t.name)}])`,
            params: { fix: "give every tenant a distinct name" },
          });
          return;
        }
        names.set(t.name, i);
        const host = tenantHost(t.name);
        if (hosts.has(host)) {
          ctx.addIssue({
            code: "custom",
            path: [i, "name"],
            message: `host ${host} is already routed to tenants[${hosts.get(host)}]`,
            params: { fix: "give every tenant a distinct name" },
          });
        }
        hosts.set(host, i);
        if (orgs.has(t.orgId)) {
          ctx.addIssue({
            code: "custom",
            path: [i, "orgId"],
            message: `org id "${t.orgId}" is also used by tenants[${orgs.get(t.orgId)}]; each tenant is its own org in production`,
            params: {
              fix: "give every tenant a distinct orgId (or omit orgId for the default harness-org-<name>)",
            },
          });
        }
        orgs.set(t.orgId, i);
      });
    },
    { when: () => true },
  );

const build = object({
  context: documented(
    z
      .string({ error: (i) => (i.input === undefined ? "is required" : undefined) })
      .min(1, { error: "is required" }),
    {
      fix: "set it to the build context directory (relative to the repo root or absolute)",
    },
  ),
  dockerfile: documented(
    z
      .string({ error: (i) => `must be a path, got ${describe(i.input)}` })
      .min(1, { error: "must be a path, got an empty string" })
      .optional(),
    { fix: "set it relative to the build context, e.g. workspace-server/Dockerfile.tenant" },
  ),
  args: documented(
    z.record(z.string(), z.string({ error: (i) => `must be a string, got ${describe(i.input)}` })).optional(),
    {
      fix: "write args as a map: {NAME: value}; quote values in Pulumi.<stack>.yaml",
    },
  ),
  target: documented(
    z.string({ error: (i) => `must be a stage name, got ${describe(i.input)}` }).optional(),
    {
      fix: "set the Dockerfile stage to build, or omit it",
    },
  ),
}).superRefine((b, ctx) => {
  if (b.args && "GIT_SHA" in b.args) {
    ctx.addIssue({
      code: "custom",
      path: ["args", "GIT_SHA"],
      message: `GIT_SHA is set by the harness from ${NAMESPACE}:gitSha (the buildinfo replay expects it)`,
      params: { fix: `remove it and run: pulumi config set ${NAMESPACE}:gitSha <sha>` },
    });
  }
});

const healthcheck = z.unknown().transform((hc, ctx) => {
  if (hc === "image") return "image" as const;
  if (
    Array.isArray(hc) &&
    hc.length >= 2 &&
    hc.every((part) => typeof part === "string") &&
    (hc[0] === "CMD" || hc[0] === "CMD-SHELL")
  ) {
    return { test: hc as string[] };
  }
  ctx.addIssue({
    code: "custom",
    message: `must be "image" (use the image's own HEALTHCHECK) or a Docker test list starting with CMD or CMD-SHELL, got ${describe(hc)}`,
  });
  return z.NEVER;
});

const tenantImage = object({
  build: build.optional(),
  image: documented(
    z
      .string({ error: (i) => `${describe(i.input)} is not an image reference` })
      .regex(IMAGE_REF, { error: (i) => `${describe(i.input)} is not an image reference` })
      .optional(),
    { fix: `use e.g. "registry.example.com/team/tenant:1.2.3" (lowercase repository)` },
  ),
  healthcheck: documented(healthcheck.optional(), {
    fix: `e.g. ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1"]`,
  }),
}).superRefine((t, ctx) => {
  if (t.build !== undefined && t.image !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: "sets both build and image; the tenant comes from exactly one of them",
      params: {
        fix: 'keep one: {build: {context, dockerfile?, args?, target?}}, {image: "<ref>"}, or omit tenantImage for the reference tenant',
      },
    });
  }
});

const baseImage = (fallback: string) =>
  documented(text(IMAGE_REF, "an image reference").default(fallback), {
    fix: `e.g. "${fallback}" (lowercase repository, optional tag/digest)`,
  });

const baseImages = object({
  node: baseImage("node:20-bookworm-slim"),
  nginx: baseImage("nginx:1.27-alpine"),
  postgres: baseImage("postgres:16-alpine"),
  redis: baseImage("redis:7-alpine"),
}).prefault({});

const edge = object({
  port: documented(integerIn(0, 65535).default(8080), {
    fix: `use 1-65535, or 0 to pick a free port: pulumi config set --path ${NAMESPACE}:edge.port 0`,
  }),
  bindAddress: documented(
    z
      .string({ error: (i) => `must be an IP address, got ${describe(i.input)}` })
      .refine((a) => isIP(a) !== 0, { error: (i) => `must be an IP address, got ${describe(i.input)}` })
      .default("127.0.0.1"),
    {
      fix: `use "127.0.0.1" (default; loopback only) or "0.0.0.0" when a client outside this host must reach the edge`,
    },
  ),
  forwardedProto: documented(z.enum(["http", "https"]).default("https"), {
    fix: `use "https" (what the real CDN sends) unless a test needs "http"`,
  }),
  readTimeoutSeconds: documented(integerIn(1, 86400).default(100), {
    fix: "use seconds, e.g. 100 (the CDN tunnel's default)",
  }),
  maxBodySize: documented(
    text(/^[0-9]+[kKmMgG]?$/, `an nginx size such as "100m", "512k" or "1g"`).default("100m"),
    { fix: `e.g. "100m"` },
  ),
}).prefault({});

const replays = object({
  dir: documented(
    z
      .string({ error: (i) => `must be a directory path, got ${describe(i.input)}` })
      .trim()
      .min(1, {
        error: "must be a directory path, got an empty string",
      })
      .default("replays"),
    { fix: `use "replays" (default) or another folder of replays` },
  ),
  include: documented(nonEmptyStrings().default([]), { fix: `use glob patterns, e.g. ["tenant-*"]` }),
  exclude: documented(nonEmptyStrings().default([]), { fix: `use glob patterns, e.g. ["canary-*"]` }),
  timeoutSeconds: documented(integerIn(1, 3600).default(120), { fix: "use seconds per replay, e.g. 120" }),
  concurrency: documented(integerIn(1, 16).default(3), {
    fix: "use 1 (one at a time, as the anchor) to 16 (default 3)",
  }),
  rerun: documented(z.enum(["on-change", "always"]).default("on-change"), {
    fix: `"on-change" re-runs only when a replay, the runner or a tested image/container changed; "always" on every up`,
  }),
}).prefault({});

const tenantEnv = z
  .record(z.string(), z.unknown(), {
    error: (i) => `must be a map of names to strings, got ${describe(i.input)}`,
  })
  .superRefine((env, ctx) => {
    for (const [name, value] of Object.entries(env)) {
      if (!ENV_NAME.test(name)) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: "is not a valid environment variable name",
          params: { fix: "use letters, digits and _, not starting with a digit" },
        });
      } else if ((MANAGED_TENANT_ENV as readonly string[]).includes(name)) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `${name} is set by the harness (a production layer or its wiring)`,
          params: {
            fix: "remove it; see docs/pulumi.md for the dedicated key (tenants, rateLimit, encryptionKey, …)",
          },
        });
      } else if (typeof value !== "string") {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `must be a string, got ${describe(value)}`,
          params: { fix: `quote the value in Pulumi.<stack>.yaml, e.g. ${name}: "${String(value)}"` },
        });
      }
    }
  })
  .transform((env) => env as Record<string, string>);

const production = z.preprocess(
  (value) => (typeof value === "string" ? { path: value } : value),
  z.strictObject(
    {
      path: documented(
        z
          .string({
            error: (i) =>
              i.input === undefined ? "is required" : `must be a file path, got ${describe(i.input)}`,
          })
          .trim()
          .min(1, {
            error: "must be a file path, got an empty string",
          }),
        {
          fix: "set it to the file with production's tenant environment (dotenv, JSON/YAML map, k8s manifest, ECS task definition or compose file)",
        },
      ),
      format: documented(
        z
          .enum(PRODUCTION_FORMATS, {
            error: (i) => `must be one of ${PRODUCTION_FORMATS.join(", ")}, got ${describe(i.input)}`,
          })
          .optional(),
        {
          fix: "omit it to detect the format from the file",
        },
      ),
      container: documented(
        z
          .string({ error: (i) => `must be a container name, got ${describe(i.input)}` })
          .trim()
          .min(1, {
            error: "must be a container name, got an empty string",
          })
          .optional(),
        { fix: "name the tenant's container (k8s), container definition (ECS) or service (compose)" },
      ),
      allow: documented(
        z
          .string({ error: (i) => `must be a file path, got ${describe(i.input)}` })
          .trim()
          .min(1, {
            error: "must be a file path, got an empty string",
          })
          .optional(),
        {
          fix: "set it to an allow file of intended differences (harness.drift.yaml), relative to the repo root",
        },
      ),
    },
    {
      error: (i) =>
        i.code === "invalid_type"
          ? `must be a file path or {path, format?, container?, allow?}, got ${describe(i.input)}`
          : undefined,
    },
  ),
);

const egress = object({
  mode: documented(
    z
      .enum(["fail", "warn"], { error: (i) => `must be fail or warn, got ${describe(i.input)}` })
      .default("fail"),
    { fix: "e.g. harness:egress: {mode: warn}" },
  ),
  allow: documented(
    nonEmptyStrings()
      .superRefine((patterns, ctx) => {
        for (const pattern of patterns)
          if (!/^[a-zA-Z0-9.*-]+$/.test(pattern))
            ctx.addIssue({
              code: "custom",
              message: `${JSON.stringify(pattern)} is not a host pattern`,
              params: { fix: "use letters, digits, dots, hyphens and `*`, e.g. *.example.com" },
            });
      })
      .default([]),
    { fix: 'host patterns, `*` for any run of characters, e.g. ["api.stripe.com", "*.sentry.io"]' },
  ),
}).prefault({});

/** The encryption key: 32 bytes, base64 or as is; never echoed. */
const encryptionKey = z
  .string({
    error:
      "must be 32 bytes, base64-encoded (or exactly 32 characters), as the tenant's strict crypto requires (value not shown)",
  })
  .refine(
    (value) =>
      Buffer.byteLength(value) === 32 ||
      (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, "base64").length === 32),
    {
      error:
        "must be 32 bytes, base64-encoded (or exactly 32 characters), as the tenant's strict crypto requires (value not shown)",
    },
  );

/** Every key of the namespace, with its type, default, fix and documentation. */
export const harnessSchema = z.strictObject({
  tenants: documented(
    tenants.default([
      { name: "alpha", orgId: defaultOrgId("alpha") },
      { name: "beta", orgId: defaultOrgId("beta") },
    ]),
    {
      summary:
        "the tenants in order; each `name`, optional `orgId` (default `harness-org-<name>`), optional secret `adminToken` (generated)",
      details:
        "The tenants, in order (the first also answers on the legacy host `harness-tenant.localhost`). Each: `name` (lowercase letter, then lowercase letters/digits/`-`, ≤ 24 chars; unique), `orgId` (default `harness-org-<name>`; unique), `adminToken` (secret; default: generated per stack).",
      shownDefault: "`[{name: alpha}, {name: beta}]`",
      fix: `set ${NAMESPACE}:tenants: [{name: alpha}, {name: beta}] in Pulumi.<stack>.yaml`,
    },
  ),
  tenantImage: documented(tenantImage.optional(), {
    summary:
      '`{build: {context, dockerfile?, args?, target?}}` or `{image: "<ref>"}`, optional `healthcheck` (see below)',
    details:
      'Where the tenant image comes from: `{build: {context, dockerfile?, args?, target?}}` — a build context (relative to the repo root or absolute) and a Dockerfile relative to the context (compose semantics; default `<context>/Dockerfile`), e.g. a monorepo checkout with `workspace-server/Dockerfile.tenant`; or `{image: "<ref>"}` — a prebuilt image (pulled, or used as is when present locally). Not both. Optional `healthcheck`: a Docker test list (`["CMD-SHELL", "…"]`) or `"image"` to use the image\'s own `HEALTHCHECK`. Default healthcheck: reference tenant `["CMD", "node", "/app/healthcheck.js", "http://127.0.0.1:8080/health"]`; build/image `["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health \\|\\| exit 1"]` (the anchor\'s probe).',
    shownDefault: "absent = the reference tenant in `reference-tenant/`",
    fix: `use {build: {context, dockerfile?, args?, target?}}, {image: "<ref>"}, or omit tenantImage for the reference tenant`,
  }),
  gitSha: documented(
    text(/^[A-Za-z0-9._-]{1,64}$/, "a short sha or tag (letters, digits, . _ -)").default("harness"),
    {
      summary: "`GIT_SHA` build arg of a built tenant, and what the buildinfo replay expects",
      details:
        "`GIT_SHA` build arg of a built tenant (reference or `build`) and what the buildinfo replay expects. With a prebuilt image, set it to the image's sha to have it checked; unset = not checked. `GIT_SHA` may not appear in `tenantImage.build.args`.",
      fix: `e.g. pulumi config set ${NAMESPACE}:gitSha $(git rev-parse HEAD)`,
    },
  ),
  tenantEnv: documented(tenantEnv.default({}), {
    summary: "extra non-secret env for every tenant (cannot override the harness-managed variables)",
    details:
      "Extra, non-secret environment for every tenant container. The variables the harness manages (the production layers and their wiring, listed below) cannot be overridden.",
    fix: "write it as a map: {NAME: value}; quote values in Pulumi.<stack>.yaml",
  }),
  baseImages: documented(baseImages, {
    summary: "base images; a locally present image is used without pulling",
    details:
      "Base images, each overridable (e.g. local stand-ins `harness-local/postgres:15`). Pulled as `docker.RemoteImage` with `keepLocally` (a locally present image is used without pulling); `node`/`nginx` are the `NODE_BASE`/`NGINX_BASE` build args of the cp-stub, reference tenant and cf-proxy images.",
    fix: `set any of node, nginx, postgres, redis, e.g. {postgres: "postgres:16-alpine"}`,
  }),
  edge: documented(edge, {
    summary: "the cf-proxy edge; `port: 0` picks a free port (use it in CI)",
    details:
      "The cf-proxy edge: host port (`0` = a free port, use it in CI), the host address it binds (loopback; `0.0.0.0` only when a client outside the host must reach it), `X-Forwarded-Proto`/`CF-Visitor` scheme sent to tenants, upstream read timeout (504 over it), request body cap in nginx size syntax (413 over it).",
    fix: `e.g. ${NAMESPACE}:edge: {port: 8080}`,
  }),
  replays: documented(replays, {
    summary: "replays directory, glob filters, per-replay timeout, parallelism, `on-change` or `always`",
    details:
      "The replays directory (relative to the repo root; must exist), glob filters, per-replay timeout, how many run at once, and when to re-run: `on-change` (a replay, the runner, the contracts, an image or a container changed) or `always` (every `up`).",
    fix: `e.g. ${NAMESPACE}:replays: {dir: replays, concurrency: 2}`,
  }),
  cpStub: documented(
    object({
      publish: documented(boolean().default(true), {
        fix: `pulumi config set --path ${NAMESPACE}:cpStub.publish false (or true)`,
      }),
    }).prefault({}),
    {
      summary: "publish the cp-stub on a random `127.0.0.1` port (never all interfaces)",
      details:
        'Publish the cp-stub on a random `127.0.0.1` port (never all interfaces) so replays on the host can call it; `false` → `cpStubUrl` is `""`.',
      fix: `e.g. ${NAMESPACE}:cpStub: {publish: false}`,
    },
  ),
  rateLimit: documented(integerIn(1, 1_000_000).default(1000), {
    summary: "the tenants' `RATE_LIMIT` (all harness traffic arrives from the edge's one IP)",
    details:
      "The tenants' `RATE_LIMIT` (per minute per client IP; all harness traffic arrives from the edge's one IP).",
    fix: "requests per minute per client IP, e.g. 1000 (all harness traffic comes from the edge's one IP)",
  }),
  waitTimeoutSeconds: documented(integerIn(10, 3600).default(120), {
    summary: "how long `up` waits for each container to become healthy",
    details:
      "How long `up` waits for each container to become healthy (the health gate) before failing; an exited or unhealthy container fails it at once.",
    fix: "seconds a container may take to become healthy, e.g. 120",
  }),
  encryptionKey: documented(encryptionKey.optional(), {
    summary: "`SECRETS_ENCRYPTION_KEY` (secret)",
    details: "`SECRETS_ENCRYPTION_KEY` (secret; 32 bytes base64, or 32 characters).",
    shownDefault: "generated per stack",
    fix: `omit it to generate one per stack, or: pulumi config set --secret ${NAMESPACE}:encryptionKey "$(openssl rand -base64 32)"`,
  }),
  rebuildNonce: documented(text(/^[A-Za-z0-9._-]{0,64}$/, "at most 64 letters, digits, . _ -").default(""), {
    summary: "change it to force image rebuilds on a kept stack",
    details: `Change it to force the locally built images to rebuild (see REBUILD below). The environment variable \`${REBUILD_NONCE_ENV}\` overrides it.`,
    fix: `e.g. pulumi config set ${NAMESPACE}:rebuildNonce $(date +%s)`,
  }),
  imageBuilder: documented(
    z
      .enum(["BuilderBuildKit", "BuilderV1"], {
        error: (i) => `must be "BuilderBuildKit" or "BuilderV1", got ${describe(i.input)}`,
      })
      .default("BuilderBuildKit"),
    {
      summary: "`BuilderBuildKit` or `BuilderV1` (engines without buildx)",
      details:
        "Builder for the local images: `BuilderBuildKit` (buildx when the engine has it, else BuildKit through the engine's API) or `BuilderV1` (the provider's `useLegacyBuilder`).",
      fix: `use "BuilderV1" (classic) on engines without BuildKit`,
    },
  ),
  keepImages: documented(boolean().default(false), {
    summary: "keep the stack's built images on destroy (faster next boot)",
    details: "Keep the stack's built images on destroy (faster next boot) instead of removing them.",
    fix: `pulumi config set ${NAMESPACE}:keepImages true (or false)`,
  }),
  production: documented(production.optional(), {
    summary:
      "production's tenant env for the config coherence lint: a file path, or `{path, format?, container?, allow?}` (below)",
    details:
      "The file holding production's tenant environment, for the config coherence lint (`npm run lint:config`, and the preflight of `npm run harness`, which refuses to boot on drift): a path, or `{path, format?, container?, allow?}` — `path` (relative to the repo root; must exist), `format` (`dotenv`, `json`, `yaml`, `k8s`, `ecs` or `compose`; default: detected), `container` (the tenant's container, ECS container definition or compose service, when the file has several), `allow` (the allow file; default `harness.drift.yaml` in the repo root, if present). See [Config coherence with production](#config-coherence-with-production).",
    shownDefault: "absent",
    fix: `set ${NAMESPACE}:production: {path: deploy/tenant.yaml, container: tenant} in Pulumi.<stack>.yaml`,
  }),
  suites: documented(z.unknown().optional(), {
    summary:
      "your own end-to-end suites, run after the replays: a list of `{name, command, cwd?, timeoutSeconds?, junit?}` ([below](#your-own-suites-harnesssuites))",
    details:
      "The stack's own end-to-end suites, run by the replays Command after the replays (the seed's Phase 2): a list of `{name, command, cwd?, timeoutSeconds?, junit?}`. `name`: unique, letters, digits, `.`, `_`, `-` (it names the suite in every report); `command`: run with `bash -c` in `cwd` (relative to the repo root, must exist; default the repo root); `timeoutSeconds` (default 600) ends its whole process tree; `junit`: the JUnit file(s) it writes, a path or glob relative to `cwd` (`${HARNESS_STACK}` is the stack name), read into its cases. Its exit code is its status. Editing the config or a file in `cwd` re-runs the Command on `up`. See runner/README.md, Suites.",
    shownDefault: "`[]`",
  }),
  engine: documented(z.unknown().optional(), {
    summary: "a remote Docker engine over mutual TLS: `{host, tls, publishAddress?, clientAddress?}` (below)",
    details:
      "The Docker engine the stack runs on: `{host?, tls?, publishAddress?, clientAddress?}`. `host`: `unix:///…` or `tcp://<address>:<port>`; a `tcp://` engine needs mutual TLS: `tls.certPath` (a directory with `ca.pem`, `cert.pem`, `key.pem`, as `DOCKER_CERT_PATH`) or `tls.ca`, `tls.cert`, `tls.key` as secrets. `publishAddress` (default: the address in `host`, else `127.0.0.1`; never `0.0.0.0`): where every published port binds, the edge's too (`edge.bindAddress` cannot be set with it). `clientAddress` (default: the address in `host`): what the runner, the seed and the outputs dial. One explicit docker provider carries it to every docker resource. See the README, Remote engines.",
    shownDefault: "absent = Docker's defaults, ports on `127.0.0.1`",
  }),
  egress: documented(egress, {
    summary:
      "outbound calls the sinkhole caught: `fail` the replay that made one, or `warn`; `allow`: host patterns ([below](#no-call-leaves-the-harness))",
    details:
      'What an outbound attempt caught by the egress sinkhole does (How it works, below): `mode: fail` (default) makes the replay it happened in FAIL, naming the destination; `warn` only names it. `allow`: host patterns, `*` for any run of characters (e.g. `["api.stripe.com", "*.sentry.io"]`): journaled and reported, never a failure.',
    fix: `e.g. ${NAMESPACE}:egress: {mode: warn, allow: ["*.sentry.io"]}`,
  }),
});

/** The namespace's keys, in the order the tables list them. */
export const CONFIG_KEYS = Object.keys(harnessSchema.shape) as (keyof typeof harnessSchema.shape)[];
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** What the schema makes of the stack's values (before parse.ts adds paths, the engine and suites). */
export type SchemaOutput = z.output<typeof harnessSchema>;

// ---- Types and defaults, from the schema ---------------------------------------------------------

/** A tenant as the program uses it (defaults applied). */
export type TenantConfig = SchemaOutput["tenants"][number];
export type BaseImages = SchemaOutput["baseImages"];
export type EdgeConfig = SchemaOutput["edge"];
export type RerunPolicy = SchemaOutput["replays"]["rerun"];
export type ImageBuilder = SchemaOutput["imageBuilder"];
export type TenantHealthcheck = NonNullable<NonNullable<SchemaOutput["tenantImage"]>["healthcheck"]>;

export const DEFAULT_TENANTS = harnessSchema.shape.tenants.parse(undefined).map((t) => t.name);
export const DEFAULT_BASE_IMAGES: BaseImages = harnessSchema.shape.baseImages.parse(undefined);
export const DEFAULT_EDGE: EdgeConfig = harnessSchema.shape.edge.parse(undefined);
export const DEFAULT_REPLAYS = harnessSchema.shape.replays.parse(undefined);
export const DEFAULT_GIT_SHA = harnessSchema.shape.gitSha.parse(undefined);
export const DEFAULT_RATE_LIMIT = harnessSchema.shape.rateLimit.parse(undefined);
export const DEFAULT_WAIT_TIMEOUT_SECONDS = harnessSchema.shape.waitTimeoutSeconds.parse(undefined);
export const DEFAULT_IMAGE_BUILDER: ImageBuilder = harnessSchema.shape.imageBuilder.parse(undefined);

/** Where the tenant image comes from (config `harness:tenantImage`). */
export type TenantImageSource =
  /** The reference tenant in `reference-tenant/`, bundled on the host and built locally. */
  | { kind: "reference" }
  /** A user's build context + Dockerfile (compose semantics: dockerfile relative to the context). */
  | {
      kind: "build";
      /** Absolute path of the build context. */
      context: string;
      /** Absolute path of the Dockerfile. */
      dockerfile: string;
      /** Extra build args (GIT_SHA is set from `gitSha`, never from here). */
      args: Record<string, string>;
      target?: string;
    }
  /** A prebuilt image, pulled (or found locally) once and kept. */
  | { kind: "image"; image: string };

export interface ReplaysConfig extends Omit<SchemaOutput["replays"], never> {
  /** Absolute path of `dir`, for hashing. */
  absDir: string;
}

/** `harness:production` with its paths made absolute (tools/config-lint reads them). */
export interface ProductionConfig {
  /** Absolute path of the file holding production's tenant environment. */
  path: string;
  /** Its format; undefined = detected from the file. */
  format?: ProductionFormat;
  /** The tenant's container (k8s), container definition (ECS) or service (compose) in it. */
  container?: string;
  /** Absolute path of the allow file; undefined = `harness.drift.yaml` in the repo root, if present. */
  allow?: string;
}

/** The whole configuration as the program uses it: the schema's output, resolved against the checkout. */
export interface HarnessConfig extends Omit<
  SchemaOutput,
  "tenantImage" | "replays" | "production" | "suites" | "engine" | "egress"
> {
  project: string;
  stack: string;
  /** Absolute path of the repository (the directory holding index.ts). */
  repoRoot: string;
  tenantImage: TenantImageSource;
  tenantHealthcheck: TenantHealthcheck;
  /** False when the tenant is a prebuilt image and gitSha was not configured: nothing to expect. */
  gitShaKnown: boolean;
  replays: ReplaysConfig;
  production?: ProductionConfig;
  /** The stack's own suites, each cwd relative to the repo root (contracts/suites.ts). */
  suites: SuiteSpec[];
  /** The Docker engine the stack runs on (config/engine.ts); the edge binds its publishAddress. */
  engine: EngineConfig;
  /** `harness:egress`: what an outbound attempt caught by the sinkhole does to a replay. */
  egress: EgressPolicy;
}
