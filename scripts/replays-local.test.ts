/**
 * `npm run replays:local` as a user runs it: a process that boots the loopback topology, seeds, runs
 * replays, tears down on every path and exits with the runner's code, the summary line last on stdout.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";

const REPO_ROOT = resolve(__dirname, "..");
const API = join(REPO_ROOT, "runner", "api.ts");
const STACK = `rl-test-${process.pid}`;

after(() => {
  rmSync(join(REPO_ROOT, ".harness", STACK), { recursive: true, force: true });
  rmSync(join(REPO_ROOT, ".harness", "reports", STACK), { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** No CI markers and no step summary: this test's replays must not write into the CI job's summary. */
function quietEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ["CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"]) delete env[key];
  return env;
}

function replaysLocal(
  args: string[],
  onStderr?: (text: string, signal: (s: NodeJS.Signals) => void) => void,
) {
  return new Promise<Run>((done) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(__dirname, "replays-local.ts"), "--stack", STACK, ...args],
      {
        cwd: REPO_ROOT,
        env: quietEnv(),
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, (s) => child.kill(s));
    });
    child.on("exit", (code) => done({ code, stdout, stderr }));
  });
}

function refuses(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

/** Every loopback URL the script announced (edge, cp-stub, tenant APIs and canvases). */
function announced(stderr: string): string[] {
  return [...stderr.matchAll(/http:\/\/127\.0\.0\.1:\d+/g)].map((m) => m[0]);
}

test("replays:local: a bad flag is a harness error (exit 2) before anything boots", async () => {
  const run = await replaysLocal(["--bogus"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /harness error: .*bogus/);
  assert.doesNotMatch(run.stderr, /starting postgres/);
});

test("replays:local: runs the replays, exits 1 when one fails, prints the summary last and leaves nothing running", async () => {
  const dir = mkdtempSync(join(tmpdir(), "replays-local-test-"));
  try {
    const replays = join(dir, "replays");
    mkdirSync(replays);
    const replay = (body: string) =>
      `import { defineReplay } from ${JSON.stringify(API)};\nexport default defineReplay({ closes: null, proves: "x", async run(ctx) { ${body} } });\n`;
    writeFileSync(
      join(replays, "healthy.ts"),
      replay(`ctx.assert.expectStatus(await ctx.legacy.anon.get("/health"), 200);`),
    );
    writeFileSync(join(replays, "broken.ts"), replay(`ctx.assert.fail("the bug is here");`));
    const run = await replaysLocal(["--replays-dir", replays, "--tenants", "solo"]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, "1 passed, 1 failed, 0 skipped\n");
    assert.match(run.stderr, /FAIL: broken — the bug is here/);
    assert.match(run.stderr, /\[local\] tearing down/);
    const urls = announced(run.stderr);
    assert.ok(urls.length >= 4, `edge, cp-stub, API and canvas announced: ${urls.join(", ")}`);
    for (const url of urls) assert.ok(await refuses(url), `${url} is down after the run`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("replays:local: SIGINT while replays run stops them, tears everything down and exits 130", async () => {
  let sent = false;
  const run = await replaysLocal(
    ["--include", "peer-discovery-404", "--runs", "100", "--tenants", "solo"],
    (stderr, signal) => {
      if (!sent && stderr.includes("━━━ run 2 of 100")) {
        sent = true;
        signal("SIGINT");
      }
    },
  );
  assert.equal(sent, true, run.stderr);
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /SIGINT: stopping replays, then tearing down/);
  assert.match(run.stderr, /\[local\] done in/);
  for (const url of announced(run.stderr))
    assert.ok(await refuses(url), `${url} is down after the interrupt`);
});
