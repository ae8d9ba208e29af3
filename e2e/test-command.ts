/**
 * `npm run e2e` (L5): preflight (Docker reachable, the stand-in base images present — missing either is
 * a FAILURE with the fix, never a skip), then the e2e cases in tests/e2e/*.e2e.ts one file at a time
 * (each boots its own stacks; the two-stacks case runs two at once). With KEEP_UP=1: boot the default
 * stack `e2e`, assert, and leave it up (the cases all tear down by design, so they are not run).
 */
import type Docker from "dockerode";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import fg from "fast-glob";
import { stackConfig } from "../tests/pulumi/load-program";
import { assertDockerReachable } from "./docker-ops/client";
import type { Log } from "./log";

export const CASES_GLOB = "tests/e2e/*.e2e.ts";

/** Base images the e2e stack config names that are not on the engine. */
export async function missingBaseImages(
  docker: Docker,
  repoRoot: string,
  stackConfigName = "e2e",
): Promise<string[]> {
  const raw = stackConfig(stackConfigName, repoRoot)["harness:baseImages"];
  const refs = raw ? Object.values(JSON.parse(raw) as Record<string, string>) : [];
  const missing: string[] = [];
  for (const ref of refs) {
    try {
      await docker.getImage(ref).inspect();
    } catch {
      missing.push(ref);
    }
  }
  return missing;
}

export async function preflight(docker: Docker, repoRoot: string): Promise<string | undefined> {
  try {
    await assertDockerReachable(docker);
  } catch (error) {
    return `the e2e tier needs Docker and does not skip without it: ${(error as Error).message}`;
  }
  const missing = await missingBaseImages(docker, repoRoot);
  if (missing.length > 0) {
    return `the e2e stack's base images are missing (${missing.join(", ")}): build them with \`npm run base-images\` (scripts/base-images.sh; needs root and debootstrap for the first one)`;
  }
  return undefined;
}

export function runCases(repoRoot: string, log: Log): number {
  const files = fg.sync(CASES_GLOB, { cwd: repoRoot }).sort();
  if (files.length === 0) {
    log.warn(`no e2e cases match ${CASES_GLOB}`);
    return 2;
  }
  log.info(`e2e cases: ${files.join(", ")}`);
  const run = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      "--test-concurrency=1",
      "--test-reporter=spec",
      ...files.map((f) => join(repoRoot, f)),
    ],
    { cwd: repoRoot, stdio: "inherit" },
  );
  return run.status ?? 1;
}
