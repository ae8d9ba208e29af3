/**
 * What the bench needs before it measures anything: the Pulumi toolchain (`npm run pulumi:toolchain`:
 * its CLI and its docker and command plugins, nothing from PATH, so the numbers name the versions
 * they were taken with), a reachable Docker engine, the local base images of the e2e stack config,
 * and docker-compose (1.27 or later: the anchor-semantics baseline, tools/bench/baseline.ts). A missing one
 * is one line saying what to do (the bench then exits 2); nothing is skipped.
 */
import type Docker from "dockerode";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { assertDockerReachable } from "../../program/lib/docker-api/client";
import { findPulumiCli, type PulumiCli } from "../../scripts/pulumi/engine";
import { toolchainCacheRoot, type Stamp } from "../../scripts/pulumi/toolchain";

/** The `config` of the e2e stack file (local base images, free ports, classic builder). */
export function e2eStackConfig(repoRoot: string): Record<string, unknown> {
  const file = parse(readFileSync(join(repoRoot, "Pulumi.e2e.yaml"), "utf8")) as {
    config?: Record<string, unknown>;
  };
  return { ...(file.config ?? {}) };
}

/** What the numbers were taken with (the toolchain's stamp, and what the CLI says it is). */
export interface EngineVersions {
  cli: string;
  /** `pulumi version` of the CLI that ran (the stamp's CLI version, unless the build is off). */
  cliReported: string;
  plugins: { docker: string; command: string };
  toolchain: string;
  go: string;
}

export type Preflight =
  { ok: true; cli: PulumiCli; engine: EngineVersions; compose: string } | { ok: false; problem: string };

/** The docker-compose the baseline runs (Debian's 1.29 here; a v2 standalone binary works too). */
export const COMPOSE = "docker-compose";

/** `docker-compose version --short`, or undefined when it does not run. */
export function composeVersion(): string | undefined {
  const r = spawnSync(COMPOSE, ["version", "--short"], { encoding: "utf8", timeout: 30_000 });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.trim() || undefined;
}

/** 1.27+ (`depends_on` conditions in the 2.x file format, network names and labels) or any v2. */
export function composeSupported(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major >= 2 || (major === 1 && minor >= 27);
}

export async function preflight(docker: Docker, repoRoot: string): Promise<Preflight> {
  // PATH hidden: the toolchain's CLI, not whatever `pulumi` the machine has.
  const cli = await findPulumiCli(repoRoot, { ...process.env, PATH: "/nonexistent" }).catch(() => undefined);
  if (!cli?.toolchain) {
    return {
      ok: false,
      problem: `the bench runs on the real Pulumi engine and needs its toolchain, which is not built for this checkout under ${toolchainCacheRoot(process.env)} (or its CLI does not run): run \`npm run pulumi:toolchain\` (Go ≥ 1.26) first`,
    };
  }
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(join(cli.toolchain.dir, "toolchain.json"), "utf8")) as Stamp;
  } catch (error) {
    return {
      ok: false,
      problem: `the toolchain's stamp is unreadable (${(error as Error).message}): rebuild it with \`npm run pulumi:toolchain\``,
    };
  }
  try {
    await assertDockerReachable(docker);
  } catch (error) {
    return { ok: false, problem: `the bench needs Docker: ${(error as Error).message}` };
  }
  const bases = (e2eStackConfig(repoRoot)["harness:baseImages"] ?? {}) as Record<string, string>;
  const missing: string[] = [];
  for (const ref of Object.values(bases)) {
    try {
      await docker.getImage(ref).inspect();
    } catch {
      missing.push(ref);
    }
  }
  if (missing.length > 0) {
    return {
      ok: false,
      problem: `the e2e stack's base images are missing (${missing.join(", ")}): build them with \`npm run base-images\` (scripts/base-images.sh; needs root and debootstrap for the first one)`,
    };
  }
  const compose = composeVersion();
  if (!compose) {
    return {
      ok: false,
      problem: `the bench measures the anchor-semantics baseline with ${COMPOSE}, which does not run here: install it (\`sudo apt-get install -y docker-compose\`, 1.27 or later) or put it on PATH`,
    };
  }
  if (!composeSupported(compose)) {
    return {
      ok: false,
      problem: `${COMPOSE} ${compose} is too old for the anchor-semantics baseline (its depends_on health conditions need 1.27 or later): install a newer one (\`sudo apt-get install -y docker-compose\` on Debian 12 gives 1.29)`,
    };
  }
  return {
    ok: true,
    compose,
    cli,
    engine: {
      cli: stamp.cliVersion,
      cliReported: cli.version,
      plugins: stamp.plugins,
      toolchain: stamp.key,
      go: stamp.goVersion,
    },
  };
}
