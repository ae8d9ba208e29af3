/**
 * `npm run harness` itself, on the real engine, in a scratch project directory (as a user runs it in
 * the repository root), with a tenant image built without GIT_SHA: exactly the buildinfo replay
 * fails (#2395, the stale-image bug class), the run exits 1 with the runner's summary as its last
 * line, and KEEP_UP=1 leaves the stack up. The toolchain's plain CLI then reads the CI contract with
 * `pulumi stack output --json --show-secrets` and tears the stack down with `pulumi destroy`: what
 * a person does after KEEP_UP, with no Node.js language host.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { after, test } from "node:test";
import { parse, stringify } from "yaml";
import { bundleService } from "../../program/images/bundle";
import { toolchainEnv } from "../../scripts/pulumi/toolchain";
import { docker, e2eConfig, labelled, PASSPHRASE, REPO_ROOT, toolchainCli } from "./test-support";

const run = promisify(execFile);
const TSX = pathToFileURL(require.resolve("tsx")).href;
const stack = `t${process.pid}-harness`;
const image = `harness-engine-fixture/tenant-no-git-sha:${stack}`;
const root = mkdtempSync(join(tmpdir(), "harness-project-"));

let pulumiEnv: NodeJS.ProcessEnv | undefined;
let pulumiBin: string | undefined;

after(async () => {
  // A failed assertion must not leave the kept-up stack behind.
  if (pulumiBin && (await labelled(`harness/${stack}`)).length > 0) {
    await run(pulumiBin, ["destroy", "--yes", "--stack", stack], { cwd: root, env: pulumiEnv }).catch(
      () => undefined,
    );
  }
  await docker
    .getImage(image)
    .remove({ force: true })
    .catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

function harness(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", TSX, join(REPO_ROOT, "scripts", "one-shot.ts")], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

test(
  "npm run harness on the real engine: a stale tenant, KEEP_UP, then the plain CLI",
  { timeout: 20 * 60_000 },
  async (t) => {
    // A prebuilt reference tenant built without GIT_SHA: its /buildinfo says `dev` (the arg is not
    // threaded into the build), which the buildinfo replay fails everywhere, CI or not.
    bundleService("tenant", REPO_ROOT);
    await run("docker", [
      "build",
      "-q",
      "--no-cache",
      "-t",
      image,
      "--build-arg",
      "NODE_BASE=harness-local/node:20",
      join(REPO_ROOT, "reference-tenant"),
    ]);

    // The project as the repository root holds it; the state in the project (backend file://.).
    const project = parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    delete project.main; // no index.ts here: the harness runs the program inline
    writeFileSync(join(root, "Pulumi.yaml"), stringify(project));
    mkdirSync(join(root, ".pulumi"));
    writeFileSync(
      join(root, `Pulumi.${stack}.yaml`),
      stringify({
        config: e2eConfig({
          "harness:tenantImage": { image, healthcheck: "image" },
          "harness:gitSha": "expected-sha",
        }),
      }),
    );

    const cli = await toolchainCli();
    pulumiBin = cli.toolchain!.pulumi;
    pulumiEnv = {
      ...process.env,
      ...toolchainEnv(cli.toolchain!),
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    const env = pulumiEnv;

    const first = await harness({ HARNESS_STACK: stack, KEEP_UP: "1", PATH: "/usr/local/bin:/usr/bin:/bin" });
    t.diagnostic(first.stderr.split("\n").slice(-18).join("\n"));
    assert.equal(first.code, 1, "exit 1: a replay failed");
    assert.match(first.stderr, /FAIL {2}buildinfo-stale-image \(#2395\).* — /);
    const lines = first.stderr.trim().split("\n");
    assert.match(lines.at(-1)!, /^\d+ passed, 1 failed, 0 skipped$/, "the runner's summary is the last line");
    assert.match(first.stderr, /KEEP_UP=1: stack .* stays up/);
    assert.ok((await labelled(`harness/${stack}`)).length > 0, "the stack stays up");

    // What a person does next, with the toolchain's own CLI: read the contract, tear it down.
    const output = await run(
      cli.toolchain!.pulumi,
      ["stack", "output", "--json", "--show-secrets", "--stack", stack],
      {
        cwd: root,
        env,
      },
    );
    const outputs = JSON.parse(output.stdout) as Record<string, unknown>;
    assert.equal(outputs.replaysPassed, false);
    const tokens = outputs.adminTokens as Record<string, string>;
    assert.ok(
      Object.values(tokens).every((v) => v.length >= 32),
      "--show-secrets shows the admin tokens",
    );
    assert.match(String(outputs.edgeUrl), /^http:\/\/127\.0\.0\.1:\d+$/);

    await run(cli.toolchain!.pulumi, ["destroy", "--yes", "--stack", stack], { cwd: root, env });
    assert.deepEqual(await labelled(`harness/${stack}`), [], "pulumi destroy leaves nothing");
  },
);
