/**
 * The entrypoint as a process, as `npm run tenant` runs it: API and canvas children, the canvas
 * reached through the API, and the container-style lifecycle (first child to die ends it all).
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { freePort } from "../../tools/loopback/free-port";
import { waitUntil } from "../../tools/loopback/process";
import { admin, call, startBackends, tenantEnv, type Backends } from "./test-support/index";

const REPO = join(__dirname, "..", "..");
const TSX = join(REPO, "node_modules", ".bin", "tsx");
let backends: Backends;

before(async () => {
  backends = await startBackends();
});

after(async () => {
  await backends?.stop();
});

interface Running {
  child: ChildProcess;
  base: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function startEntrypoint(extra: NodeJS.ProcessEnv = {}): Promise<Running> {
  const [apiPort, canvasPort] = [await freePort(), await freePort()];
  const env = tenantEnv(backends, {
    PORT: String(apiPort),
    CANVAS_PORT: String(canvasPort),
    LOG_LEVEL: "warn",
    ...extra,
  });
  const child = spawn(TSX, [join(REPO, "reference-tenant/src/entrypoint.ts")], {
    cwd: REPO,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const base = `http://127.0.0.1:${apiPort}`;
  await waitUntil(
    "tenant entrypoint /health",
    async () => (await call(base, "GET", "/health")).status === 200,
    { timeoutMs: 30_000, process: { exited } },
  );
  return { child, base, stderr: () => stderr, exited };
}

function pidOf(stderr: string, key: "api_pid" | "canvas_pid"): number {
  const line = stderr.split("\n").find((l) => l.includes('"entrypoint: started"'));
  assert.ok(line, `no start line in:\n${stderr}`);
  return (JSON.parse(line) as Record<string, number>)[key];
}

test("serves /health and the canvas through the API; killing the canvas ends it with that code", async () => {
  const run = await startEntrypoint();
  try {
    const canvas = await call(run.base, "GET", "/__canvas/request", {
      headers: admin({ cookie: "session=s", "x-request-id": "e2e" }),
    });
    assert.equal(canvas.status, 200, "CANVAS_PROXY_URL defaulted to the canvas child");
    const seen = canvas.json<{ headers: Record<string, string> }>().headers;
    assert.equal(seen.authorization, undefined);
    assert.equal(seen.cookie, undefined);
    assert.equal(seen["x-request-id"], "e2e");

    process.kill(pidOf(run.stderr(), "canvas_pid"), "SIGKILL");
    assert.equal(await run.exited, 137, "128 + SIGKILL, the code of the child that died first");
    await assert.rejects(call(run.base, "GET", "/health"), "the API child was stopped too");
  } finally {
    run.child.kill("SIGKILL");
  }
});

test("CANVAS_PROXY_URL=http://localhost:<port>, as the Pulumi program sets it, reaches the canvas", async () => {
  const canvasPort = await freePort();
  const run = await startEntrypoint({
    CANVAS_PORT: String(canvasPort),
    CANVAS_PROXY_URL: `http://localhost:${canvasPort}`,
  });
  try {
    const page = await call(run.base, "GET", "/does-not-exist", { headers: admin() });
    assert.equal(page.status, 200);
    assert.match(page.text, /Molecule canvas/);
  } finally {
    run.child.kill("SIGTERM");
    await run.exited;
  }
});

test("an API that exits (boot failure) ends the entrypoint with its code", async () => {
  const env = tenantEnv(backends);
  const child = spawn(TSX, [join(REPO, "reference-tenant/src/entrypoint.ts")], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH,
      ...env,
      SECRETS_ENCRYPTION_KEY: "short",
      CANVAS_PORT: String(await freePort()),
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.equal(code, 1);
  assert.match(stderr, /tenant: boot failed: invalid configuration/);
  assert.match(stderr, /entrypoint: api exited first/);
});

test("SIGTERM stops both children and exits 0", async () => {
  const run = await startEntrypoint();
  const canvasPid = pidOf(run.stderr(), "canvas_pid");
  run.child.kill("SIGTERM");
  assert.equal(await run.exited, 0);
  assert.throws(() => process.kill(canvasPid, 0), /ESRCH/, "the canvas child is gone");
});
