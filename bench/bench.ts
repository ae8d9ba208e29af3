/**
 * `npm run bench` — numbers, not a test. JSON on stdout (progress on stderr): medians over BENCH_RUNS
 * (default 3) runs of the e2e path (e2e/cli.ts run on the e2e stack config, images cached:
 * `keepImages` after one unmeasured warm-up run), plus the runner's own overhead per replay and the
 * sizes of the images the harness builds. Needs Docker and the local base images (as `npm run e2e`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { dockerClient } from "../e2e/docker-ops/client";
import type { RunReport } from "../e2e/run-stack";
import { preflight } from "../e2e/test-command";
import { runnerOverheadMs } from "./runner-overhead";
import { stat } from "./stats";

const REPO_ROOT = resolve(__dirname, "..");
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function driver(args: string[]): Promise<{ code: number | null; report?: RunReport }> {
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  const reportPath = join(dir, "report.json");
  return new Promise((res) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "e2e/cli.ts", ...args, "--report", reportPath],
      {
        cwd: REPO_ROOT,
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, KEEP_UP: "" },
      },
    );
    let tail = "";
    child.stderr.on("data", (c: Buffer) => (tail = (tail + c.toString()).slice(-4000)));
    child.on("close", (code) => {
      let report: RunReport | undefined;
      try {
        report = JSON.parse(readFileSync(reportPath, "utf8")) as RunReport;
      } catch {
        progress(`no report from e2e/cli.ts ${args[0]}: ${tail}`);
      }
      rmSync(dir, { recursive: true, force: true });
      res({ code, report });
    });
  });
}

async function main(): Promise<number> {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`BENCH_RUNS must be a positive integer, got ${process.env.BENCH_RUNS}`);
  const docker = dockerClient();
  const problem = await preflight(docker, REPO_ROOT);
  if (problem) {
    progress(problem);
    return 2;
  }
  const stack = `bench-${randomBytes(3).toString("hex")}`;
  const runArgs = ["run", "--stack", stack, "--config", "harness:keepImages=true"];
  const failures: string[] = [];
  const reports: RunReport[] = [];
  let warmup: RunReport | undefined;
  try {
    progress(`warm-up run (builds the images; not measured), stack ${stack}`);
    const warm = await driver(runArgs);
    warmup = warm.report;
    if (warm.code !== 0) failures.push(`warm-up: exit ${warm.code} (${warm.report?.error ?? "no report"})`);
    for (let i = 1; i <= runs && failures.length === 0; i++) {
      progress(`run ${i}/${runs}`);
      const r = await driver(runArgs);
      if (r.code !== 0 || !r.report)
        failures.push(`run ${i}: exit ${r.code} (${r.report?.error ?? "no report"})`);
      if (r.report) reports.push(r.report);
    }
  } finally {
    progress(`removing stack ${stack} and its kept images`);
    await driver(["down", "--stack", stack]);
  }

  progress(`runner overhead: ${runs} × 20 no-op replays, TypeScript and bash`);
  const tsOverhead: number[] = [];
  const shOverhead: number[] = [];
  for (let i = 0; i < runs; i++) {
    tsOverhead.push(runnerOverheadMs(REPO_ROOT, "ts", 20));
    shOverhead.push(runnerOverheadMs(REPO_ROOT, "sh", 20));
  }

  const images = Object.fromEntries(
    (reports.at(-1)?.images ?? warmup?.images ?? []).map((i) => [
      i.tags[0].replace(/^harness-[^/]+\//, "").replace(/:local$/, ""),
      i.sizeBytes,
    ]),
  );
  const server = await docker.version();
  const result = {
    runs,
    machine: { cpus: cpus().length, node: process.version, docker: server.Version },
    note: "milliseconds; medians over the measured runs (e2e path: e2e/cli.ts run, stack config Pulumi.e2e.yaml, images cached)",
    e2e: {
      bootToHealthyMs: stat(reports.map((r) => r.phases.bootToHealthyMs)),
      seedMs: stat(reports.map((r) => r.phases.seedMs)),
      suiteMs: stat(reports.map((r) => r.phases.replaysMs)),
      teardownMs: stat(reports.map((r) => r.phases.destroyMs)),
      upMs: stat(reports.map((r) => r.phases.upMs)),
      replays: reports.at(-1)?.replays ?? null,
      warmup: warmup ? { phases: warmup.phases } : null,
    },
    runnerOverheadPerReplayMs: { ts: stat(tsOverhead), sh: stat(shOverhead), noopReplaysPerRun: 20 },
    imageSizesBytes: images,
    failures,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    progress(`error: ${(error as Error).stack ?? String(error)}`);
    process.exit(2);
  },
);
