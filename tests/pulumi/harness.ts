/** Shared helpers for the L2 tests: load the program with test stubs and query what it registered. */
import { join } from "node:path";
import {
  loadProgram,
  REPO_ROOT,
  type LoadOptions,
  type LoadResult,
  type RegisteredResource,
} from "./load-program";

export const FIXTURE_REPLAYS = "tests/pulumi/fixtures/replays";

/** images/bundle.ts would run esbuild over the services' sources: record the call instead. */
export const STUBS = { "images/bundle": join(REPO_ROOT, "tests/pulumi/fixtures/stub-bundle.ts") };

/** Loads index.ts (in-process) with `config` (full keys) on top of a fixture replays dir. */
export function load(
  config: Record<string, unknown>,
  options: Partial<LoadOptions> = {},
): Promise<LoadResult> {
  return loadProgram({
    stack: "harness",
    moduleStubs: STUBS,
    ...options,
    config: { "harness:replays": { dir: FIXTURE_REPLAYS }, ...config },
  });
}

export function tenantsConfig(names: string[]): Record<string, unknown> {
  return { "harness:tenants": names.map((name) => ({ name })) };
}

export class Graph {
  readonly byName = new Map<string, RegisteredResource>();
  readonly byUrn = new Map<string, RegisteredResource>();

  constructor(readonly result: LoadResult) {
    if (result.error) throw new Error(`the program failed: ${result.error.message}`);
    for (const r of result.resources) {
      if (this.byName.has(r.name)) throw new Error(`duplicate resource name ${r.name}`);
      this.byName.set(r.name, r);
      if (r.urn) this.byUrn.set(r.urn, r);
    }
  }

  get(name: string): RegisteredResource {
    const r = this.byName.get(name);
    if (!r) throw new Error(`no resource named ${name}; have ${[...this.byName.keys()].join(", ")}`);
    return r;
  }

  ofType(type: string): RegisteredResource[] {
    return this.result.resources.filter((r) => r.type === type);
  }

  /** Names of the resources `name` waits for (as sent to the engine). */
  dependencies(name: string): string[] {
    return this.get(name).dependencies.map((urn) => this.byUrn.get(urn)?.name ?? urn);
  }

  /** `type name` of every resource, sorted: the exact set a stack registers. */
  inventory(): string[] {
    return this.result.resources.map((r) => `${r.type} ${r.name}`).sort();
  }

  parentName(name: string): string | undefined {
    const parent = this.get(name).parent;
    return parent ? this.byUrn.get(parent)?.name : undefined;
  }
}

export const CONTAINER = "docker:index/container:Container";
export const IMAGE = "docker:index/image:Image";
export const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
export const NETWORK = "docker:index/network:Network";
export const COMMAND = "command:local:Command";

/** A container's envs as a map. */
export function envOf(resource: RegisteredResource): Record<string, string> {
  const envs = (resource.inputs.envs ?? []) as string[];
  return Object.fromEntries(envs.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

export function labelsOf(resource: RegisteredResource): Record<string, string> {
  const labels = (resource.inputs.labels ?? []) as { label: string; value: string }[];
  return Object.fromEntries(labels.map((l) => [l.label, l.value]));
}

/** The resources one stack with `tenants` registers (the acceptance inventory). */
export function expectedInventory(tenants: string[], stackResource = "harness-harness"): string[] {
  const list = [
    `pulumi:pulumi:Stack ${stackResource}`,
    "harness:index:BaseImages base",
    ...["nginx", "node", "postgres", "redis"].map((b) => `${REMOTE_IMAGE} base-${b}`),
    "harness:index:Network network",
    `${NETWORK} network-bridge`,
    "harness:index:Redis redis",
    `${CONTAINER} redis-container`,
    "harness:index:CpStub cp-stub",
    `${IMAGE} cp-stub-image`,
    `${COMMAND} cp-stub-image-cleanup`,
    `${CONTAINER} cp-stub-container`,
    "harness:index:TenantImage tenant-image",
    `${IMAGE} tenant-image-image`,
    `${COMMAND} tenant-image-image-cleanup`,
    "harness:index:GeneratedSecret encryption-key",
    `${COMMAND} encryption-key-random`,
    ...tenants.flatMap((t) => [
      `harness:index:Postgres postgres-${t}`,
      `harness:index:GeneratedSecret postgres-${t}-password`,
      `${COMMAND} postgres-${t}-password-random`,
      `${CONTAINER} postgres-${t}-container`,
      `harness:index:Tenant tenant-${t}`,
      `harness:index:GeneratedSecret tenant-${t}-admin-token`,
      `${COMMAND} tenant-${t}-admin-token-random`,
      `${CONTAINER} tenant-${t}-container`,
    ]),
    "harness:index:CfProxy cf-proxy",
    `${IMAGE} cf-proxy-image`,
    `${COMMAND} cf-proxy-image-cleanup`,
    `${CONTAINER} cf-proxy-container`,
    "harness:index:Seed seed",
    `${COMMAND} seed-command`,
    "harness:index:Replays replays",
    `${COMMAND} replays-command`,
  ];
  return list.sort();
}
