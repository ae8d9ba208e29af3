/**
 * `npm run replays:local [-- options]`: the fast tier for developers and CI. Boots the harness on
 * loopback without Docker (tools/loopback/topology.ts: real postgres and redis, the cp-stub, the reference
 * tenants, nginx with the rendered edge config), seeds, runs the replay suite, tears everything down
 * — on success, failure and Ctrl-C alike — and exits with the runner's code:
 *   0 every replay passed, 1 a replay failed, 2 the harness itself failed (boot, seed, bad flags), 130 interrupted.
 * Progress goes to stderr; the last line, on stdout, is the runner's `N passed, N failed, N skipped`.
 *
 *   --include/--exclude <glob>  (repeatable) which replays, as the runner's flags
 *   --timeout <s>  --concurrency <n>   as the runner's flags
 *   --runs <n>                  run the suite n times against one seeded topology (re-runnability:
 *                               the Pulumi program re-runs replays on every change without re-seeding)
 *   --tenants a,b               tenant names (default: the program's default tenants)
 *   --stack <name>              names the reports (.harness/reports/<stack>) and logs (.harness/<stack>/logs)
 *   --strict                    a SKIP or XFAIL also fails the run (exit 1): the CI tier wants every replay PASS
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_GIT_SHA } from "../program/config/schema";
import { summaryLine, summaryPassed, type ReplaySummary } from "../program/contracts/summary";
import { TENANT_NAME_PATTERN } from "../program/contracts/hosts";
import { Teardown } from "../tools/loopback/teardown";
import { startLocalTopology } from "../tools/loopback/topology";
import { errorMessage, HarnessError } from "../runner/errors";
import { DEFAULT_CONCURRENCY, runReplays } from "../runner/run";
import { seed } from "../runner/seed";

const REPO_ROOT = resolve(__dirname, "..");
const log = (line: string) => process.stderr.write(`${line}\n`);
/**
 * Replays that need the Docker stack, left out here: no-egress execs into the tenant containers and
 * reads the egress sinkhole's journal (issue 14); loopback tenants are host processes, no sinkhole.
 */
const DOCKER_ONLY_REPLAYS = ["no-egress"];

class UsageError extends HarnessError {}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** The commit under test, as CI injects it into the image; overridable like the program's GIT_SHA. */
function gitSha(): string {
  const fromEnv = process.env.HARNESS_GIT_SHA?.trim() || process.env.GIT_SHA?.trim();
  if (fromEnv) return fromEnv;
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
  } catch {
    return DEFAULT_GIT_SHA;
  }
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      include: { type: "string", multiple: true, default: [] },
      exclude: { type: "string", multiple: true, default: [] },
      timeout: { type: "string" },
      concurrency: { type: "string" },
      runs: { type: "string" },
      tenants: { type: "string" },
      stack: { type: "string", default: "local" },
      "replays-dir": { type: "string", default: "replays" },
      strict: { type: "boolean", default: false },
    },
  });
  const tenants = values.tenants?.split(",").map((t) => t.trim());
  const bad = tenants?.filter((t) => !TENANT_NAME_PATTERN.test(t)) ?? [];
  if (tenants?.length === 0 || bad.length > 0) {
    throw new UsageError(`--tenants: bad tenant name(s) ${bad.join(", ")} (want ${TENANT_NAME_PATTERN})`);
  }
  if (!TENANT_NAME_PATTERN.test(values.stack)) throw new UsageError(`--stack: bad name "${values.stack}"`);
  return {
    include: values.include,
    exclude: values.exclude,
    timeoutSeconds: positiveInt(values.timeout, "--timeout", 120),
    concurrency: positiveInt(values.concurrency, "--concurrency", DEFAULT_CONCURRENCY),
    runs: positiveInt(values.runs, "--runs", 1),
    tenants,
    stack: values.stack,
    replaysDir: values["replays-dir"],
    strict: values.strict,
  };
}

async function main(): Promise<number> {
  const controller = new AbortController();
  const teardown = new Teardown();
  let interrupts = 0;
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C can arrive twice: from the terminal to the whole process group, and relayed by the
    // `tsx` CLI that `npm run` starts us under. Only a second one a moment later means "force".
    if (interrupts > 0 && Date.now() - firstAt < 1000) return;
    interrupts += 1;
    if (interrupts === 1) {
      firstAt = Date.now();
      log(`[local] ${signal}: stopping replays, then tearing down (again to force)`);
      controller.abort();
      return;
    }
    // Forced: stop what we can right now; tools/loopback/process.ts kills any server left on exit.
    log(`[local] ${signal} again: forcing teardown`);
    void teardown.run(log).finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let code = 2;
  let last: ReplaySummary | null = null;
  const started = Date.now();
  try {
    const options = parse(process.argv.slice(2));
    const logDir = join(REPO_ROOT, ".harness", options.stack, "logs");
    rmSync(logDir, { recursive: true, force: true });
    const topology = await startLocalTopology({
      teardown,
      tenants: options.tenants,
      gitSha: gitSha(),
      logDir,
      reportsDir: join(REPO_ROOT, ".harness", "reports", options.stack),
      stack: options.stack,
      progress: log,
      signal: controller.signal,
    });
    log(`[local] edge ${topology.target.edgeUrl}, cp-stub ${topology.target.cpStubUrl}, logs ${logDir}`);
    for (const t of topology.tenants) log(`[local] tenant ${t.name}: API ${t.apiUrl}, canvas ${t.canvasUrl}`);
    const seeded = await seed({ target: topology.target, progress: log });
    code = 0;
    for (let run = 1; run <= options.runs && !controller.signal.aborted; run += 1) {
      if (options.runs > 1) log(`[local] ━━━ run ${run} of ${options.runs} ━━━`);
      last = await runReplays({
        replaysDir: resolve(REPO_ROOT, options.replaysDir),
        include: options.include,
        exclude: [...options.exclude, ...DOCKER_ONLY_REPLAYS],
        timeoutSeconds: options.timeoutSeconds,
        concurrency: options.concurrency,
        target: topology.target,
        seed: seeded,
        signal: controller.signal,
        progress: log,
        // No containers on loopback: the process logs are in target.logFiles instead.
        logSource: null,
      });
      if (!summaryPassed(last)) code = 1;
      const notRun = last.results.filter((r) => r.status === "SKIP" || r.status === "XFAIL");
      if (options.strict && notRun.length > 0) {
        log(`[local] --strict: ${notRun.map((r) => `${r.name} (${r.status}: ${r.message})`).join("; ")}`);
        code = 1;
      }
    }
  } catch (error) {
    code = 2;
    if (!(error instanceof Error && error.name === "AbortError")) {
      log(`[local] harness error: ${errorMessage(error)}`);
      if (!(error instanceof HarnessError) && error instanceof Error && error.stack) log(error.stack);
    }
  } finally {
    log("[local] tearing down");
    try {
      await teardown.run(log);
    } catch (error) {
      log(`[local] ${errorMessage(error)}`);
      if (code === 0) code = 2;
    }
    log(`[local] done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  if (controller.signal.aborted) code = 130;
  if (last) process.stdout.write(`${summaryLine(last)}\n`);
  return code;
}

void main().then((code) => process.exit(code));
