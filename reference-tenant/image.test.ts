/**
 * The image's contents without Docker: the bundle program/images/bundle.ts produces runs as the container
 * would (`node entrypoint.js`), a GIT_SHA file next to it wins over the environment, and the
 * Dockerfile keeps the contract the harness relies on.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { bundleService } from "../program/images/bundle";
import { freePort } from "../tools/loopback/free-port";
import { waitUntil } from "../tools/loopback/process";
import { admin, call, startBackends, tenantEnv, type Backends } from "./src/test-support/index";

const REPO = join(__dirname, "..");
let backends: Backends;
let root: string;

before(async () => {
  backends = await startBackends();
  // Bundle into a scratch root (sources linked in) so the repo's reference-tenant/dist is left alone.
  root = mkdtempSync(join(tmpdir(), "tenant-bundle-"));
  mkdirSync(join(root, "reference-tenant"));
  mkdirSync(join(root, "program", "images"), { recursive: true });
  symlinkSync(join(REPO, "reference-tenant", "src"), join(root, "reference-tenant", "src"));
  copyFileSync(
    join(REPO, "program", "images", "healthcheck.cjs"),
    join(root, "program", "images", "healthcheck.cjs"),
  );
  bundleService("tenant", root);
});

after(async () => {
  rmSync(root, { recursive: true, force: true });
  await backends?.stop();
});

test("the bundle runs as the image does; a baked GIT_SHA wins over the environment", async () => {
  const dist = join(root, "reference-tenant", "dist");
  writeFileSync(join(dist, "GIT_SHA"), "baked-sha\n");
  const [port, canvasPort] = [await freePort(), await freePort()];
  const env = tenantEnv(backends, {
    PORT: String(port),
    CANVAS_PORT: String(canvasPort),
    GIT_SHA: "from-env",
  });
  const child = spawn(process.execPath, [join(dist, "entrypoint.js")], {
    env: { PATH: process.env.PATH, ...env },
    stdio: "ignore",
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      "bundled tenant /health",
      async () => (await call(base, "GET", "/health")).status === 200,
      {
        timeoutMs: 30_000,
        process: { exited },
      },
    );
    assert.deepEqual((await call(base, "GET", "/buildinfo")).json(), { git_sha: "baked-sha" });
    const echoed = await call(base, "GET", "/__canvas/request", { headers: admin() });
    assert.equal(echoed.status, 200);
    assert.equal(echoed.json<{ headers: Record<string, string> }>().headers.authorization, undefined);
    const healthcheck = spawn(process.execPath, [join(dist, "healthcheck.js"), `${base}/health`]);
    assert.equal(await new Promise((resolve) => healthcheck.on("exit", resolve)), 0);
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0);
});

test("the Dockerfile keeps the harness's image contract", () => {
  const dockerfile = readFileSync(join(REPO, "reference-tenant", "Dockerfile"), "utf8");
  const lines = dockerfile.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
  assert.equal(lines[0], "ARG NODE_BASE=node:20-bookworm-slim");
  assert.equal(lines[1], "FROM ${NODE_BASE}");
  assert.ok(lines.includes("ARG GIT_SHA=dev"));
  assert.ok(lines.includes("COPY dist/ /app/"));
  assert.ok(
    lines.some((l) => /^RUN .*GIT_SHA.*> \/app\/GIT_SHA/.test(l)),
    "GIT_SHA baked into /app/GIT_SHA",
  );
  assert.ok(!lines.some((l) => /^ENV .*GIT_SHA/.test(l)), "never an ENV a container could override");
  assert.ok(lines.includes("USER 10001:10001"));
  assert.ok(lines.includes("EXPOSE 8080"));
  assert.ok(
    lines.includes(
      'HEALTHCHECK --interval=2s --timeout=2s --retries=30 CMD ["node","/app/healthcheck.js","http://127.0.0.1:8080/health"]',
    ),
  );
  assert.ok(lines.includes('CMD ["node","/app/entrypoint.js"]'));
  assert.equal(
    lines[2],
    "ARG HARNESS_REBUILD",
    "the program's rebuild nonce invalidates every layer after FROM",
  );
  assert.ok(
    !lines.some((l) => /^LABEL /.test(l)),
    "no labels baked in: the build labels the image with the stack and role (components/local-image.ts)",
  );
  assert.ok(
    !lines.some((l) => /npm|apt-get|curl|wget|git /.test(l)),
    "nothing in the build reaches the network",
  );
  const ignore = readFileSync(join(REPO, "reference-tenant", ".dockerignore"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"));
  assert.deepEqual(ignore, ["*", "!Dockerfile", "!dist"]);
});
