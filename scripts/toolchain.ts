/**
 * `npm run pulumi:toolchain`: builds the Pulumi CLI and the docker and command provider plugins from
 * their Go modules (the wrapper modules in tools/toolchain/, tools/toolchain/README.md), into a cache outside the
 * repository (scripts/pulumi/toolchain.ts), installs the plugins into the toolchain's own
 * PULUMI_HOME under the versions the npm SDKs request, and checks the result: `pulumi version`, and
 * each plugin found and answering with no download attempted.
 *
 * Idempotent: when the build for this checkout exists, it says so and exits (well under a second).
 * `--force` rebuilds. Exit 0 built or up to date, 1 a step failed (its output is printed), 2 bad usage
 * or no Go. Env: HARNESS_TOOLCHAIN_DIR (cache root), GOFLAGS/GOPROXY/GOMODCACHE/GOCACHE as usual.
 */
import { spawn } from "node:child_process";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  findToolchain,
  toolchainAt,
  toolchainCacheRoot,
  toolchainEnv,
  toolchainSpec,
  type Stamp,
  type Toolchain,
} from "./pulumi/toolchain";

const repoRoot = resolve(__dirname, "..");
const started = Date.now();
const log = (line: string) =>
  process.stderr.write(`[toolchain +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

interface Run {
  code: number | null;
  stdout: string;
  /** stdout and stderr as they came. */
  output: string;
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
      output += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", (error) => done({ code: 127, stdout, output: `${output}${error.message}\n` }));
    child.on("close", (code) => done({ code, stdout, output }));
  });
}

class StepFailed extends Error {}

async function step(steps: Stamp["steps"], name: string, fn: () => Promise<void>): Promise<void> {
  const at = Date.now();
  log(`${name} …`);
  await fn();
  const seconds = Math.round((Date.now() - at) / 100) / 10;
  steps.push({ name, seconds });
  log(`${name}: done in ${seconds} s`);
}

async function must(
  what: string,
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new StepFailed(`${what} failed (exit ${r.code}): ${cmd} ${args.join(" ")}\n${r.output.trimEnd()}`);
  }
  return r.stdout;
}

async function build(t: Toolchain, goVersion: string): Promise<Stamp> {
  const steps: Stamp["steps"] = [];
  const scratch = `${t.dir}.build-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  const bin = join(scratch, "bin");
  const work = join(scratch, "work");
  mkdirSync(bin, { recursive: true });
  mkdirSync(work, { recursive: true });
  // Only module-proxy downloads; go.sum is committed and must not change.
  const goEnv = {
    ...process.env,
    CGO_ENABLED: "0",
    GOFLAGS: `${process.env.GOFLAGS ?? ""} -mod=readonly`.trim(),
  };
  const mod = (name: string) => join(repoRoot, "tools", "toolchain", name);
  const ldflags = (...x: string[]) => [
    "-trimpath",
    "-ldflags",
    ["-s", "-w", ...x.flatMap((v) => ["-X", v])].join(" "),
  ];

  try {
    // The three builds share the module and build caches; run side by side, they keep both cores busy.
    await Promise.all([
      step(steps, `pulumi ${t.cliVersion} (CLI)`, () =>
        must(
          "building the CLI",
          "go",
          [
            "build",
            "-tags",
            "osusergo,grpcnotrace",
            ...ldflags(`github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${t.cliVersion}`),
            "-o",
            join(bin, "pulumi"),
            "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
          ],
          { cwd: mod("cli"), env: goEnv },
        ).then(() => undefined),
      ),
      step(steps, `pulumi-resource-command ${t.plugins.command}`, () =>
        must(
          "building the command provider",
          "go",
          [
            "build",
            ...ldflags(`main.version=${t.plugins.command}`),
            "-o",
            join(bin, "pulumi-resource-command"),
            "./cmd/pulumi-resource-command",
          ],
          { cwd: mod("command"), env: goEnv },
        ).then(() => undefined),
      ),
      step(steps, `pulumi-resource-docker ${t.plugins.docker}`, async () => {
        const dockerEnv = { ...goEnv, GOFLAGS: `${goEnv.GOFLAGS} -tags=no_compose` };
        await must(
          "building the schema generator",
          "go",
          ["build", "-o", join(work, "gen-schema"), "./cmd/gen-schema"],
          {
            cwd: mod("docker"),
            env: dockerEnv,
          },
        );
        const upstream = (
          await must(
            "locating the upstream docker provider module",
            "go",
            ["list", "-m", "-f", "{{.Dir}}", "github.com/terraform-providers/terraform-provider-docker"],
            { cwd: mod("docker"), env: dockerEnv },
          )
        ).trim();
        const schema = await run(join(work, "gen-schema"), [t.plugins.docker, upstream]);
        if (schema.code !== 0) throw new StepFailed(`generating the docker schema failed:\n${schema.output}`);
        const schemaFile = join(work, "schema.json");
        JSON.parse(schema.stdout); // fails loudly on anything but one JSON document
        writeFileSync(schemaFile, schema.stdout);
        const overlay = join(work, "overlay.json");
        writeFileSync(
          overlay,
          JSON.stringify({
            Replace: { [join(mod("docker"), "cmd", "pulumi-resource-docker", "schema.json")]: schemaFile },
          }),
        );
        await must(
          "building the docker provider",
          "go",
          [
            "build",
            "-overlay",
            overlay,
            ...ldflags(`main.version=${t.plugins.docker}`),
            "-o",
            join(bin, "pulumi-resource-docker"),
            "./cmd/pulumi-resource-docker",
          ],
          { cwd: mod("docker"), env: dockerEnv },
        );
      }),
    ]);

    const home = join(scratch, "home");
    const cliEnv = { ...process.env, PULUMI_HOME: home, PULUMI_SKIP_UPDATE_CHECK: "true" };
    await step(steps, "install the plugins into the toolchain's PULUMI_HOME", async () => {
      for (const [name, version] of Object.entries(t.plugins)) {
        await must(
          `installing ${name} ${version}`,
          join(bin, "pulumi"),
          ["plugin", "install", "resource", name, version, "--file", join(bin, `pulumi-resource-${name}`)],
          { env: cliEnv },
        );
      }
    });
    rmSync(work, { recursive: true, force: true });
    return { ...t, builtAt: new Date().toISOString(), goVersion, steps, dir: undefined } as unknown as Stamp;
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
}

/** `pulumi version` is the expected one, and each plugin is found and answers, with no download. */
async function selfCheck(t: Toolchain): Promise<void> {
  const env = { ...process.env, ...toolchainEnv(t), PULUMI_SKIP_UPDATE_CHECK: "true" };
  const version = (await must("pulumi version", t.pulumi, ["version"], { env })).trim();
  if (version !== t.cliVersion)
    throw new StepFailed(`pulumi version printed "${version}", expected ${t.cliVersion}`);
  log(`self-check: pulumi version → ${version}`);
  for (const [name, pluginVersion] of Object.entries(t.plugins)) {
    const schema = JSON.parse(
      await must(
        `loading the ${name} plugin`,
        t.pulumi,
        ["package", "get-schema", `${name}@${pluginVersion}`],
        { env },
      ),
    ) as { name: string; resources?: Record<string, unknown> };
    if (schema.name !== name)
      throw new StepFailed(`the ${name} plugin answered with package "${schema.name}"`);
    log(
      `self-check: plugin ${name} ${pluginVersion} found in the toolchain (no download): ${Object.keys(schema.resources ?? {}).length} resources`,
    );
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--force");
  if (unknown.length > 0) {
    process.stderr.write(
      `usage: npm run pulumi:toolchain [-- --force]\nunknown argument: ${unknown.join(" ")}\n`,
    );
    return 2;
  }
  const go = await run("go", ["env", "GOVERSION"]);
  if (go.code !== 0) {
    process.stderr.write(
      "[toolchain] Go is not installed (go env GOVERSION failed). Install Go ≥ 1.26, or install the official Pulumi CLI instead (https://www.pulumi.com/docs/install/).\n",
    );
    return 2;
  }
  const goVersion = go.output.trim();
  const spec = toolchainSpec(repoRoot);
  const root = toolchainCacheRoot(process.env);
  const existing = findToolchain(root, spec);
  if (existing && !args.includes("--force")) {
    log(
      `up to date: ${existing.dir} (pulumi ${spec.cliVersion}, docker ${spec.plugins.docker}, command ${spec.plugins.command})`,
    );
    return 0;
  }
  const t = toolchainAt(root, spec);
  log(`building into ${t.dir} (${goVersion}; Go modules from ${process.env.GOPROXY || "the default proxy"})`);
  mkdirSync(dirname(t.dir), { recursive: true });
  const scratch = `${t.dir}.build-${process.pid}`;
  try {
    const stamp = await build(t, goVersion);
    await selfCheck({
      ...t,
      dir: scratch,
      bin: join(scratch, "bin"),
      pulumi: join(scratch, "bin", "pulumi"),
      pulumiHome: join(scratch, "home"),
    });
    writeFileSync(
      join(scratch, "toolchain.json"),
      `${JSON.stringify({ ...stamp, key: spec.key }, null, 2)}\n`,
    );
    rmSync(t.dir, { recursive: true, force: true });
    renameSync(scratch, t.dir);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    if (error instanceof StepFailed) {
      log(`✗ ${error.message}`);
      return 1;
    }
    throw error;
  }
  log(`done: ${t.bin} (total ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  log(`use it directly: export PATH="${t.bin}:$PATH" PULUMI_HOME="${t.pulumiHome}"`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[toolchain] internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
