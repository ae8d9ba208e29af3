/**
 * The image contract: the Dockerfile, .dockerignore and placeholder config agree with what the
 * Pulumi program uses from image.ts, and the healthcheck command really tells a listening nginx.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { request } from "undici";
import { freePort } from "../tools/loopback/free-port";
import { makeNginxPrefix, startNginx, testNginxConfig } from "../tools/loopback/nginx";
import { EDGE_CONFIG_PATH, EDGE_CONTAINER_PORT, EDGE_HEALTHCHECK, edgeHealthcheckTest } from "./image";
import { EDGE_DEFAULTS } from "./options";
import { renderNginxConf } from "./render";
import { startRecordingUpstream } from "./test-support/recording-upstream";

const run = promisify(execFile);
const here = (file: string) => readFileSync(join(__dirname, file), "utf8");

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(dockerfile: string): string[] {
  return dockerfile
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/** The placeholder config, moved to a free loopback port and temp pid/log paths. */
function placeholderOnLoopback(port: number, prefix: string): string {
  return here("unconfigured.nginx.conf")
    .replace("listen 8080 default_server;", `listen 127.0.0.1:${port} default_server;`)
    .replace("pid /tmp/nginx-unconfigured.pid;", `pid ${join(prefix, "unconfigured.pid")};`)
    .replace("access_log /dev/stdout;", "access_log off;");
}

/** Runs a healthcheck test the way Docker runs CMD-SHELL: `sh -c <command>`; true when it exits 0. */
async function healthy(check: string[]): Promise<boolean> {
  assert.equal(check[0], "CMD-SHELL");
  return run("sh", ["-c", check[1]]).then(
    () => true,
    () => false,
  );
}

test("Dockerfile: configurable nginx base, placeholder config, port, healthcheck and command match image.ts", () => {
  const lines = instructions(here("Dockerfile"));
  assert.equal(lines[0], "ARG NGINX_BASE=nginx:1.27-alpine");
  assert.equal(lines[1], "FROM ${NGINX_BASE}");
  assert.ok(lines.includes(`COPY unconfigured.nginx.conf ${EDGE_CONFIG_PATH}`));
  assert.ok(lines.includes(`EXPOSE ${EDGE_CONTAINER_PORT}`));
  assert.equal(EDGE_DEFAULTS.listen, String(EDGE_CONTAINER_PORT));
  const healthcheck = lines.find((l) => l.startsWith("HEALTHCHECK "));
  assert.ok(healthcheck, "no HEALTHCHECK");
  assert.equal(healthcheck.slice(healthcheck.indexOf(" CMD ") + 5), EDGE_HEALTHCHECK[1]);
  assert.equal(EDGE_HEALTHCHECK[0], "CMD-SHELL");
  assert.ok(EDGE_HEALTHCHECK[1].includes(EDGE_DEFAULTS.pidPath));
  assert.ok(lines.includes('CMD ["nginx", "-g", "daemon off;"]'));
  assert.ok(!lines.some((l) => /^RUN\b/.test(l)), "a RUN step could need the network");
});

test(".dockerignore: the context sends only what the Dockerfile copies", () => {
  const rules = here(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  assert.equal(rules[0], "*", "everything is excluded first");
  const copied = instructions(here("Dockerfile"))
    .filter((l) => l.startsWith("COPY "))
    .map((l) => l.split(/\s+/)[1]);
  assert.deepEqual(
    rules.slice(1),
    copied.map((f) => `!${f}`),
  );
});

test("placeholder config: valid, answers every request 503 + JSON, and its pid is not the probed one", async () => {
  const pid = /^pid (.+);$/m.exec(here("unconfigured.nginx.conf"))?.[1];
  assert.ok(pid !== undefined && pid !== EDGE_DEFAULTS.pidPath, `placeholder pid ${pid} would turn healthy`);
  const port = await freePort();
  const prefix = makeNginxPrefix();
  const conf = placeholderOnLoopback(port, prefix);
  await testNginxConfig(conf, prefix);
  const nginx = await startNginx(conf, [port], prefix);
  try {
    const res = await request(`http://127.0.0.1:${port}/anything`, {
      headers: { host: "harness-tenant.localhost" },
    });
    assert.equal(res.statusCode, 503);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
    const body = (await res.body.json()) as Record<string, unknown>;
    assert.equal(body.error, "edge_not_configured");
    assert.match(String(body.message), new RegExp(EDGE_CONFIG_PATH));
  } finally {
    await nginx.stop();
  }
});

test("healthcheck: fails before nginx runs, passes once the rendered edge listens, fails after it stops", async () => {
  const upstream = await startRecordingUpstream("alpha");
  const port = await freePort();
  const prefix = makeNginxPrefix();
  const pidPath = join(prefix, "nginx.pid");
  const check = edgeHealthcheckTest(pidPath);
  const conf = renderNginxConf({
    tenants: [{ name: "alpha", upstream: upstream.address }],
    listen: `127.0.0.1:${port}`,
    pidPath,
    accessLog: null,
  });
  try {
    assert.equal(await healthy(check), false, "healthy with no nginx");
    const nginx = await startNginx(conf, [port], prefix);
    try {
      assert.equal(await healthy(check), true, "not healthy while nginx listens");
    } finally {
      await nginx.stop();
    }
    assert.equal(await healthy(check), false, "still healthy after nginx stopped");
  } finally {
    await upstream.close();
  }
});

test("healthcheck command refuses a pid path a shell would interpret", () => {
  assert.throws(() => edgeHealthcheckTest("/tmp/$(reboot).pid"), /not a plain absolute path/);
  assert.deepEqual(edgeHealthcheckTest(), [...EDGE_HEALTHCHECK]);
  assert.ok(Object.isFrozen(EDGE_HEALTHCHECK));
});
