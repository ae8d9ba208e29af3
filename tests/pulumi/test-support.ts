/** Shared helpers for the L2 tests: load the program with test stubs and query what it registered. */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  loadProgram,
  REPO_ROOT,
  type LoadOptions,
  type LoadResult,
  type RegisteredResource,
} from "./load-program";

export const FIXTURE_REPLAYS = "tests/pulumi/fixtures/replays";

/** program/images/bundle.ts would run esbuild over the services' sources: record the call instead. */
export const STUBS = { "program/images/bundle": join(REPO_ROOT, "tests/pulumi/fixtures/stub-bundle.ts") };

/**
 * Loads index.ts (in-process) with `config` (full keys) on top of a fixture replays dir. `STUBS`
 * always apply; `options.moduleStubs` add to them (or override one).
 */
export function load(
  config: Record<string, unknown>,
  options: Partial<LoadOptions> = {},
): Promise<LoadResult> {
  return loadProgram({
    stack: "harness",
    ...options,
    moduleStubs: { ...STUBS, ...options.moduleStubs },
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
export const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
export const COMMAND = "command:local:Command";
export const HOST_PORT = "harness:index:HostPort";

/** What the harness builds: RemoteImages with a `build` block (the bases and a prebuilt tenant have none). */
export function builtImages(g: Graph): RegisteredResource[] {
  return g.ofType(REMOTE_IMAGE).filter((r) => r.inputs.build !== undefined);
}

export { buildOf, type BuildInput } from "../../components/test-support/build";

/** The host port a HostPort's pick Command printed (what the mocks answered). */
export function pickedPort(g: Graph, hostPort: string): number {
  const stdout = g.get(`${hostPort}-pick`).state?.stdout;
  assert.match(String(stdout), /^\d+$/, `${hostPort}-pick printed a port`);
  return Number(stdout);
}

/** A container's envs as a map. */
export function envOf(resource: RegisteredResource): Record<string, string> {
  const envs = (resource.inputs.envs ?? []) as string[];
  return Object.fromEntries(envs.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

export function labelsOf(resource: RegisteredResource): Record<string, string> {
  const labels = (resource.inputs.labels ?? []) as { label: string; value: string }[];
  return Object.fromEntries(labels.map((l) => [l.label, l.value]));
}

/**
 * The resources one stack with `tenants` registers (the acceptance inventory). `edgePick`: the edge
 * has no configured port (`edge.port: 0`), so a free one is picked.
 */
export function expectedInventory(
  tenants: string[],
  stackResource = "harness-harness",
  { edgePick = false } = {},
): string[] {
  const list = [
    `pulumi:pulumi:Stack ${stackResource}`,
    "harness:index:Engine engine",
    "pulumi:providers:docker engine-provider",
    "harness:index:BaseImages base",
    ...["nginx", "node", "postgres", "redis"].map((b) => `${REMOTE_IMAGE} base-${b}`),
    "harness:index:Network network",
    `${COMMAND} network-bridge`,
    "harness:index:Network publish-network",
    `${COMMAND} publish-network-bridge`,
    "harness:index:Sinkhole sinkhole",
    `${REMOTE_IMAGE} sinkhole-image`,
    `${CONTAINER} sinkhole-container`,
    "harness:index:Redis redis",
    `${CONTAINER} redis-container`,
    "harness:index:CpStub cp-stub",
    `${HOST_PORT} cp-stub-port`,
    `${COMMAND} cp-stub-port-pick`,
    `${REMOTE_IMAGE} cp-stub-image`,
    `${CONTAINER} cp-stub-container`,
    "harness:index:PostgresImage postgres-image",
    `${REMOTE_IMAGE} postgres-image-image`,
    "harness:index:TenantImage tenant-image",
    `${REMOTE_IMAGE} tenant-image-image`,
    "harness:index:GeneratedSecret encryption-key",
    `${COMMAND} encryption-key-random`,
    ...tenants.flatMap((t) => [
      `harness:index:Postgres postgres-${t}`,
      `${HOST_PORT} postgres-${t}-port`,
      `${COMMAND} postgres-${t}-port-pick`,
      `harness:index:GeneratedSecret postgres-${t}-password`,
      `${COMMAND} postgres-${t}-password-random`,
      `${CONTAINER} postgres-${t}-container`,
      `harness:index:Tenant tenant-${t}`,
      `harness:index:GeneratedSecret tenant-${t}-admin-token`,
      `${COMMAND} tenant-${t}-admin-token-random`,
      `${CONTAINER} tenant-${t}-container`,
      `${COMMAND} sinkhole-isolate-${t}`,
    ]),
    "harness:index:CfProxy cf-proxy",
    `${HOST_PORT} cf-proxy-port`,
    ...(edgePick ? [`${COMMAND} cf-proxy-port-pick`] : []),
    `${REMOTE_IMAGE} cf-proxy-image`,
    `${CONTAINER} cf-proxy-container`,
    "harness:index:Seed seed",
    `${COMMAND} seed-command`,
    "harness:index:Replays replays",
    `${COMMAND} replays-command`,
  ];
  return list.sort();
}

/** Containers the health gate (stubbed: tests/pulumi/fixtures/stub-ready.ts) was asked to wait for: name → timeout s. */
export function healthGates(result: LoadResult): Record<string, number> {
  const gates: Record<string, number> = {};
  for (const line of result.log) {
    const m = /^ready (\S+) (\d+)$/.exec(line);
    if (m) {
      assert.ok(!(m[1] in gates), `one health gate per container (${m[1]})`);
      gates[m[1]] = Number(m[2]);
    }
  }
  return gates;
}
