/**
 * `npm run bench` — numbers, not a test. JSON on stdout (progress on stderr): medians over BENCH_RUNS
 * (default 3) runs on the real Pulumi engine (the toolchain's CLI and plugins, driven through the
 * Automation API with the program inline: scripts/pulumi/engine.ts), each a full `up` then `destroy`
 * of one scratch stack (scripts/pulumi/scratch.ts) with the e2e stack config and images cached
 * (`harness:keepImages` after one unmeasured warm-up run), plus the runner's own overhead per replay
 * and the sizes of the images the harness builds. Phases come from the engine's event stream
 * (bench/phases.ts). Needs the toolchain (`npm run pulumi:toolchain`), Docker and the local base
 * images (`npm run base-images`). bench/README.md lists the keys.
 */
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { summaryCounts, summaryPassed, type ReplaySummary, type SummaryCounts } from "../contracts/summary";
import { dockerClient } from "../lib/docker-api/client";
import type { PulumiCli } from "../scripts/pulumi/engine";
import { scratchStack, type ScratchStack } from "../scripts/pulumi/scratch";
import { describeLabelled, findLabelled } from "../lib/docker-api/labelled";
import { imageSizes, removeLabelled } from "./docker-objects";
import type { StampedEvent } from "../scripts/pulumi/stack-op";
import type { TimedOp } from "./phases";
import { errorDiagnostics, upPhases, type Phases } from "./phases";
import { e2eStackConfig, preflight } from "./preflight";
import { runnerOverheadMs } from "./runner-overhead";
import { stat } from "./stats";

const REPO_ROOT = resolve(__dirname, "..");
/** The local stack's documented default (README.md); the scratch stack's secrets never leave it. */
const PASSPHRASE = "harness-local-only";
const NOOP_REPLAYS = 20;
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const docker = dockerClient();

interface RunRecord {
  phases: Phases;
  replays?: SummaryCounts;
  images: Record<string, number>;
  /** Why the run failed (up, replays, destroy or leftovers); absent when it passed. */
  error?: string;
}

/** One line from whatever an operation threw: the engine's error diagnostics, else the error's first line. */
function engineError(error: unknown, diagnostics: string[]): string {
  const text = diagnostics.length > 0 ? diagnostics.join(" | ") : firstLine(error);
  return text.length > 1500 ? `${text.slice(0, 1500)}…` : text;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split("\n").map((l) => l.trim());
  return lines.find((l) => /^error:/i.test(l)) ?? lines.find((l) => l !== "") ?? "unknown error";
}

/** Whether the stack may hold resources (an `up` started since the last successful destroy). */
let stackMayHoldResources = false;

/** The scratch stack, with its operations timed on the engine's events. */
interface BenchStack {
  scratch: ScratchStack;
  label: string;
  op: (op: "up" | "destroy", signal?: AbortSignal) => Promise<TimedOp>;
}

function benchStack(cli: PulumiCli, name: string): BenchStack {
  const scratch = scratchStack({
    repoRoot: REPO_ROOT,
    name,
    cli,
    config: { ...e2eStackConfig(REPO_ROOT), "harness:keepImages": true },
    passphrase: PASSPHRASE,
  });
  return {
    scratch,
    label: `harness/${name}`,
    async op(op, signal) {
      const stamped: StampedEvent[] = [];
      const r = await scratch.run(op, {}, { signal, onEvent: (e) => stamped.push(e) });
      const t0 = r.startedAt ?? stamped[0]?.at ?? 0;
      return {
        ok: r.ok,
        error: r.error,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        outputs: r.outputs && Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value])),
        events: stamped.map((e) => ({ atMs: e.at - t0, event: e.event })),
        durationMs:
          r.ok && r.startedAt !== undefined && r.endedAt !== undefined ? r.endedAt - r.startedAt : undefined,
      };
    },
  };
}

/** One full `up` then `destroy`, timed. Never throws: a failure is the record's `error`. */
async function benchRun(stack: BenchStack, signal: AbortSignal): Promise<RunRecord> {
  const record: RunRecord = { phases: {}, images: {} };
  const errors: string[] = [];

  stackMayHoldResources = true;
  const up = await stack.op("up", signal);
  record.phases = upPhases(up.events, up.durationMs);
  if (!up.ok) {
    errors.push(`up failed: ${engineError(up.error, errorDiagnostics(up.events))}`);
  } else {
    const summary = up.outputs?.replays as ReplaySummary | undefined;
    if (!summary || typeof summary.total !== "number") {
      errors.push("the stack has no replay summary (output `replays`)");
    } else {
      record.replays = summaryCounts(summary);
      if (!summaryPassed(summary)) {
        const bad = summary.results.filter((r) => r.status === "FAIL" || r.status === "XPASS");
        errors.push(`replays failed: ${bad.map((r) => `${r.status} ${r.name}: ${r.message}`).join("; ")}`);
      }
    }
  }
  try {
    record.images = await imageSizes(docker, stack.label);
  } catch (error) {
    errors.push(`listing the images failed: ${firstLine(error)}`);
  }

  // Interrupted: the clean-up destroys, without a signal that is already aborted.
  if (signal.aborted) {
    if (errors.length > 0) record.error = errors.join("; ");
    return record;
  }
  const destroy = await stack.op("destroy", signal);
  if (destroy.ok) {
    record.phases.destroyMs = destroy.durationMs;
    stackMayHoldResources = false;
    // keepImages: the images stay by design (the next run reuses them); nothing else may.
    const left = describeLabelled(await findLabelled(docker, stack.label), { images: false });
    if (left.length > 0) errors.push(`destroy left ${left.join(", ")}`);
  } else {
    errors.push(`destroy failed: ${engineError(destroy.error, errorDiagnostics(destroy.events))}`);
  }
  if (errors.length > 0) record.error = errors.join("; ");
  return record;
}

/** Destroys what a failed run left, removes the kept images, the scratch stack, and proves nothing is left. */
async function cleanUp(stack: BenchStack | undefined, label: string): Promise<string[]> {
  const problems: string[] = [];
  if (stack && stackMayHoldResources) {
    progress(`destroying what the failed run left on stack ${stack.scratch.name}`);
    const destroy = await stack.op("destroy");
    if (destroy.ok) stackMayHoldResources = false;
    else
      problems.push(
        `clean-up destroy failed: ${engineError(destroy.error, errorDiagnostics(destroy.events))}`,
      );
  }
  if (stack) {
    await stack.scratch
      .dispose()
      .catch((error: unknown) => problems.push(`removing the scratch stack: ${firstLine(error)}`));
  }
  const found = await findLabelled(docker, label);
  const kept = found.images.length;
  const others = describeLabelled({ ...found, images: [] });
  if (others.length > 0) problems.push(`left after the bench (removed now): ${others.join(", ")}`);
  problems.push(...(await removeLabelled(docker, found)).map((p) => `could not remove ${p}`));
  const still = describeLabelled(await findLabelled(docker, label));
  if (still.length > 0) problems.push(`still labelled harness.stack=${label}: ${still.join(", ")}`);
  progress(
    `removed ${kept} kept image(s) and ${others.length} other object(s) labelled harness.stack=${label}`,
  );
  return problems;
}

function overhead(runs: number, failures: string[]): { ts: (number | null)[]; sh: (number | null)[] } {
  const ts: (number | null)[] = [];
  const sh: (number | null)[] = [];
  const measure = (kind: "ts" | "sh"): number | null => {
    try {
      return runnerOverheadMs(REPO_ROOT, kind, NOOP_REPLAYS);
    } catch (error) {
      failures.push(`runner overhead (${kind}): ${firstLine(error)}`);
      return null;
    }
  };
  for (let i = 0; i < runs; i++) {
    ts.push(measure("ts"));
    sh.push(measure("sh"));
  }
  return { ts, sh };
}

async function main(): Promise<number> {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  if (!Number.isInteger(runs) || runs < 1) {
    progress(`BENCH_RUNS must be a positive integer, got ${JSON.stringify(process.env.BENCH_RUNS)}`);
    return 2;
  }
  const ready = await preflight(docker, REPO_ROOT);
  if (!ready.ok) {
    progress(ready.problem);
    return 2;
  }
  const cli: PulumiCli = ready.cli;
  const stackName = `bench-${randomBytes(3).toString("hex")}`;
  const label = `harness/${stackName}`;

  // An interrupt stops the running operation (the CLI cancels it), then the clean-up runs.
  const abort = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruptedBy) {
      progress(`${signal}: the clean-up is already under way`);
      return;
    }
    interruptedBy = signal;
    progress(`${signal}: stopping the running operation, then cleaning up`);
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const failures: string[] = [];
  const measured: RunRecord[] = [];
  let warmup: RunRecord | undefined;
  let stack: BenchStack | undefined;
  try {
    stack = benchStack(cli, stackName);
    progress(
      `engine: pulumi ${ready.engine.cli} (toolchain ${ready.engine.toolchain}), docker plugin ${ready.engine.plugins.docker}, command plugin ${ready.engine.plugins.command}`,
    );
    progress(`warm-up run (builds the images; not measured), scratch stack ${stackName}`);
    warmup = await benchRun(stack, abort.signal);
    if (warmup.error) failures.push(`warm-up: ${warmup.error}`);
    for (let i = 1; i <= runs && failures.length === 0 && !interruptedBy; i++) {
      progress(`run ${i}/${runs}: up, then destroy`);
      const r = await benchRun(stack, abort.signal);
      measured.push(r);
      if (r.error) failures.push(`run ${i}: ${r.error}`);
      else progress(`run ${i}/${runs}: ${JSON.stringify(r.phases)}`);
    }
  } catch (error) {
    failures.push(`bench: ${firstLine(error)}`);
  } finally {
    progress(`removing stack ${stackName} and its kept images`);
    try {
      failures.push(...(await cleanUp(stack, label)));
    } catch (error) {
      failures.push(`clean-up: ${firstLine(error)}`);
    }
  }
  if (interruptedBy) failures.push(`interrupted by ${interruptedBy}`);

  let runnerOverhead = { ts: [] as (number | null)[], sh: [] as (number | null)[] };
  if (!interruptedBy) {
    progress(`runner overhead: ${runs} × ${NOOP_REPLAYS} no-op replays, TypeScript and bash`);
    runnerOverhead = overhead(runs, failures);
  }

  const server = await docker.version().catch(() => undefined);
  const result = {
    runs,
    path: "pulumi",
    engine: ready.engine,
    stack: stackName,
    machine: { cpus: cpus().length, node: process.version, docker: server?.Version ?? null },
    note:
      "milliseconds; medians over the measured runs (path pulumi: the real Pulumi engine through the Automation API, " +
      "one scratch stack with the config of Pulumi.e2e.yaml, full up then destroy per run, images cached; " +
      "phases timed on the engine's events as they arrive, ±0.2 s)",
    e2e: {
      bootToHealthyMs: stat(measured.map((r) => r.phases.bootToHealthyMs)),
      seedMs: stat(measured.map((r) => r.phases.seedMs)),
      suiteMs: stat(measured.map((r) => r.phases.replaysMs)),
      teardownMs: stat(measured.map((r) => r.phases.destroyMs)),
      upMs: stat(measured.map((r) => r.phases.upMs)),
      replays: measured.at(-1)?.replays ?? null,
      warmup: warmup ? { phases: warmup.phases } : null,
    },
    runnerOverheadPerReplayMs: {
      ts: stat(runnerOverhead.ts),
      sh: stat(runnerOverhead.sh),
      noopReplaysPerRun: NOOP_REPLAYS,
    },
    imageSizesBytes:
      [...measured]
        .reverse()
        .concat(warmup ? [warmup] : [])
        .map((r) => r.images)
        .find((sizes) => Object.keys(sizes).length > 0) ?? {},
    failures,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (interruptedBy) return interruptedBy === "SIGINT" ? 130 : 143;
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    progress(`error: ${firstLine(error)}`);
    process.exit(2);
  },
);
