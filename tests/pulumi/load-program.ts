/**
 * Runs the Pulumi program (index.ts) without the Pulumi CLI, under `pulumi.runtime.setMocks`, and
 * reports what it registered — the L2 tests use it. Nothing here talks to Docker: the default mocks
 * invent the providers' outputs, and the health gate (components/ready.ts, which would ask the
 * engine through dockerode) is replaced by a stub that passes every container at once
 * (`DEFAULT_MODULE_STUBS`; a test's own `moduleStubs` win).
 *
 *   loadProgram(options)          in this process: one load at a time (the Pulumi runtime is global);
 *                                 the repo's modules are reloaded fresh for every call. Custom mocks.
 *   loadProgramIsolated(options)  the same in a fresh child process (clean runtime state); the
 *                                 default harness mocks, steerable with data (`mockData`).
 *   stackConfig(stack)            the `config:` of Pulumi.<stack>.yaml as the CLI hands it to a
 *                                 program (structured values as JSON text).
 *
 * How the program is run mirrors the Node.js language host: config via the runtime's config map,
 * `runInPulumiStack(() => require(index.ts))`, so the module's exports become the root stack's
 * outputs (with their secretness) and every resource is parented under the Stack resource.
 *
 * Ordering: the SDK sends a resource's registration only after everything it depends on (explicit
 * dependsOn, parents, resources behind its input Outputs) has been registered, i.e. after the mock's
 * `newResource` for those returned. `seq` records that send order; `dependencies` the URNs the SDK
 * sent (components in dependsOn are expanded to their custom children). A driver whose newResource
 * really creates things therefore creates them in a valid order, and can delete in reverse
 * (`destroyOrder`).
 *
 * Custom mocks (`options.mocks`): `newResource` is called for component resources too
 * (`args.custom === false`; return `{ id: undefined, state: {} }`), and `args.inputs` still carries
 * Pulumi's secret wrappers (`unwrapSecrets(args.inputs, "", [])` removes them). Independent
 * resources are registered concurrently, as the engine would create them.
 */
import * as pulumi from "@pulumi/pulumi";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import {
  hookModuleResolution,
  instrumentMonitor,
  unwrapSecrets,
  waitForRegistrations,
  type RegisteredResource,
} from "./sdk-internals";

export { unwrapSecrets, type RegisteredResource };

export const REPO_ROOT = resolve(__dirname, "..", "..");

/**
 * Stubs every load gets unless the test maps the same module itself. The health gate waits for
 * Docker to report each container healthy: here every container is "ready" as soon as declared (the
 * stub records `ready <container name> <timeout s>` in `loaderLog()`).
 */
export const DEFAULT_MODULE_STUBS: Readonly<Record<string, string>> = {
  "components/ready": join(__dirname, "fixtures", "stub-ready.ts"),
};
export interface LoadResult {
  resources: RegisteredResource[];
  /** Stack outputs, secrets unwrapped. */
  outputs: Record<string, unknown>;
  /** Dotted paths of outputs that were secret (`adminTokens`, `tenants.alpha.databaseUrl`, …). */
  secretOutputs: string[];
  /** The program's failure, if it failed (e.g. invalid config). */
  error?: { name: string; message: string; runError: boolean };
  /** Events in order: `register <type> <name>`, plus whatever stubs append to `loaderLog()`. */
  log: string[];
}

/** Steers the default mocks with data (works across the process boundary of loadProgramIsolated). */
export interface MockData {
  /** stdout of a local.Command, by resource name (e.g. "replays-command"). */
  commandStdout?: Record<string, string>;
}

export interface LoadOptions {
  stack: string;
  /** Defaults to the `name` in Pulumi.yaml. */
  project?: string;
  /** Full keys (`harness:tenants`); non-string values are JSON-encoded as the CLI does. */
  config: Record<string, unknown>;
  /** Keys whose values are secret (as `pulumi config set --secret` marks them). */
  secretKeys?: string[];
  preview?: boolean;
  /**
   * Repo-relative module path without extension (e.g. "program/images/bundle") → absolute path of a stub
   * file. Added to `DEFAULT_MODULE_STUBS`, overriding them key by key.
   */
  moduleStubs?: Record<string, string>;
  /** Environment for the program (HARNESS_REBUILD_NONCE, …); restored afterwards in-process. */
  env?: Record<string, string>;
  mockData?: MockData;
  /** Replaces the default mocks (in-process only). */
  mocks?: pulumi.runtime.Mocks;
  /** Defaults to the repo's index.ts. */
  programPath?: string;
}

export function projectName(root = REPO_ROOT): string {
  const project = parseYaml(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { name: string };
  return project.name;
}

/** The `config:` of Pulumi.<stack>.yaml, values as the CLI passes them to the program. */
export function stackConfig(stack: string, root = REPO_ROOT): Record<string, string> {
  const file = parseYaml(readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config ?? {})) {
    if (typeof value === "object" && value !== null && "secure" in value) {
      throw new Error(`${key} is encrypted in Pulumi.${stack}.yaml; pass its plaintext in the test's config`);
    }
    out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/** Shared event log: the loader appends registrations; test stubs may append their own events. */
export function loaderLog(): string[] {
  const g = globalThis as { __harnessLoaderLog?: string[] };
  g.__harnessLoaderLog ??= [];
  return g.__harnessLoaderLog;
}

function hex(text: string, length = 64): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * The default mocks: every resource echoes its inputs plus plausible provider outputs, derived
 * deterministically from the inputs (a changed input changes the id/digest, as a rebuild would).
 * Commands answer as the runner would: random secrets, a free port (`*-port-pick`), a SeedResult, an
 * all-passing ReplaySummary.
 */
export function harnessMocks(data: MockData = {}): pulumi.runtime.Mocks {
  // Free-port picks (components/host-port.ts): a port in the dynamic range derived from the
  // resource's name (the same on every load, like a pick kept in state), distinct within one load.
  const picked = new Map<string, number>();
  const pickPort = (name: string): number => {
    const known = picked.get(name);
    if (known !== undefined) return known;
    const taken = new Set(picked.values());
    let port = 49152 + (parseInt(hex(`port\0${name}`, 8), 16) % (65536 - 49152));
    while (taken.has(port)) port = port === 65535 ? 49152 : port + 1;
    picked.set(name, port);
    return port;
  };
  return {
    call: (args) => args.inputs,
    newResource: (args) => {
      const inputs = unwrapSecrets(args.inputs, "", []) as Record<string, unknown>;
      const state: Record<string, unknown> = { ...inputs };
      switch (args.type) {
        case "docker:index/remoteImage:RemoteImage": {
          // Built (`build`) or pulled: the id of the image the name resolves to, as the provider
          // reports it. A new content-addressed name (any build input changed) is a new id.
          const imageId = `sha256:${hex(`image\0${String(inputs.name)}`)}`;
          Object.assign(state, { imageId, repoDigest: "" });
          return { id: `${imageId}${String(inputs.name)}`, state };
        }
        case "docker:index/container:Container": {
          // Every published port carries its host port (components/host-port.ts): echoed as is. An
          // address on each network it joins, as the provider reports (the sinkhole's is the tenants' DNS).
          const id = hex(`container\0${JSON.stringify(inputs)}`);
          const networks = (inputs.networksAdvanced ?? []) as { name: string }[];
          state.networkDatas = networks.map((n, i) => ({
            networkName: n.name,
            ipAddress: `172.30.${i}.${(parseInt(id.slice(0, 4), 16) % 250) + 2}`,
          }));
          return { id, state };
        }
        case "command:local:Command": {
          const stdout =
            data.commandStdout?.[args.name] ??
            (args.name.endsWith("-port-pick")
              ? String(pickPort(args.name))
              : commandStdout(args.name, inputs));
          Object.assign(state, { stdout, stderr: "" });
          return { id: `${args.name}-${hex(JSON.stringify(inputs), 8)}`, state };
        }
        default:
          return { id: `${args.name}-id`, state };
      }
    },
  };
}

function commandStdout(name: string, inputs: Record<string, unknown>): string {
  const create = String(inputs.create ?? "");
  const env = (inputs.environment ?? {}) as Record<string, string>;
  if (create.includes("randomBytes")) return `mock-${name}-0123456789abcdef0123456789abcdef`;
  if (create.includes("runner/dist/cli.js seed")) {
    const target = JSON.parse(env.HARNESS_TARGET ?? '{"tenants":[]}') as { tenants: { name: string }[] };
    const tenants = Object.fromEntries(
      target.tenants.map((t) => [t.name, { parent: `${t.name}-parent-id`, child: `${t.name}-child-id` }]),
    );
    return JSON.stringify({ tenants });
  }
  if (create.includes("runner/dist/cli.js run")) {
    return JSON.stringify({
      total: 2,
      passed: 2,
      failed: 0,
      skipped: 0,
      xfailed: 0,
      xpassed: 0,
      durationMs: 1234,
      results: [
        { name: "buildinfo-stale-image", status: "PASS", durationMs: 600, closes: "#2395", message: "ok" },
        { name: "peer-discovery-404", status: "PASS", durationMs: 634, closes: "#2397", message: "ok" },
      ],
      reports: { json: "/tmp/report.json", junit: "/tmp/junit.xml", artifacts: null },
    });
  }
  return "";
}

let busy = false;
const stubFilesUsed = new Set<string>();

/** Runs the program in this process. Not re-entrant: await one load before starting the next. */
export async function loadProgram(options: LoadOptions): Promise<LoadResult> {
  if (busy) throw new Error("loadProgram: a load is already running in this process");
  busy = true;
  const log = loaderLog();
  log.length = 0;
  const programPath = options.programPath ?? join(REPO_ROOT, "index.ts");
  const project = options.project ?? projectName();
  const savedEnv = new Map<string, string | undefined>();
  let restoreResolution = () => {};
  // A failing program rejects promises nobody awaits (as under the real language host, where they
  // fail the update). They belong to this load's result, not to whoever else listens (a test runner).
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const otherListeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", onUnhandled);
  try {
    for (const [key, value] of Object.entries(options.env ?? {})) {
      savedEnv.set(key, process.env[key]);
      process.env[key] = value;
    }
    // Module stubs: resolve a stubbed repo module to its stub, even when the real file is absent.
    const stubs = new Map(
      Object.entries({ ...DEFAULT_MODULE_STUBS, ...options.moduleStubs }).map(
        ([mod, stub]) => [resolve(REPO_ROOT, mod), stub] as const,
      ),
    );
    if (stubs.size > 0) restoreResolution = hookModuleResolution(stubs);
    // A fresh copy of the program's own modules (not node_modules: the SDK's state must stay one).
    for (const key of Object.keys(require.cache)) {
      if (
        key.startsWith(REPO_ROOT) &&
        !key.includes(`${"/"}node_modules${"/"}`) &&
        !key.startsWith(__dirname)
      ) {
        delete require.cache[key];
      }
    }
    // Every stub file ever used, too: Node caches a relative require's resolution per parent, and
    // would hand a stub from an earlier load to a module this load does not stub.
    for (const stub of stubs.values()) stubFilesUsed.add(stub);
    for (const stub of stubFilesUsed) delete require.cache[stub];

    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.config)) {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(config, options.secretKeys ?? []);
    await pulumi.runtime.setMocks(
      options.mocks ?? harnessMocks(options.mockData),
      project,
      options.stack,
      options.preview ?? false,
    );
    const records = instrumentMonitor(log);
    let error: LoadResult["error"];
    try {
      await pulumi.runtime.runInPulumiStack(async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const exported = require(programPath) as Record<string, unknown> | (() => Promise<unknown>);
        return typeof exported === "function" ? await exported() : exported;
      });
    } catch (caught) {
      const e = caught as Error;
      error = { name: e.name, message: e.message, runError: pulumi.RunError.isInstance(e) };
    }
    try {
      await waitForRegistrations();
    } catch (caught) {
      unhandled.push(caught);
    }
    const secretOutputs: string[] = [];
    const outputs = (unwrapSecrets(records.stackOutputs ?? {}, "", secretOutputs) ?? {}) as Record<
      string,
      unknown
    >;
    if (!error && unhandled.length > 0) {
      const e = unhandled[0] as Error;
      error = {
        name: e?.name ?? "Error",
        message: e?.message ?? String(e),
        runError: pulumi.RunError.isInstance(e),
      };
    }
    return { resources: records.resources, outputs, secretOutputs, error, log: [...log] };
  } finally {
    restoreResolution();
    for (const [key, value] of savedEnv) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    // Late rejections of a failed program belong to this load; let them surface, then detach.
    await new Promise((r) => setTimeout(r, 50));
    process.off("unhandledRejection", onUnhandled);
    for (const listener of otherListeners) process.on("unhandledRejection", listener);
    busy = false;
  }
}

/** JSON-safe options for the isolated loader (no functions). */
export type IsolatedLoadOptions = Omit<LoadOptions, "mocks">;

/** Runs `loadProgram` in a fresh child process (clean Pulumi runtime) and returns its result. */
export async function loadProgramIsolated(options: IsolatedLoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "harness-load-"));
  const resultFile = join(dir, "result.json");
  try {
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "load-program-child.ts")], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        HARNESS_LOADER_OPTIONS: JSON.stringify(options),
        HARNESS_LOADER_RESULT: resultFile,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((res) => child.on("close", res));
    let text: string;
    try {
      text = readFileSync(resultFile, "utf8");
    } catch {
      throw new Error(`the isolated program load exited ${code} without a result:\n${output.slice(-4000)}`);
    }
    return JSON.parse(text) as LoadResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Custom resources in the order a destroy must delete them: the reverse of their creation. */
export function destroyOrder(result: LoadResult): RegisteredResource[] {
  return result.resources.filter((r) => r.custom).sort((a, b) => (b.doneSeq ?? b.seq) - (a.doneSeq ?? a.seq));
}
