/**
 * The end-to-end driver (PROJECT-SPEC §9, L5) — a TEST DRIVER for machines without the Pulumi CLI,
 * not the product path (`npm run harness` / `pulumi up` are). It runs index.ts under `setMocks` with
 * mocks that create every declared resource on a real Docker engine, reads the outputs, asserts the
 * replays, and destroys in reverse order. See e2e/README.md. Usage: args.ts.
 */
import { resolve } from "node:path";
import { onTerminationSignal } from "../scripts/signals";
import { parseCli, UsageError, USAGE } from "./args";
import { dockerClient } from "./docker-ops/client";
import { downStacks } from "./down";
import { stderrLog } from "./log";
import { writeSecretJson } from "./outputs";
import { EXIT, runStack } from "./run-stack";
import { preflight, runCases } from "./test-command";

const REPO_ROOT = resolve(__dirname, "..");

// A parent that died (e.g. a test runner stopped by the same Ctrl-C) must not crash the teardown
// with EPIPE on a progress line: losing the line is fine, losing the teardown is not.
process.stderr.on("error", () => undefined);

async function main(argv: string[]): Promise<number> {
  let request;
  try {
    request = parseCli(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return EXIT.harnessFailed;
  }
  const log = stderrLog();
  const docker = dockerClient();
  switch (request.command) {
    case "run": {
      const report = await runStack(request, {
        docker,
        log,
        repoRoot: REPO_ROOT,
        onSignal: onTerminationSignal,
      });
      if (request.report) writeSecretJson(request.report, report);
      log.info(
        `result: ${report.result} (exit ${report.exitCode})${report.error ? `: ${report.error.split("\n")[0]}` : ""}`,
      );
      return report.exitCode;
    }
    case "down":
      return downStacks(request.stacks, { docker, log, repoRoot: REPO_ROOT });
    case "test": {
      const problem = await preflight(docker, REPO_ROOT);
      if (problem) {
        log.warn(problem);
        return EXIT.harnessFailed;
      }
      if (process.env.KEEP_UP === "1") {
        log.info(
          "KEEP_UP=1: booting the default stack e2e and leaving it up (the other cases tear down by design: run without KEEP_UP for them)",
        );
        return main(["run", "--stack", "e2e", "--keep-up"]);
      }
      return runCases(REPO_ROOT, log);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[e2e] driver error: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(EXIT.harnessFailed);
  },
);
