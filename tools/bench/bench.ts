/**
 * `npm run bench` — numbers, not a test. JSON on stdout (progress on stderr): medians over BENCH_RUNS
 * (default 3) runs on the real Pulumi engine (the toolchain's CLI and plugins, driven through the
 * Automation API with the program inline: scripts/pulumi/engine.ts), each a full `up` then `destroy`
 * of one scratch stack (scripts/pulumi/scratch.ts) with the e2e stack config and images cached
 * (`harness:keepImages` after one unmeasured warm-up run), plus the runner's own overhead per replay
 * and the sizes of the images the harness builds. Phases come from the engine's event stream
 * (tools/bench/phases.ts). Alternating with those runs, the anchor-semantics baseline on the same images
 * (tools/bench/baseline.ts: docker-compose, health-gated waves, the anchor's probe intervals), and the
 * ratios and goals of issue 10 (tools/bench/goals.ts), with a per-phase timeline of one run of each
 * (tools/bench/timeline.ts, Docker's events). Needs the toolchain (`npm run pulumi:toolchain`), Docker, the
 * local base images (`npm run base-images`) and docker-compose. tools/bench/README.md lists the keys.
 */
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { resolve } from "node:path";
import {
  summaryCounts,
  summaryPassed,
  type ReplaySummary,
  type SummaryCounts,
} from "../../program/contracts/summary";
import { dockerClient } from "../../program/lib/docker-api/client";
import type { PulumiCli } from "../../scripts/pulumi/engine";
import { scratchStack, type ScratchStack } from "../../scripts/pulumi/scratch";
import { describeLabelled, findLabelled } from "../../program/lib/docker-api/labelled";
import { imageSizes, removeLabelled } from "./docker-objects";
import type { StampedEvent } from "../../scripts/pulumi/stack-op";
import type { TimedOp } from "./phases";
import {
  changedSteps,
  errorDiagnostics,
  REPLAYS_COMMAND,
  SEED_COMMAND,
  stepSpan,
  upPhases,
  type Phases,
} from "./phases";
import { e2eStackConfig, preflight } from "./preflight";
import { runnerOverheadMs } from "./runner-overhead";
import { ratioStat, stat } from "./stats";
import {
  baselineCleanUp,
  baselineProbes,
  baselineRun,
  harnessConfigOf,
  prepareBaseline,
  type BaselineRecord,
  type BaselineSetup,
} from "./baseline";
import { DockerEventLog } from "./docker-events";
import { formatGoals, judgeGoals } from "./goals";
import { containerSpans, formatTimeline, replaySpans, type Timeline } from "./timeline";

const REPO_ROOT = resolve(__dirname, "..", "..");
/** The local stack's documented default (README.md); the scratch stack's secrets never leave it. */
const PASSPHRASE = "harness-local-only";
const NOOP_REPLAYS = 20;
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const docker = dockerClient();

interface RunRecord {
  phases: Phases;
  replays?: SummaryCounts;
  images: Record<string, number>;
  timeline?: Timeline;
  /** Why the run failed (up, replays, destroy or leftovers); absent when it passed. Stops the bench. */
  error?: string;
  /** Why the unchanged `up` failed or what it changed: a failure that does not stop the bench. */
  unchangedError?: string;
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
  op: (
    op: "up" | "destroy",
    signal?: AbortSignal,
    options?: { expectNoChanges?: boolean },
  ) => Promise<TimedOp>;
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
    async op(op, signal, options = {}) {
      const stamped: StampedEvent[] = [];
      const r = await scratch.run(op, options, { signal, onEvent: (e) => stamped.push(e) });
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

/** The `up`'s timeline: Docker's events of the stack's containers, the seed and replays steps, each replay. */
function upTimeline(
  stack: BenchStack,
  up: TimedOp,
  summary: ReplaySummary | undefined,
  events: DockerEventLog,
  run: number,
): Timeline | undefined {
  if (up.startedAt === undefined) return undefined;
  const t0 = up.startedAt;
  const end = up.endedAt ?? Date.now();
  const prefix = `${stack.scratch.name}-`;
  const replays = replaySpans(up.events, summary?.results, t0);
  const step = (name: string, label: string) => ({ name: label, ...stepSpan(up.events, name) });
  const round = (s: { name: string; startMs?: number; endMs?: number }) => ({
    name: s.name,
    startMs: s.startMs === undefined ? undefined : Math.round(s.startMs),
    endMs: s.endMs === undefined ? undefined : Math.round(s.endMs),
  });
  return {
    path: "pulumi",
    run,
    startedAt: new Date(t0).toISOString(),
    origin: "`up` was called",
    containers: containerSpans(events.between(stack.label, t0 - 1, end + 1), t0, (e) =>
      e.name.startsWith(prefix) ? e.name.slice(prefix.length) : e.name,
    ),
    steps: [step(SEED_COMMAND, "seed"), step(REPLAYS_COMMAND, "replays (the whole suite)")].map(round),
    replays: replays.replays,
    replayTimesFrom: replays.from,
    marks: up.durationMs !== undefined ? [{ name: "up returned", atMs: Math.round(up.durationMs) }] : [],
  };
}

/**
 * One full `up`, a second `up --expect-no-changes`, then `destroy`, timed. Never throws: a failure is
 * the record's `error` (or `unchangedError` for the second `up`).
 */
async function benchRun(
  stack: BenchStack,
  signal: AbortSignal,
  events: DockerEventLog,
  run: number,
): Promise<RunRecord> {
  const record: RunRecord = { phases: {}, images: {} };
  const errors: string[] = [];

  stackMayHoldResources = true;
  const up = await stack.op("up", signal);
  record.phases = upPhases(up.events, up.durationMs);
  let summary: ReplaySummary | undefined;
  if (!up.ok) {
    errors.push(`up failed: ${engineError(up.error, errorDiagnostics(up.events))}`);
  } else {
    summary = up.outputs?.replays as ReplaySummary | undefined;
    if (!summary || typeof summary.total !== "number") {
      errors.push("the stack has no replay summary (output `replays`)");
      summary = undefined;
    } else {
      record.replays = summaryCounts(summary);
      if (!summaryPassed(summary)) {
        const bad = summary.results.filter((r) => r.status === "FAIL" || r.status === "XPASS");
        errors.push(`replays failed: ${bad.map((r) => `${r.status} ${r.name}: ${r.message}`).join("; ")}`);
      }
    }
  }
  record.timeline = upTimeline(stack, up, summary, events, run);
  if (up.ok && !signal.aborted) {
    const again = await stack.op("up", signal, { expectNoChanges: true });
    const changed = changedSteps(again.events);
    if (again.ok && changed.length === 0) record.phases.unchangedUpMs = again.durationMs;
    else
      record.unchangedError =
        `unchanged up${changed.length > 0 ? ` changed ${changed.join(", ")}` : ""}` +
        `${again.ok ? "" : `: ${engineError(again.error, errorDiagnostics(again.events))}`}` +
        // A failed operation has no end time: its last event is close to it.
        (again.events.length > 0 ? ` (took about ${Math.round(again.events.at(-1)!.atMs)} ms)` : "");
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
  const baselines: BaselineRecord[] = [];
  let warmup: RunRecord | undefined;
  let stack: BenchStack | undefined;
  let baseline: BaselineSetup | undefined;
  const events = new DockerEventLog();
  await events.start(docker);
  try {
    stack = benchStack(cli, stackName);
    progress(
      `engine: pulumi ${ready.engine.cli} (toolchain ${ready.engine.toolchain}), docker plugin ${ready.engine.plugins.docker}, command plugin ${ready.engine.plugins.command}; baseline: docker-compose ${ready.compose}`,
    );
    progress(`warm-up run (builds the images; not measured), scratch stack ${stackName}`);
    warmup = await benchRun(stack, abort.signal, events, 0);
    // A failed run stops the measuring (after the iteration it is in); a changed unchanged-up does not.
    let stop = false;
    if (warmup.error) {
      failures.push(`warm-up: ${warmup.error}`);
      stop = true;
    }
    if (warmup.unchangedError) failures.push(`warm-up: ${warmup.unchangedError}`);
    if (!stop && !interruptedBy) {
      try {
        const cfg = harnessConfigOf(e2eStackConfig(REPO_ROOT), {
          project: "harness",
          stack: stackName,
          repoRoot: REPO_ROOT,
        });
        baseline = await prepareBaseline({ cfg, stackName, stackLabel: label });
      } catch (error) {
        failures.push(`baseline: cannot prepare it: ${firstLine(error)}`);
        stop = true;
      }
    }
    for (let i = 1; i <= runs && !stop && !interruptedBy; i++) {
      progress(`run ${i}/${runs}, baseline: docker-compose up (anchor semantics), then down -v`);
      const b = await baselineRun(docker, baseline!, events, i, abort.signal);
      baselines.push(b);
      if (b.error) {
        failures.push(`run ${i} (baseline): ${b.error}`);
        stop = true;
      } else progress(`run ${i}/${runs}, baseline: ${JSON.stringify(b.phases)}`);
      if (interruptedBy) break;
      progress(`run ${i}/${runs}: up, unchanged up, then destroy`);
      const r = await benchRun(stack, abort.signal, events, i);
      measured.push(r);
      if (r.error) {
        failures.push(`run ${i}: ${r.error}`);
        stop = true;
      } else progress(`run ${i}/${runs}: ${JSON.stringify(r.phases)}`);
      if (r.unchangedError) failures.push(`run ${i}: ${r.unchangedError}`);
    }
  } catch (error) {
    failures.push(`bench: ${firstLine(error)}`);
  } finally {
    // The baseline first: its containers run the stack's kept images, which the stack's clean-up removes.
    if (baseline) {
      progress(`removing what is left of the baseline project ${baseline.project}`);
      try {
        failures.push(...(await baselineCleanUp(docker, baseline)));
      } catch (error) {
        failures.push(`baseline clean-up: ${firstLine(error)}`);
      }
    }
    progress(`removing stack ${stackName} and its kept images`);
    try {
      failures.push(...(await cleanUp(stack, label)));
    } catch (error) {
      failures.push(`clean-up: ${firstLine(error)}`);
    }
    events.stop();
    if (events.problem) failures.push(`timeline: ${events.problem}`);
  }
  if (interruptedBy) failures.push(`interrupted by ${interruptedBy}`);

  let runnerOverhead = { ts: [] as (number | null)[], sh: [] as (number | null)[] };
  if (!interruptedBy) {
    progress(`runner overhead: ${runs} × ${NOOP_REPLAYS} no-op replays, TypeScript and bash`);
    runnerOverhead = overhead(runs, failures);
  }

  const server = await docker.version().catch(() => undefined);
  const ours = {
    bootToHealthyMs: stat(measured.map((r) => r.phases.bootToHealthyMs)),
    seedMs: stat(measured.map((r) => r.phases.seedMs)),
    suiteMs: stat(measured.map((r) => r.phases.replaysMs)),
    teardownMs: stat(measured.map((r) => r.phases.destroyMs)),
    upMs: stat(measured.map((r) => r.phases.upMs)),
    unchangedUpMs: stat(measured.map((r) => r.phases.unchangedUpMs)),
  };
  const base = {
    bootToHealthyMs: stat(baselines.map((b) => b.phases.bootToHealthyMs)),
    composeUpMs: stat(baselines.map((b) => b.phases.composeUpMs)),
    destroyMs: stat(baselines.map((b) => b.phases.destroyMs)),
  };
  const ratios = {
    bootVsBaselineBoot: ratioStat(ours.bootToHealthyMs.runs, base.bootToHealthyMs.runs),
    upVsBaselineBoot: ratioStat(ours.upMs.runs, base.bootToHealthyMs.runs),
    runnerOverheadTsVsSh: ratioStat(runnerOverhead.ts, runnerOverhead.sh),
    teardownVsBaselineDestroy: ratioStat(ours.teardownMs.runs, base.destroyMs.runs),
  };
  const judged = judgeGoals({
    bootToHealthyMs: ours.bootToHealthyMs.median,
    bootVsBaselineBoot: ratios.bootVsBaselineBoot.median,
    upVsBaselineBoot: ratios.upVsBaselineBoot.median,
    runnerOverheadTsVsSh: ratios.runnerOverheadTsVsSh.median,
    teardownMs: ours.teardownMs.median,
    unchangedUpMs: ours.unchangedUpMs.median,
  });
  const timeline = {
    pulumi: [...measured].reverse().find((r) => r.timeline)?.timeline ?? null,
    baseline: [...baselines].reverse().find((b) => b.timeline)?.timeline ?? null,
  };
  for (const t of [timeline.baseline, timeline.pulumi]) if (t) formatTimeline(t).forEach((l) => progress(l));
  progress(
    `ratios (median of run-by-run pairs): boot ${ratios.bootVsBaselineBoot.median ?? "—"}× the baseline's boot, whole up ${ratios.upVsBaselineBoot.median ?? "—"}×, runner overhead ts/sh ${ratios.runnerOverheadTsVsSh.median ?? "—"}×`,
  );
  formatGoals(judged.goals).forEach((l) => progress(l));

  const result = {
    runs,
    path: "pulumi",
    engine: ready.engine,
    stack: stackName,
    machine: { cpus: cpus().length, node: process.version, docker: server?.Version ?? null },
    note:
      "milliseconds; medians over the measured runs (path pulumi: the real Pulumi engine through the Automation API, " +
      "one scratch stack with the config of Pulumi.e2e.yaml, full up, unchanged up, then destroy per run, images cached; " +
      "phases timed on the engine's events as they arrive, ±0.2 s). baseline (path compose): the same containers and images " +
      "in the anchor's compose shape, run by docker-compose in the same run before ours; ratios are medians of run-by-run pairs",
    e2e: {
      bootToHealthyMs: ours.bootToHealthyMs,
      seedMs: ours.seedMs,
      suiteMs: ours.suiteMs,
      teardownMs: ours.teardownMs,
      upMs: ours.upMs,
      replays: measured.at(-1)?.replays ?? null,
      warmup: warmup ? { phases: warmup.phases } : null,
      unchangedUpMs: ours.unchangedUpMs,
    },
    baseline: {
      path: "compose",
      tool: `docker-compose ${ready.compose}`,
      project: baseline?.project ?? null,
      order: "alternating in each run: the baseline first, then ours",
      probes: baselineProbes(),
      bootToHealthyMs: base.bootToHealthyMs,
      composeUpMs: base.composeUpMs,
      destroyMs: base.destroyMs,
      images: baselines.at(-1)?.images ?? null,
    },
    ratios,
    goals: judged.goals,
    goalsMet: judged.met,
    timeline,
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
