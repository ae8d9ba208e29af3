/**
 * The harness policy pack's policies (tools/policy/index.ts serves them). The checks are the pure
 * functions of tools/config-lint/ — the same ones `npm run lint:config` runs, no copy — applied to what a
 * `pulumi preview` declares:
 *
 *   harness-stack-labels          every container and network labelled harness.stack=<project>/<stack>
 *                                 and harness.role
 *   harness-loopback-ports        every published port on loopback (the edge: edge.bindAddress)
 *   harness-tenant-urls-inside    no tenant env URL pointing outside the harness
 *   harness-secrets-in-secret-inputs  secret-looking env only in secret envs; no secret value in an
 *                                 input that is not secret
 *   harness-production-coherence  when harness:production is set: the coherence lint, with each
 *                                 tenant's env as the preview declares it (computed from the stack
 *                                 config while it is not known yet)
 */
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { HarnessConfig } from "../../program/config/schema";
import { BadInput } from "../config-lint/errors";
import { harnessConfigOf } from "../config-lint/harness-env";
import {
  envsToMap,
  labelProblems,
  labelsToMap,
  portProblems,
  secretEnvProblems,
  secretLeaks,
  stackOfUrn,
  stringsOf,
  tenantUrlProblems,
  type DeclaredContainer,
} from "../config-lint/invariants";
import { redact } from "../config-lint/env";
import { runLint } from "../config-lint/lint";
import { harnessHosts } from "../config-lint/rules";
import { LABEL_ROLE, LABEL_TENANT } from "../../program/lib/naming";
import { secretPathsOf, unknownSentinels } from "./secrets";

export const CONTAINER = "docker:index/container:Container";
export const NETWORK = "docker:index/network:Network";

export interface PackContext {
  /** The checkout (the pack is its `tools/policy/`). */
  root: string;
  /** Where the CLI runs: the stack file is there when it is not in the checkout (a scratch work dir). */
  cwd: string;
  /** Whether the secret paths of inputs are recorded (tools/policy/secrets.ts). */
  secretsRecorded: boolean;
}

/** The raw properties behind the SDK's proxy: plain values, a sentinel string where the preview knows none. */
function raw(props: object): Record<string, unknown> {
  const target = (props as Record<string, unknown>).__getSpecialProxyTarget;
  return (typeof target === "object" && target !== null ? target : props) as Record<string, unknown>;
}

const UNKNOWN = unknownSentinels();

/** `value` with every value the preview does not know replaced by undefined (the rest still checkable). */
export function lenient(value: unknown): unknown {
  if (typeof value === "string") return UNKNOWN.has(value) ? undefined : value;
  if (Array.isArray(value)) return value.map(lenient);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, lenient(v)]));
  }
  return value;
}

/** A container (or network) as the policies see it; what the preview does not know is left out. */
export function declared(urn: string, props: object): DeclaredContainer {
  const r = raw(props);
  const ports = lenient(r.ports);
  // No envs at all: known to be empty; envs (or one of them) the preview does not know yet: undefined.
  const envs = r.envs === undefined ? [] : lenient(r.envs);
  const known = Array.isArray(envs) && envs.every((e) => typeof e === "string");
  return {
    urn,
    labels: labelsToMap(lenient(r.labels)),
    ports: Array.isArray(ports) ? (ports as DeclaredContainer["ports"]) : [],
    env: known ? envsToMap(envs as string[]) : undefined,
    envSecret: (secretPathsOf(props) ?? []).some((p) => p === "envs"),
  };
}

function stackLabelOf(urn: string): string | undefined {
  const s = stackOfUrn(urn);
  return s ? `${s.project}/${s.stack}` : undefined;
}

/** The stack's validated config (cached per stack and directory), or undefined when it cannot be read. */
function makeConfigReader(
  ctx: PackContext,
): (stack: string) => { cfg?: HarnessConfig; dir: string; error?: string } {
  const cache = new Map<string, { cfg?: HarnessConfig; dir: string; error?: string }>();
  return (stack) => {
    const hit = cache.get(stack);
    if (hit) return hit;
    const dir = existsSync(join(ctx.cwd, `Pulumi.${stack}.yaml`)) ? ctx.cwd : ctx.root;
    let entry: { cfg?: HarnessConfig; dir: string; error?: string };
    try {
      entry = { cfg: harnessConfigOf(ctx.root, stack, dir), dir };
    } catch (error) {
      if (!(error instanceof BadInput)) throw error;
      entry = { dir, error: error.message };
    }
    cache.set(stack, entry);
    return entry;
  };
}

function tenantContainers(
  resources: PolicyResource[],
): { resource: PolicyResource; tenant: string; c: DeclaredContainer }[] {
  return resources
    .filter((r) => r.type === CONTAINER)
    .map((r) => ({ resource: r, c: declared(r.urn, r.props) }))
    .filter(({ c }) => c.labels[LABEL_ROLE] === "tenant")
    .map(({ resource, c }) => ({ resource, c, tenant: c.labels[LABEL_TENANT] ?? resource.name }));
}

export function harnessPolicies(ctx: PackContext): (ResourceValidationPolicy | StackValidationPolicy)[] {
  const configOf = makeConfigReader(ctx);
  return [
    {
      name: "harness-stack-labels",
      description:
        "Every harness container and network carries harness.stack=<project>/<stack> and harness.role.",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => {
        if (args.type !== CONTAINER && args.type !== NETWORK) return;
        const stackLabel = stackLabelOf(args.urn);
        // No labels at all: none; a label list the preview does not know yet: nothing to check.
        const r = raw(args.props);
        const labels = r.labels === undefined ? [] : lenient(r.labels);
        if (!stackLabel || labels === undefined) return;
        for (const problem of labelProblems(labelsToMap(labels), stackLabel)) report(problem);
      },
    },
    {
      name: "harness-loopback-ports",
      description: "Every port the harness publishes binds loopback (the edge: harness:edge.bindAddress).",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => {
        if (args.type !== CONTAINER) return;
        const s = stackOfUrn(args.urn);
        const edgeBind = s ? configOf(s.stack).cfg?.edge.bindAddress : undefined;
        for (const problem of portProblems(declared(args.urn, args.props), edgeBind)) report(problem);
      },
    },
    {
      name: "harness-tenant-urls-inside",
      description: "No URL in a tenant's environment points outside the harness.",
      enforcementLevel: "mandatory",
      validateStack: (args, report) => {
        const tenants = tenantContainers(args.resources);
        if (tenants.length === 0) return;
        const hosts = harnessHosts(tenants.map((t) => t.tenant));
        let checked = 0;
        for (const t of tenants) {
          if (t.c.env === undefined) continue;
          checked++;
          for (const problem of tenantUrlProblems(t.c.env, hosts))
            report(`tenant ${t.tenant}: ${problem}`, t.resource.urn);
        }
        if (checked === 0) {
          args.notApplicable(
            "the tenants' env is not known in this preview (it holds secrets generated at the first up)",
          );
        }
      },
    },
    {
      name: "harness-secrets-in-secret-inputs",
      description:
        "Secret-looking env is only in secret inputs, and no secret value appears in an input that is not secret.",
      enforcementLevel: "mandatory",
      validateStack: (args, report) => {
        if (!ctx.secretsRecorded) {
          args.notApplicable("this @pulumi/policy version does not let the pack see which inputs are secret");
        }
        const views = args.resources.map((r) => {
          const paths = secretPathsOf(r.props) ?? [];
          return { r, strings: stringsOf(raw(r.props), paths).filter((s) => !UNKNOWN.has(s.value)) };
        });
        for (const { r } of views) {
          if (r.type !== CONTAINER) continue;
          for (const problem of secretEnvProblems(declared(r.urn, r.props))) report(problem, r.urn);
        }
        for (const leak of secretLeaks(views.map(({ r, strings }) => ({ urn: r.urn, strings })))) {
          report(
            `a secret value appears in the input ${leak.path}, which is not secret (mark it secret)`,
            leak.urn,
          );
        }
      },
    },
    {
      name: "harness-production-coherence",
      description:
        "With harness:production set: every tenant's env is coherent with production's (npm run lint:config, the same rules).",
      enforcementLevel: "mandatory",
      validateStack: (args, report) => {
        const urn = args.resources.find((r) => stackOfUrn(r.urn))?.urn;
        const s = urn ? stackOfUrn(urn) : undefined;
        if (!s) return;
        const { cfg, dir, error } = configOf(s.stack);
        if (!existsSync(join(dir, `Pulumi.${s.stack}.yaml`))) {
          args.notApplicable(`no Pulumi.${s.stack}.yaml: harness:production is not set`);
        }
        if (error) {
          report(`the stack config cannot be read: ${error}`);
          return;
        }
        if (!cfg?.production) args.notApplicable("harness:production is not set");
        const tenants = tenantContainers(args.resources);
        const result = runLint({
          root: ctx.root,
          stack: s.stack,
          stackDir: dir,
          containerEnv: (tenant) => tenants.find((t) => t.tenant === tenant)?.c.env,
        });
        const violation: ReportViolation = (message, at) => report(redact(message, result.secrets), at);
        if (result.code === 2) {
          violation(`bad input: ${result.error}`);
          return;
        }
        for (const f of result.report.findings) {
          if (f.severity !== "error") continue;
          const where = f.tenants.length > 0 ? ` (tenants ${f.tenants.join(", ")})` : "";
          const at =
            f.tenants.length === 1 ? tenants.find((t) => t.tenant === f.tenants[0])?.resource.urn : undefined;
          violation(`${f.rule} ${f.variable}${where}: ${f.message}; fix: ${f.fix}`, at);
        }
      },
    },
  ];
}
