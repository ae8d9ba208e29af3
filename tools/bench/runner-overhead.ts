/**
 * Runner overhead per replay: the replay runner's wall time on N no-op replays, divided by N — what
 * the runner itself costs (discovery, one process per replay, classification, reports). No harness,
 * no Docker: the target points at nothing and the replays touch nothing.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HarnessTarget } from "../../program/contracts/target";

export type ReplayKind = "ts" | "sh";

function noopReplay(kind: ReplayKind, repoRoot: string): string {
  if (kind === "sh")
    return '#!/usr/bin/env bash\n# no-op — replay-proves: nothing\necho "[replay] PASS: no-op"\n';
  const api = JSON.stringify(join(repoRoot, "runner", "api.ts"));
  return `import { defineReplay } from ${api};\nexport default defineReplay({ closes: null, proves: "nothing", async run() {} });\n`;
}

/** Milliseconds per replay for one runner invocation over `count` no-op replays of `kind`. */
export function runnerOverheadMs(repoRoot: string, kind: ReplayKind, count: number): number {
  const root = mkdtempSync(join(tmpdir(), "bench-runner-"));
  try {
    const replays = join(root, "replays");
    mkdirSync(replays);
    for (let i = 0; i < count; i++)
      writeFileSync(join(replays, `noop-${String(i).padStart(3, "0")}.${kind}`), noopReplay(kind, repoRoot));
    const target: HarnessTarget = {
      stack: "bench",
      edgeUrl: "http://127.0.0.1:9",
      legacyHost: "harness-tenant.localhost",
      cpStubUrl: "",
      tenants: [
        {
          name: "alpha",
          host: "harness-tenant-alpha.localhost",
          orgId: "org-alpha",
          adminToken: "t",
          databaseUrl: "postgres://x@127.0.0.1:9/x",
        },
      ],
      containers: [],
      reportsDir: join(root, "reports"),
    };
    const started = process.hrtime.bigint();
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(repoRoot, "runner", "cli.ts"),
        "run",
        "--replays-dir",
        replays,
        "--timeout",
        "60",
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          HARNESS_TARGET: JSON.stringify(target),
          HARNESS_SEED: JSON.stringify({ tenants: { alpha: { parent: "p", child: "c" } } }),
        },
        encoding: "utf8",
      },
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (run.status !== 0)
      throw new Error(
        `the runner failed on no-op ${kind} replays (exit ${run.status}): ${run.stderr.slice(-1500)}`,
      );
    return Math.round((ms / count) * 10) / 10;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
