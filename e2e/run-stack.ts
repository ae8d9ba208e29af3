/**
 * `e2e/cli.ts run`: up (every declared resource created for real) → outputs → verdict (every replay
 * passed?) → destroy in reverse order → prove nothing labelled for the stack is left. An interrupt at
 * any point tears down (even with --keep-up). Exit codes: see args.ts.
 */
import type Docker from "dockerode";
import { rmSync } from "node:fs";
import { summaryLine } from "../contracts/summary";
import { projectName, stackConfig } from "../tests/pulumi/load-program";
import { Cancellation } from "./cancel";
import { assertDockerReachable } from "./docker-ops/client";
import { destroyLedger } from "./destroy";
import { phasesOf, up, type Phases, type UpOutcome } from "./driver";
import { Ledger, ledgerPath } from "./ledger";
import { MARKERS, type Log } from "./log";
import { defaultOutputsPath, replayVerdict, writeSecretJson } from "./outputs";
import type { RunRequest } from "./args";
import { countLabelled, describeLabelled, existingVolumes, findLabelled, sweep } from "./sweeper";
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
  replays?: {
    total: number;
    passed: number;
    failed: number;
    skipped: number;
    xfailed: number;
    xpassed: number;
  };
  results?: { name: string; status: string; message: string }[];
  teardown?: { destroyed: number; failures: string[]; leaks: string[]; ms: number };
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

  try {
    await assertDockerReachable(docker);
  } catch (error) {
    report.error = (error as Error).message;
    log.warn(report.error);
    return report;
  }
  const ledger = Ledger.open(ledgerPath(repoRoot, stack), { project, stack });
  const already = await findLabelled(docker, stackLabel);
  if (!ledger.empty || countLabelled(already) > 0) {
    report.error =
      `stack ${stack} is already up on this engine (${[...describeLabelled(already), ...(ledger.empty ? [] : ["a recorded state"])].slice(0, 5).join(", ")}); ` +
      `tear it down first: npm run e2e:down -- --stack ${stack}`;
    log.warn(report.error);
    return report;
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
    let config: Record<string, string>;
    try {
      config = { ...stackConfig(request.stackConfig, repoRoot), ...request.config };
    } catch (error) {
      report.error = `reading Pulumi.${request.stackConfig}.yaml: ${(error as Error).message}`;
      log.warn(report.error);
      return report;
    }
    log.info(
      `up: stack ${stack} (label harness.stack=${stackLabel}, config Pulumi.${request.stackConfig}.yaml)`,
    );
    const upStarted = Date.now();
    const upping = up({ project, stack, config }, { docker, log, cancel, ledger, timings }).catch(
      (error: unknown): UpOutcome => ({ error: (error as Error).message, outputs: {}, secretOutputs: [] }),
    );
    const unwound = new Promise<void>((resolve) => {
      cancel.signal.addEventListener("abort", () => setTimeout(resolve, UNWIND_MS).unref(), { once: true });
    });
    const outcome = await Promise.race([upping, unwound.then(() => undefined)]);
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
      report.error = `up failed: ${withoutSdkPrefix(outcome.error)}`;
      log.warn(report.error);
    } else {
      log.info(`up: done in ${(upMs / 1000).toFixed(1)} s; edge ${String(outputs.edgeUrl)}`);
      const verdict = replayVerdict(outputs);
      if (verdict.summary) {
        const s = verdict.summary;
        report.replays = {
          total: s.total,
          passed: s.passed,
          failed: s.failed,
          skipped: s.skipped,
          xfailed: s.xfailed,
          xpassed: s.xpassed,
        };
        report.results = s.results.map((r) => ({ name: r.name, status: r.status, message: r.message }));
        for (const r of s.results)
          log.info(`  ${r.status.padEnd(5)} ${r.name}${r.status === "PASS" ? "" : `: ${r.message}`}`);
        log.info(summaryLine(s));
      }
      if (verdict.problem) {
        report.error = verdict.problem;
        log.warn(verdict.problem);
      } else {
        report.result = verdict.passed ? "passed" : "replays-failed";
        report.exitCode = verdict.passed ? EXIT.passed : EXIT.replaysFailed;
      }
    }
    if (request.outputs && Object.keys(outputs).length > 0) writeSecretJson(request.outputs, outputs);
    report.images = await imageSizes(docker, stackLabel);

    const keep = request.keepUp && !interruptedBy;
    if (keep) {
      const outputsPath = request.outputs ?? defaultOutputsPath(repoRoot);
      if (Object.keys(outputs).length > 0) {
        writeSecretJson(outputsPath, outputs);
        ledger.outputsPath = outputsPath;
      }
      const legacyCurl = `curl -H 'Host: harness-tenant-${firstTenant(outputs)}.localhost' ${String(outputs.edgeUrl)}/health`;
      log.info(`KEEP_UP: stack ${stack} stays up; outputs (secrets included, mode 0600): ${outputsPath}`);
      log.info(`  try: ${legacyCurl}`);
      log.info(`  tear down: npm run e2e:down -- --stack ${stack}`);
    } else {
      const teardown = await teardownStack(ledger, stackLabel, { docker, log });
      report.teardown = teardown;
      if (teardown.failures.length > 0 || teardown.leaks.length > 0) report.exitCode = EXIT.leaked;
    }
    report.phases = phasesOf(timings, upMs, report.teardown?.ms);
    return report;
  } finally {
    unsubscribe();
  }
}

/** The SDK wraps a resource failure in "error serializing property …" layers: keep what the engine would say. */
export function withoutSdkPrefix(message: string): string {
  const at = message.indexOf("failed to register new resource");
  return at > 0 ? message.slice(at) : message;
}

function firstTenant(outputs: Record<string, unknown>): string {
  return Object.keys((outputs.tenants ?? {}) as object)[0] ?? "alpha";
}

async function imageSizes(docker: Docker, stackLabel: string): Promise<RunReport["images"]> {
  const found = await findLabelled(docker, stackLabel);
  const sizes: RunReport["images"] = [];
  for (const image of found.images) {
    if (image.tags.length === 0) continue;
    const info = await docker.getImage(image.id).inspect();
    sizes.push({ tags: image.tags, sizeBytes: info.Size });
  }
  return sizes.sort((a, b) => a.tags[0].localeCompare(b.tags[0]));
}

/** Destroy from the ledger, then prove nothing labelled for the stack is left (and clean up if it is). */
export async function teardownStack(
  ledger: Ledger,
  stackLabel: string,
  deps: { docker: Docker; log: Log },
  /** false for e2e:down: objects a crashed run left without a record are expected there. */
  leftoversAreLeaks = true,
): Promise<NonNullable<RunReport["teardown"]>> {
  const started = Date.now();
  deps.log.info(`destroy: ${ledger.steps.length} recorded resources, in reverse creation order`);
  const destroyed = await destroyLedger(ledger, deps);
  const left = await findLabelled(deps.docker, stackLabel);
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
    await sweep(deps.docker, stackLabel, deps.log, volumes);
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
