/**
 * The entry point as a process: env handling, one log line per request, graceful exit 0 on
 * SIGTERM/SIGINT — once through tsx (npm run cp-stub) and once as the bundle the image runs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { request } from "undici";
import { bundleService, REPO_ROOT } from "../../program/images/bundle";
import { freePort } from "../../tools/loopback/free-port";
import { startProcess, waitUntil, type ManagedProcess } from "../../tools/loopback/process";

// The started processes' logs, removed when the file ends.
const scratch = mkdtempSync(join(tmpdir(), "cp-stub-main-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const TSX = join(REPO_ROOT, "node_modules", ".bin", "tsx");
const MAIN_TS = join(REPO_ROOT, "cp-stub", "src", "main.ts");

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await request(url);
  return { status: res.statusCode, text: await res.body.text() };
}

async function boot(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ proc: ManagedProcess; base: string; logFile: string }> {
  const port = await freePort();
  const logFile = join(mkdtempSync(join(scratch, "run-")), "out.log");
  const proc = startProcess(command, args, logFile, {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", ...env },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntil("cp-stub /healthz", async () => (await get(`${base}/healthz`)).status === 200, {
    process: proc,
  });
  return { proc, base, logFile };
}

/** Sends `signal` and returns the exit code, failing the test (and killing) if it does not exit. */
async function stopWith(proc: ManagedProcess, signal: NodeJS.Signals): Promise<number | null> {
  proc.child.kill(signal);
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 15_000).unref());
  const code = await Promise.race([proc.exited, timeout]);
  if (code === "timeout") {
    await proc.stop(0);
    assert.fail(`cp-stub did not exit within 15 s of ${signal}`);
  }
  return code;
}

test("tsx cp-stub/src/main.ts: serves on PORT, uses CP_STUB_PUBLIC_URL, logs requests, exits 0 on SIGTERM", async () => {
  const { proc, base, logFile } = await boot(TSX, [MAIN_TS], { CP_STUB_PUBLIC_URL: "http://stub.test:7000" });
  try {
    const prov = await request(`${base}/cp/workspaces/provision`, {
      method: "POST",
      body: '{"workspace_id":"w9"}',
    });
    assert.equal(prov.statusCode, 201);
    assert.equal(
      await prov.body.text(),
      '{"instance_id":"mol-ws-w9","state":"running","workspace_id":"w9","url":"http://stub.test:7000/cp/workspaces/w9"}\n',
    );
    assert.equal((await get(`${base}/nope`)).text, "404 page not found\n");
  } finally {
    assert.equal(await stopWith(proc, "SIGTERM"), 0);
  }
  const log = readFileSync(logFile, "utf8");
  assert.match(log, /cp-stub listening on 127\.0\.0\.1:\d+ \(public URL http:\/\/stub\.test:7000\)/);
  assert.match(log, /^\S+Z POST \/cp\/workspaces\/provision 201 \d+ms$/m);
  assert.match(log, /^\S+Z GET \/nope 404 \d+ms$/m);
  assert.doesNotMatch(log, /GET \/healthz/, "healthchecks are not logged");
  assert.match(log, /SIGTERM received, closing/);
});

test("tsx cp-stub/src/main.ts: SIGINT also exits 0", async () => {
  const { proc } = await boot(TSX, [MAIN_TS], {});
  assert.equal(await stopWith(proc, "SIGINT"), 0);
});

test("main.ts: a bad PORT or public URL exits 2 with the reason", () => {
  const badPort = spawnSync(TSX, [MAIN_TS], { env: { ...process.env, PORT: "http" }, encoding: "utf8" });
  assert.equal(badPort.status, 2);
  assert.match(badPort.stderr, /cp-stub: PORT must be a TCP port number \(0-65535\); got "http"/);
  const badUrl = spawnSync(TSX, [MAIN_TS], {
    env: { ...process.env, PORT: "0", CP_STUB_PUBLIC_URL: "cp-stub:9090" },
    encoding: "utf8",
  });
  assert.equal(badUrl.status, 2);
  assert.match(badUrl.stderr, /CP_STUB_PUBLIC_URL must be an http\(s\) URL/);
});

test("bundled dist/main.js (what the image runs) serves, passes its healthcheck, exits 0 on SIGTERM", async () => {
  bundleService("cp-stub");
  const dist = join(REPO_ROOT, "cp-stub", "dist");
  const { proc, base } = await boot(process.execPath, [join(dist, "main.js")], {});
  try {
    assert.equal((await get(`${base}/cp/auth/me`)).status, 200);
    const healthy = spawnSync(process.execPath, [join(dist, "healthcheck.js"), `${base}/healthz`]);
    assert.equal(healthy.status, 0);
    const unhealthy = spawnSync(process.execPath, [join(dist, "healthcheck.js"), `${base}/nope`]);
    assert.equal(unhealthy.status, 1);
  } finally {
    assert.equal(await stopWith(proc, "SIGTERM"), 0);
  }
});
