/**
 * Everything the L2 loader (load-program.ts) takes from the internals of @pulumi/pulumi and of Node,
 * in one place. Each is something the public API does not offer; an SDK upgrade that moves one
 * breaks sdk-internals.test.ts, which says which, before any L2 test fails for an unclear reason.
 *
 * - The mock monitor's `registerResource` / `registerResourceOutputs` (`pulumi.runtime.getMonitor()`)
 *   are wrapped, and the protobuf request's getters read (`getDependenciesList`,
 *   `getPropertydependenciesMap`, `getDeletebeforereplace`, `getReplaceonchangesList`, …): `setMocks`'
 *   `newResource` sees a resource's type, name and inputs only, while the L2 tests assert what the
 *   engine receives — dependencies, parents, explicit providers, resource options, the order of
 *   registration — and the root stack's outputs.
 * - The secret wrapper's signature (`4dabf…` = `1b470…`): how the SDK serializes a secret value in
 *   those requests, unwrapped here with its path recorded.
 * - `pulumi.runtime.waitForRPCs`: waits for the registrations in flight once the program returned.
 * - Node's `Module._resolveFilename`: swaps a repo module for a test stub (the health gate, which
 *   would ask Docker) for the duration of one load.
 */
import * as pulumi from "@pulumi/pulumi";
import Module from "node:module";
import { dirname, isAbsolute, resolve } from "node:path";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

/** Removes secret wrappers, recording the dotted path of each. */
export function unwrapSecrets(value: unknown, path: string, secrets: string[]): unknown {
  if (isSecret(value)) {
    secrets.push(path);
    return unwrapSecrets(value.value, path, []);
  }
  if (Array.isArray(value))
    return value.map((v, i) => unwrapSecrets(v, path ? `${path}[${i}]` : `[${i}]`, secrets));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = unwrapSecrets(v, path ? `${path}.${k}` : k, secrets);
    return out;
  }
  return value;
}

export interface RegisteredResource {
  /** Order in which the SDK sent the registration (0-based, across all resources incl. the Stack). */
  seq: number;
  /** Order in which the registration completed (the mock's newResource returned). */
  doneSeq?: number;
  type: string;
  name: string;
  urn?: string;
  /** URN of the parent (the Stack for top-level components). */
  parent?: string;
  /** The explicit provider reference (`<provider URN>::<id>`), when the resource names one. */
  provider?: string;
  custom: boolean;
  /** Inputs as the SDK serialized them, secrets unwrapped. */
  inputs: Record<string, unknown>;
  /** Dotted paths (e.g. `envs`, `environment.HARNESS_TARGET`) of inputs that were secret. */
  secretInputs: string[];
  /** URNs this resource waits for: explicit dependsOn plus resources behind its inputs. */
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  options: {
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs: string[];
    ignoreChanges: string[];
    replaceOnChanges: string[];
    protect?: boolean;
    retainOnDelete?: boolean;
  };
  /** What newResource returned. */
  id?: string;
  state?: Record<string, unknown>;
}

type ResolveFilename = (
  request: string,
  parent: { filename?: string } | undefined,
  ...rest: unknown[]
) => string;
const ModuleInternals = Module as unknown as { _resolveFilename: ResolveFilename };

/** Resolves each repo module in `stubs` (absolute path without extension → stub file) to its stub; returns the undo. */
export function hookModuleResolution(stubs: ReadonlyMap<string, string>): () => void {
  const originalResolve = ModuleInternals._resolveFilename;
  ModuleInternals._resolveFilename = function (request, parent, ...rest) {
    if (parent?.filename && (request.startsWith(".") || isAbsolute(request))) {
      const abs = resolve(dirname(parent.filename), request).replace(/\.(ts|js)$/, "");
      const stub = stubs.get(abs);
      if (stub) return stub;
    }
    return originalResolve.call(this, request, parent, ...rest);
  };
  return () => {
    ModuleInternals._resolveFilename = originalResolve;
  };
}

export async function waitForRegistrations(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  for (let i = 0; i < 3; i++) {
    if (runtime.waitForRPCs) await runtime.waitForRPCs();
    await new Promise((r) => setImmediate(r));
  }
}

interface MonitorRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider?(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void;
  };
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getAdditionalsecretoutputsList(): string[];
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getProtect?(): boolean;
  getRetainondelete?(): boolean;
}

type Callback = (err: unknown, response: unknown) => void;

interface MonitorLike {
  registerResource(req: MonitorRequest, cb: Callback): unknown;
  registerResourceOutputs(
    req: { getUrn(): string; getOutputs(): { toJavaScript(): unknown } | undefined },
    cb: Callback,
  ): unknown;
}

export function instrumentMonitor(log: string[]): {
  resources: RegisteredResource[];
  stackOutputs?: Record<string, unknown>;
} {
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const records: { resources: RegisteredResource[]; stackOutputs?: Record<string, unknown> } = {
    resources: [],
  };
  let seq = 0;
  let done = 0;
  let stackUrn: string | undefined;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const secretInputs: string[] = [];
    const raw = req.getObject()?.toJavaScript() ?? {};
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((value, key) => {
      propertyDependencies[key] = value.getUrnsList();
    });
    const record: RegisteredResource = {
      seq: seq++,
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent() || undefined,
      provider: req.getProvider?.() || undefined,
      custom: req.getCustom(),
      inputs: unwrapSecrets(raw, "", secretInputs) as Record<string, unknown>,
      secretInputs,
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      options: {
        deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
        protect: req.getProtect?.(),
        retainOnDelete: req.getRetainondelete?.(),
      },
    };
    records.resources.push(record);
    log.push(`register ${record.type} ${record.name}`);
    return register(req, (err, response) => {
      record.doneSeq = done++;
      const res = response as
        | {
            getUrn(): string;
            getId(): string;
            getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
          }
        | undefined;
      if (res) {
        record.urn = res.getUrn();
        record.id = res.getId();
        record.state = unwrapSecrets(res.getObject()?.toJavaScript() ?? {}, "", []) as Record<
          string,
          unknown
        >;
        if (record.type === "pulumi:pulumi:Stack") stackUrn = record.urn;
      }
      cb(err, response);
    });
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    if (stackUrn !== undefined && req.getUrn() === stackUrn) {
      records.stackOutputs = (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
    }
    return registerOutputs(req, cb);
  };
  return records;
}
