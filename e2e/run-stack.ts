/**
 * `e2e/cli.ts run`: up (every declared resource created for real) → outputs → verdict (every replay
 * passed?) → destroy in reverse order → prove nothing labelled for the stack is left. An interrupt at
 * any point tears down (even with --keep-up). Exit codes: see args.ts.
 */
import type Docker from "dockerode";
import { rmSync } from "node:fs";
import { summaryCounts, summaryLine, type SummaryCounts } from "../contracts/summary";
import { projectName, stackConfig } from "../tests/pulumi/load-program";
import type { RunRequest } from "./args";
import { Cancellation } from "./cancel";
import { assertDockerReachable } from "./docker-ops/client";
import { destroyLedger } from "./destroy";
import { phasesOf, up, type Phases, type UpOutcome } from "./driver";
import { Ledger, ledgerPath } from "./ledger";
import { MARKERS, type Log } from "./log";
import { defaultOutputsPath, replayVerdict, writeSecretJson } from "./outputs";
import { describeLabelled, existingVolumes, findLabelled, sweep } from "./sweeper";
import { Timings } from "./timings";

export const EXIT = {
  passed: 0,
  replaysFailed: 1,
  harnessFailed: 2,
  leaked: 3,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

export interface RunReport {
  stack: string;
  stackLabel: string;
  exitCode: number;
  result: "passed" | "replays-failed" | "harness-failed" | "interrupted";
  error?: string;
  phases: Phases;
  images: { tags: string[]; sizeBytes: number }[];
  replays?: SummaryCounts;
  results?: { name: string; status: string; message: string }[];
  teardown?: Teardown;
}

export interface Teardown {
  destroyed: number;
  failures: string[];
  leaks: string[];
  ms: number;
}

export interface RunDeps {
  docker: Docker;
  log: Log;
  repoRoot: string;
  /** Subscribes to interrupts; returns an unsubscribe function. */
  onSignal: (handler: (signal: "SIGINT" | "SIGTERM") => void) => () => void;
}

/** How long an interrupted `up` may take to unwind before the teardown starts anyway. */
const UNWIND_MS = 30_000;

/** The SDK wraps a resource failure in "error serializing property …" layers: keep what the engine would say. */
export function withoutSdkPrefix(message: string): string {
  const at = message.indexOf("failed to register new resource");
  return at > 0 ? message.slice(at) : message;
}

export async function runStack(request: RunRequest, deps: RunDeps): Promise<RunReport> {
  const { docker, log, repoRoot } = deps;
  const project = projectName(repoRoot);
  const stack = request.stack;
  const stackLabel = `${project}/${stack}`;
  const report: RunReport = {
    stack,
    stackLabel,
    exitCode: EXIT.harnessFailed,
    result: "harness-failed",
    phases: {},
    images: [],
  };
  const fail = (message: string) => {
    report.error = message;
    log.warn(message);
    return report;
  };

  let config: Record<string, string>;
  try {
    await assertDockerReachable(docker);
    config = { ...stackConfig(request.stackConfig, repoRoot), ...request.config };
  } catch (error) {
    return fail((error as Error).message);
  }
  // keepImages: the stack's built images outlive a destroy by design (the next up reuses them).
  const keepImages = config["harness:keepImages"] === "true";
  const ledger = Ledger.open(ledgerPath(repoRoot, stack), { project, stack });
  const running = describeLabelled({ ...(await findLabelled(docker, stackLabel)), images: [] });
  if (!ledger.empty || running.length > 0) {
    const what = [...running, ...(ledger.empty ? [] : ["a recorded state"])].slice(0, 5).join(", ");
    return fail(
      `stack ${stack} is already up on this engine (${what}); tear it down first: npm run e2e:down -- --stack ${stack}`,
    );
  }

  const cancel = new Cancellation();
  const timings = new Timings();
  let interruptedBy: "SIGINT" | "SIGTERM" | undefined;
  const unsubscribe = deps.onSignal((signal) => {
    if (interruptedBy) return log.info(`${signal}: the teardown is already under way`);
    interruptedBy = signal;
    log.info(`${signal}: interrupting the up, then tearing the stack down`);
    cancel.cancel(signal);
  });
  try {
    log.info(
      `up: stack ${stack} (label harness.stack=${stackLabel}, config Pulumi.${request.stackConfig}.yaml)`,
    );
    const upStarted = Date.now();
    const upping = up({ project, stack, config }, { docker, log, cancel, ledger, timings }).catch(
      (error: unknown): UpOutcome => ({ error: (error as Error).message, outputs: {}, secretOutputs: [] }),
    );
    const unwound = new Promise<undefined>((resolve) => {
      cancel.signal.addEventListener("abort", () => setTimeout(() => resolve(undefined), UNWIND_MS).unref(), {
        once: true,
      });
    });
    const outcome = await Promise.race([upping, unwound]);
    const upMs = Date.now() - upStarted;
    if (cancel.cancelled) {
      const left = await cancel.settled(UNWIND_MS);
      if (left > 0) log.warn(`${left} Docker operation(s) still running; tearing down anyway`);
    }

    const outputs = outcome?.outputs ?? {};
    if (interruptedBy) {
      report.result = "interrupted";
      report.exitCode = EXIT[interruptedBy];
      report.error = `interrupted by ${interruptedBy}`;
    } else if (outcome?.error) {
      fail(`up failed: ${withoutSdkPrefix(outcome.error)}`);
    } else {
      log.info(`up: done in ${(upMs / 1000).toFixed(1)} s; edge ${String(outputs.edgeUrl)}`);
      judge(outputs, report, log);
    }
    if (request.outputs && Object.keys(outputs).length > 0) writeSecretJson(request.outputs, outputs);
    report.images = await imageSizes(docker, stackLabel);

    if (request.keepUp && !interruptedBy) {
      keptUp(request, outputs, ledger, deps);
    } else {
      report.teardown = await teardownStack(ledger, stackLabel, { docker, log }, { keepImages });
      if (report.teardown.failures.length > 0 || report.teardown.leaks.length > 0)
        report.exitCode = EXIT.leaked;
    }
    report.phases = phasesOf(timings, upMs, report.teardown?.ms);
    return report;
  } finally {
    unsubscribe();
  }
}

/** The verdict from the outputs: every replay passed? Prints one line per replay and the summary line. */
function judge(outputs: Record<string, unknown>, report: RunReport, log: Log): void {
  const verdict = replayVerdict(outputs);
  if (verdict.summary) {
    const s = verdict.summary;
    report.replays = summaryCounts(s);
    report.results = s.results.map((r) => ({ name: r.name, status: r.status, message: r.message }));
    for (const r of s.results)
      log.info(`  ${r.status.padEnd(5)} ${r.name}${r.status === "PASS" ? "" : `: ${r.message}`}`);
    log.info(summaryLine(s));
  }
  if (verdict.problem) {
    report.error = verdict.problem;
    log.warn(verdict.problem);
    return;
  }
  report.result = verdict.passed ? "passed" : "replays-failed";
  report.exitCode = verdict.passed ? EXIT.passed : EXIT.replaysFailed;
}

function keptUp(request: RunRequest, outputs: Record<string, unknown>, ledger: Ledger, deps: RunDeps): void {
  const outputsPath = request.outputs ?? defaultOutputsPath(deps.repoRoot);
  if (Object.keys(outputs).length > 0) {
    writeSecretJson(outputsPath, outputs);
    ledger.outputsPath = outputsPath;
  }
  const tenant = Object.keys((outputs.tenants ?? {}) as object)[0] ?? "alpha";
  deps.log.info(
    `KEEP_UP: stack ${request.stack} stays up; outputs (secrets included, mode 0600): ${outputsPath}`,
  );
  deps.log.info(
    `  try: curl -H 'Host: harness-tenant-${tenant}.localhost' ${String(outputs.edgeUrl)}/health`,
  );
  deps.log.info(`  tear down: npm run e2e:down -- --stack ${request.stack}`);
}

async function imageSizes(docker: Docker, stackLabel: string): Promise<RunReport["images"]> {
  const found = await findLabelled(docker, stackLabel);
  const sizes: RunReport["images"] = [];
  for (const image of found.images) {
    // Untagged: an earlier build of the stack (superseded, or an intermediate), not an image it runs.
    const tags = image.tags.filter((t) => t !== "<none>:<none>");
    if (tags.length === 0) continue;
    const info = await docker.getImage(image.id).inspect();
    sizes.push({ tags, sizeBytes: info.Size });
  }
  return sizes.sort((a, b) => a.tags[0].localeCompare(b.tags[0]));
}

/** Destroy from the ledger, then prove nothing labelled for the stack is left (and clean up if it is). */
export async function teardownStack(
  ledger: Ledger,
  stackLabel: string,
  deps: { docker: Docker; log: Log },
  options: {
    /** false for e2e:down: objects a crashed run left without a record are expected there. */
    leftoversAreLeaks?: boolean;
    /** harness:keepImages: the stack's images stay by design (not a leak; e2e:down removes them). */
    keepImages?: boolean;
  } = {},
): Promise<Teardown> {
  const leftoversAreLeaks = options.leftoversAreLeaks ?? true;
  const started = Date.now();
  deps.log.info(`destroy: ${ledger.steps.length} recorded resources, in reverse creation order`);
  const destroyed = await destroyLedger(ledger, deps);
  const found = await findLabelled(deps.docker, stackLabel);
  if (options.keepImages && found.images.length > 0) {
    deps.log.info(`keepImages: kept ${found.images.map((i) => i.tags.join(",") || i.id).join(", ")}`);
  }
  const left = options.keepImages ? { ...found, images: [] } : found;
  const volumes = await existingVolumes(deps.docker, destroyed.volumes);
  const leaks = [...describeLabelled(left), ...volumes.map((v) => `anonymous volume ${v}`)];
  for (const failure of destroyed.failures) deps.log.warn(`destroy failed: ${failure}`);
  if (leaks.length > 0) {
    if (leftoversAreLeaks) {
      deps.log.warn(
        `${MARKERS.leak}: the destroy left ${leaks.length} object(s) labelled for ${stackLabel}: ${leaks.join(", ")}`,
      );
    } else {
      deps.log.info(
        `removing ${leaks.length} unrecorded object(s) labelled for ${stackLabel}: ${leaks.join(", ")}`,
      );
    }
    await sweep(deps.docker, stackLabel, deps.log, volumes, { keepImages: options.keepImages });
  }
  if (ledger.outputsPath) {
    rmSync(ledger.outputsPath, { force: true });
    ledger.outputsPath = undefined;
  }
  const ms = Date.now() - started;
  if ((leaks.length === 0 || !leftoversAreLeaks) && destroyed.failures.length === 0) {
    deps.log.info(
      `destroy: done in ${(ms / 1000).toFixed(1)} s; nothing labelled harness.stack=${stackLabel} remains`,
    );
  }
  return {
    destroyed: destroyed.destroyed,
    failures: destroyed.failures,
    leaks: leftoversAreLeaks ? leaks : [],
    ms,
  };
}
