/** Helpers for runner tests: temp replay dirs, targets, process checks. */
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import assert from "node:assert/strict";
import type { SeedResult } from "../../program/contracts/seed";
import type { ReplayResult, ReplaySummary } from "../../program/contracts/summary";
import type { HarnessTarget } from "../../program/contracts/target";

/** Absolute path of runner/api.ts, for fixture replays outside the repo. */
export const API_PATH = resolve(__dirname, "..", "api.ts");
export const REPO_ROOT = resolve(__dirname, "..", "..");

export interface ReplayDir {
  root: string;
  replays: string;
  reports: string;
  write(name: string, content: string, mode?: number): string;
}

// Test processes only: temp dirs (some hold 10 MB of replay output) are removed when the test file's
// process exits, whatever the outcome.
const tempRoots = new Set<string>();
process.on("exit", () => {
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true });
});

export function makeReplayDir(prefix = "runner-test-"): ReplayDir {
  const root = mkdtempSync(join(tmpdir(), prefix));
  tempRoots.add(root);
  const replays = join(root, "replays");
  mkdirSync(replays);
  return {
    root,
    replays,
    reports: join(root, "reports"),
    write(name, content, mode = 0o644) {
      const file = join(replays, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      chmodSync(file, mode);
      return file;
    },
  };
}

/** A TypeScript replay module importing the API by absolute path. */
export function tsReplay(definition: string): string {
  return `import { defineReplay } from ${JSON.stringify(API_PATH)};\nexport default defineReplay(${definition});\n`;
}

export function makeTarget(overrides: Partial<HarnessTarget> = {}): HarnessTarget {
  return {
    stack: "test",
    edgeUrl: "http://127.0.0.1:9",
    legacyHost: "harness-tenant.localhost",
    cpStubUrl: "http://127.0.0.1:9",
    tenants: [
      {
        name: "alpha",
        host: "harness-tenant-alpha.localhost",
        orgId: "org-alpha",
        adminToken: "token-alpha",
        databaseUrl: "postgres://u:p@127.0.0.1:9/alpha",
      },
      {
        name: "beta",
        host: "harness-tenant-beta.localhost",
        orgId: "org-beta",
        adminToken: "token-beta",
        databaseUrl: "postgres://u:p@127.0.0.1:9/beta",
      },
    ],
    containers: [],
    reportsDir: join(tmpdir(), "runner-test-reports"),
    ...overrides,
  };
}

export const SEED: SeedResult = {
  tenants: {
    alpha: { parent: "11111111-1111-4111-8111-111111111111", child: "22222222-2222-4222-8222-222222222222" },
    beta: { parent: "33333333-3333-4333-8333-333333333333", child: "44444444-4444-4444-8444-444444444444" },
  },
};

/** Alive and not a zombie (an orphan reaped late by a non-init PID 1 stays a zombie for a while). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export async function waitFor(probe: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (probe()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return probe();
}

/** Collects progress lines. */
export function lines(): { push: (line: string) => void; all: string[] } {
  const all: string[] = [];
  return { push: (line) => void all.push(line), all };
}

/** A run's results by replay name. */
export function byName(summary: ReplaySummary): Map<string, ReplayResult> {
  return new Map(summary.results.map((r) => [r.name, r]));
}

/** Asserts that replay `name` is in `results` with `status` and, if given, a message matching. */
export function expectResult(
  results: Map<string, ReplayResult>,
  name: string,
  status: string,
  message?: RegExp,
): void {
  const result = results.get(name);
  assert.ok(result, `${name} is in the results`);
  assert.equal(result.status, status, `${name}: ${result.message}`);
  if (message) assert.match(result.message, message);
}
