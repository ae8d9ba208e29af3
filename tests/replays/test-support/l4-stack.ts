/**
 * The L4 test stack: the local topology (tools/loopback/topology.ts — the same one `npm run replays:local`
 * boots) with a fault proxy between the edge and every tenant, seeded once, plus helpers that run
 * ONE real replay file from replays/ through the real runner and return its result. A test file
 * boots one stack and swaps only the faulty piece per test (a fault, an edge config, a cp-stub
 * override), because booting costs more than a replay on a 2-core machine.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { SeedResult } from "../../../program/contracts/seed";
import type { ReplayResult, ReplaySummary } from "../../../program/contracts/summary";
import type { HarnessTarget } from "../../../program/contracts/target";
import { CpStubClient } from "../../../cp-stub/client";
import { Teardown } from "../../../tools/loopback/teardown";
import { startLocalTopology, type LocalTenant, type LocalTopology } from "../../../tools/loopback/topology";
import { runReplays } from "../../../runner/run";
import { seed } from "../../../runner/seed";
import { startFaultProxy, type Fault, type FaultProxy } from "./fault-proxy";

export const REPLAYS_DIR = resolve(__dirname, "..", "..", "..", "replays");

export interface RunOverrides {
  /** Changes to the target the replay sees (e.g. a different expectedGitSha). */
  target?: Partial<HarnessTarget>;
  /** Extra environment (e.g. CI=true); CI and GITHUB_ACTIONS are otherwise removed. */
  env?: Record<string, string>;
}

export interface L4Stack {
  readonly topology: LocalTopology;
  readonly target: HarnessTarget;
  readonly seed: SeedResult;
  readonly cpStub: CpStubClient;
  tenant(name: string): LocalTenant;
  /** Gives one tenant exactly one bug (null: transparent again). */
  setFault(tenant: string, fault: Fault | null): void;
  clearFaults(): void;
  /** Runs one replay from replays/ through the runner; returns its result. */
  run(replay: string, overrides?: RunOverrides): Promise<ReplayResult>;
  /** Runs several replays in one runner call. */
  runAll(replays: readonly string[]): Promise<ReplaySummary>;
  stop(): Promise<void>;
}

// Every L4 file replays parts of the suite dozens of times a minute from one loopback address; the
// program's RATE_LIMIT (1000/min) would start answering 429. Replays do not test rate limiting.
const L4_RATE_LIMIT = 1_000_000;

/** The test process's environment without CI markers: a replay's CI behaviour is set per test. */
function replayEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of ["CI", "GITHUB_ACTIONS", "HARNESS_GIT_SHA"]) if (!(key in extra)) delete env[key];
  return env;
}

export async function startL4Stack(): Promise<L4Stack> {
  const root = mkdtempSync(join(tmpdir(), "replays-l4-"));
  const teardown = new Teardown();
  const faults = new Map<string, FaultProxy>();
  try {
    const topology = await startLocalTopology({
      teardown,
      gitSha: "l4-test-sha-0123456789",
      logDir: join(root, "logs"),
      reportsDir: join(root, "reports"),
      stack: "l4",
      rateLimit: L4_RATE_LIMIT,
      interpose: async (tenant) => {
        const proxy = await startFaultProxy(tenant.apiUrl);
        teardown.add(`fault-proxy-${tenant.name}`, proxy.close);
        faults.set(tenant.name, proxy);
        return proxy.address;
      },
    });
    const target = topology.target;
    const seeded = await seed({ target, progress: () => undefined });
    const cpStub = new CpStubClient(target.cpStubUrl);

    const runWith = async (include: readonly string[], overrides: RunOverrides = {}) => {
      const lines: string[] = [];
      try {
        return await runReplays({
          replaysDir: REPLAYS_DIR,
          include,
          target: { ...target, ...overrides.target },
          seed: seeded,
          baseEnv: replayEnv(overrides.env),
          timeoutSeconds: 60,
          progress: (line) => void lines.push(line),
          logSource: null,
          journal: null,
          stepSummaryFile: null,
        });
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${lines.join("\n")}`);
      }
    };

    return {
      topology,
      target,
      seed: seeded,
      cpStub,
      tenant(name) {
        const found = topology.tenants.find((t) => t.name === name);
        if (!found) throw new Error(`no tenant ${name}`);
        return found;
      },
      setFault(tenant, fault) {
        const proxy = faults.get(tenant);
        if (!proxy) throw new Error(`no fault proxy for tenant ${tenant}`);
        proxy.fault = fault;
      },
      clearFaults() {
        for (const proxy of faults.values()) proxy.fault = null;
      },
      async run(replay, overrides) {
        const summary = await runWith([replay], overrides);
        const [result] = summary.results;
        if (summary.results.length !== 1 || result.name !== replay) {
          throw new Error(
            `expected exactly the replay ${replay}, the runner ran ${summary.results.map((r) => r.name).join(", ")}`,
          );
        }
        return result;
      },
      runAll: (replays) => runWith(replays),
      async stop() {
        try {
          await teardown.run();
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await teardown.run().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
