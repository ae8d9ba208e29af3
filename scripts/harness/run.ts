/**
 * `npm run harness` — the one-shot runner (PROJECT-SPEC §2, successor of run-all-replays.sh):
 * preflight → `pulumi up` on stack `harness` (progress streamed) → outputs → summary and reports →
 * `pulumi destroy` on every path (success, failure, Ctrl-C/SIGTERM) unless KEEP_UP=1.
 * Exit: 0 every replay passed, 1 a replay failed, 2 the harness itself failed (preflight, boot, seed,
 * outputs, teardown), 130/143 interrupted (after the teardown).
 * Everything it touches comes in through `HarnessDeps` (tests drive it with a stand-in `pulumi`).
 */
import { summaryCounts, summaryPassed, type ReplaySummary } from "../../contracts/summary";
import { REBUILD_NONCE_ENV } from "../../config/schema";
import { checkNode, checkPulumi, edgePortProblem, portFree, type Problem } from "./preflight";
import type { PulumiRunner } from "./pulumi-cli";
import {
  appendHarnessFailureSummary,
  harnessReportsDir,
  renderSummary,
  writeHarnessFailureJunit,
  writeRunRecord,
  type HarnessResult,
} from "./reports";
import { edgeOfStack } from "./stack-file";

/** docs/pulumi.md: the documented passphrase of the local-only default stack. */
export const DEFAULT_PASSPHRASE = "harness-local-only";
export const EXIT = { passed: 0, replaysFailed: 1, harnessFailed: 2, SIGINT: 130, SIGTERM: 143 } as const;

export interface HarnessDeps {
  root: string;
  env: NodeJS.ProcessEnv;
  nodeVersion: string;
  /** Progress for humans. */
  log: (line: string) => void;
  /** `pulumi version` output, or undefined when there is no CLI. */
  pulumiVersion: () => Promise<string | undefined>;
  /** Throws a message with the fix when Docker does not answer. */
  pingDocker: () => Promise<void>;
  /** Whether our own stack's edge holds the port (a kept-up stack: `up` will reuse it). */
  ownEdgeHolds: (stack: string, port: number) => Promise<boolean>;
  pulumi: (env: NodeJS.ProcessEnv) => PulumiRunner;
  onSignal: (handler: (signal: "SIGINT" | "SIGTERM") => void) => () => void;
  now?: () => number;
}

async function preflight(deps: HarnessDeps, stack: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  const node = checkNode(deps.nodeVersion);
  if (node) problems.push(node);
  const pulumi = checkPulumi(await deps.pulumiVersion());
  if (pulumi) problems.push(pulumi);
  let dockerUp = true;
  try {
    await deps.pingDocker();
  } catch (error) {
    dockerUp = false;
    const [what, ...fix] = (error as Error).message.split(": ");
    problems.push({ what, fix: fix.join(": ") || "start the Docker engine" });
  }
  const edge = edgeOfStack(deps.root, stack);
  if (edge.port !== 0 && !(await portFree(edge.port, edge.bindAddress))) {
    const ours = dockerUp && (await deps.ownEdgeHolds(stack, edge.port).catch(() => false));
    if (!ours) problems.push(edgePortProblem(edge.port, edge.bindAddress, stack));
  }
  return problems;
}

function outputsOf(stdout: string): {
  summary?: ReplaySummary;
  passed?: boolean;
  edgeUrl?: string;
  reports?: ReplaySummary["reports"];
} {
  const outputs = JSON.parse(stdout) as Record<string, unknown>;
  return {
    summary: outputs.replays as ReplaySummary | undefined,
    passed: typeof outputs.replaysPassed === "boolean" ? outputs.replaysPassed : undefined,
    edgeUrl: typeof outputs.edgeUrl === "string" ? outputs.edgeUrl : undefined,
    reports: outputs.reports as ReplaySummary["reports"] | undefined,
  };
}

interface Attempt {
  upStarted: boolean;
  upMs?: number;
  upTail: string[];
  error?: string;
  summary?: ReplaySummary;
  passed?: boolean;
  edgeUrl?: string;
  reports: { json?: string; junit?: string; artifacts?: string | null };
}

/** stack select → up → stack output. Never throws: what went wrong is in `error`. */
async function attempt(
  pulumi: PulumiRunner,
  stack: string,
  log: (l: string) => void,
  interrupted: () => boolean,
  now: () => number,
): Promise<Attempt> {
  const a: Attempt = { upStarted: false, upTail: [], reports: {} };
  try {
    const select = await pulumi.run(["stack", "select", "--create", stack], { capture: true });
    if (select.code !== 0) {
      a.error = `\`pulumi stack select --create ${stack}\` failed (exit ${select.code}): ${select.tail.join("\n")}`;
      return a;
    }
    if (interrupted()) return a;
    log(`pulumi up --stack ${stack} (boot, seed, replays)`);
    const upAt = now();
    a.upStarted = true;
    const up = await pulumi.run(["up", "--stack", stack, "--yes", "--skip-preview"]);
    a.upMs = now() - upAt;
    a.upTail = up.tail;
    if (interrupted()) return a;
    if (up.code !== 0) {
      a.error = `\`pulumi up\` failed (exit ${up.code}): the harness itself failed (a build, a container that never got healthy, the seed, or the runner); see its output above`;
      return a;
    }
    const out = await pulumi.run(["stack", "output", "--stack", stack, "--json"], { capture: true });
    if (out.code !== 0) {
      a.error = `\`pulumi stack output\` failed (exit ${out.code}): ${out.tail.join("\n")}`;
      return a;
    }
    Object.assign(a, outputsOf(out.stdout));
    if (!a.summary || a.passed === undefined)
      a.error = "the stack has no `replays`/`replaysPassed` outputs: was the replays Command created?";
  } catch (error) {
    a.error = (error as Error).message;
  }
  return a;
}

export async function runHarness(deps: HarnessDeps): Promise<number> {
  const now = deps.now ?? Date.now;
  const started = now();
  const stack = deps.env.HARNESS_STACK || "harness";
  const keepUp = deps.env.KEEP_UP === "1";
  const log = (line: string) => deps.log(`[harness] ${line}`);
  const dir = harnessReportsDir(deps.root, stack);

  log(`preflight (stack ${stack})`);
  const problems = await preflight(deps, stack);
  if (problems.length > 0) {
    for (const p of problems) log(`✗ ${p.what}\n            fix: ${p.fix}`);
    log(`${problems.length} problem(s): nothing was started.`);
    return EXIT.harnessFailed;
  }

  const env: NodeJS.ProcessEnv = { ...deps.env, PULUMI_SKIP_UPDATE_CHECK: "true" };
  if (!env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE) {
    env.PULUMI_CONFIG_PASSPHRASE = DEFAULT_PASSPHRASE;
    log("PULUMI_CONFIG_PASSPHRASE is unset: using the local stack's documented default (docs/pulumi.md)");
  }
  if (deps.env.REBUILD === "1") {
    env[REBUILD_NONCE_ENV] = String(now());
    log(
      `REBUILD=1: forcing the locally built images to rebuild (${REBUILD_NONCE_ENV}=${env[REBUILD_NONCE_ENV]})`,
    );
  }
  const pulumi = deps.pulumi(env);

  let interrupted: "SIGINT" | "SIGTERM" | undefined;
  const unsubscribe = deps.onSignal((signal) => {
    if (!interrupted) {
      log(
        `${signal}: stopping \`pulumi\` (it cancels gracefully)${keepUp ? "; KEEP_UP=1: the stack stays" : ", then tearing down"}`,
      );
    }
    interrupted ??= signal;
    pulumi.forward(signal);
  });

  const a = await attempt(pulumi, stack, log, () => interrupted !== undefined, now);
  let result: HarnessResult;
  let code: number;
  let error = a.error;
  if (interrupted) {
    result = "interrupted";
    code = EXIT[interrupted];
    error ??= `interrupted by ${interrupted}`;
  } else if (error) {
    result = "harness-failed";
    code = EXIT.harnessFailed;
  } else {
    for (const line of renderSummary(a.summary!)) deps.log(line);
    const passed = a.passed === true && summaryPassed(a.summary!);
    result = passed ? "passed" : "replays-failed";
    code = passed ? EXIT.passed : EXIT.replaysFailed;
  }
  if (error) log(`✗ ${error}`);

  // Teardown, on every path that started an up.
  let destroyMs: number | undefined;
  if (keepUp) {
    log(`KEEP_UP=1: stack ${stack} stays up${a.edgeUrl ? ` (edge ${a.edgeUrl})` : ""}`);
    log(`  outputs:   pulumi stack output --stack ${stack} --json [--show-secrets]`);
    log(`  tear down: pulumi destroy --stack ${stack} --yes`);
  } else if (a.upStarted) {
    log(`pulumi destroy --stack ${stack}`);
    const destroyAt = now();
    const destroy = await pulumi.run(["destroy", "--stack", stack, "--yes", "--skip-preview"]);
    destroyMs = now() - destroyAt;
    if (destroy.code !== 0) {
      const message = `\`pulumi destroy\` failed (exit ${destroy.code}): the stack may still be up; run \`pulumi destroy --stack ${stack} --yes\` again`;
      log(`✗ ${message}`);
      error = error ? `${error}; ${message}` : message;
      if (result !== "interrupted") {
        result = "harness-failed";
        code = EXIT.harnessFailed;
      }
    }
  }
  unsubscribe();

  // Reports CI can read, whatever happened.
  const reports = { ...a.reports };
  if (!a.summary) {
    reports.junit = writeHarnessFailureJunit(
      dir,
      stack,
      a.upStarted ? "pulumi up" : "pulumi stack select",
      error ?? result,
      a.upTail,
    );
    if (deps.env.GITHUB_STEP_SUMMARY)
      appendHarnessFailureSummary(deps.env.GITHUB_STEP_SUMMARY, stack, error ?? result);
  }
  const s = a.summary;
  const run = writeRunRecord(dir, {
    stack,
    result,
    exitCode: code,
    startedAt: new Date(started).toISOString(),
    durationsMs: { up: a.upMs, destroy: destroyMs, total: now() - started },
    summaryLine: s ? renderSummary(s).at(-1) : undefined,
    replays: s ? summaryCounts(s) : undefined,
    reports,
    error,
    keptUp: keepUp,
  });
  log(
    `reports: ${[reports.json, reports.junit, reports.artifacts ?? undefined, run].filter(Boolean).join(", ")}`,
  );
  log(`result: ${result} (exit ${code})`);
  // The last line of every run.
  if (s) deps.log(renderSummary(s).at(-1)!);
  return code;
}
