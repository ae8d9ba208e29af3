/**
 * The env-gated production layers end to end, on real postgres/redis and real upstream servers:
 * TenantGuard, the /cp/* proxy and its allowlist, the canvas fallback (credential stripping), rate
 * limiting, CORS, security headers, /metrics and the /ws upgrade path.
 */
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { createCanvasServer } from "./canvas";
import type { BootedTenant } from "./boot";
import { MISSING_ORG_HEADER_BODY } from "./guard";
import { startCp, type Cp } from "./test-support/cp";
import {
  ADMIN_TOKEN,
  admin,
  call,
  DEAD_URL,
  ORG_ID,
  org,
  startBackends,
  startTenant,
  tenantEnv,
  type Backends,
} from "./test-support/index";

let backends: Backends;
let cp: Cp;
let canvas: Server;
let canvasUrl: string;
let tenant: BootedTenant;
const extra: BootedTenant[] = [];

async function extraTenant(env: NodeJS.ProcessEnv): Promise<BootedTenant> {
  const t = await startTenant(env);
  extra.push(t);
  return t;
}

before(async () => {
  backends = await startBackends();
  cp = await startCp();
  canvas = createCanvasServer();
  await new Promise<void>((resolve) => canvas.listen(0, "127.0.0.1", resolve));
  canvasUrl = `http://127.0.0.1:${(canvas.address() as AddressInfo).port}`;
  tenant = await startTenant(
    tenantEnv(backends, { CP_UPSTREAM_URL: cp.url, CANVAS_PROXY_URL: canvasUrl, MOLECULE_CP_URL: cp.url }),
    { bakedGitSha: "abc123" },
  );
});

after(async () => {
  for (const t of [tenant, ...extra]) await t?.close();
  canvas?.closeAllConnections();
  await new Promise((resolve) => canvas?.close(resolve));
  await cp?.close();
  await backends?.stop();
});

describe("TenantGuard", () => {
  test("allowlisted probes answer without any header; they carry the security headers", async () => {
    const health = await call(tenant.url, "GET", "/health");
    assert.equal(health.status, 200);
    assert.deepEqual(health.json(), { status: "ok" });
    assert.equal(health.headers["x-frame-options"], "DENY");
    const build = await call(tenant.url, "GET", "/buildinfo");
    assert.equal(build.status, 200);
    assert.deepEqual(build.json(), { git_sha: "abc123" });
    assert.equal((await call(tenant.url, "GET", "/metrics")).status, 200);
  });

  test("no routing header → 400 TENANT_ORG_HEADER_REQUIRED, without security headers", async () => {
    const res = await call(tenant.url, "GET", "/workspaces", {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), MISSING_ORG_HEADER_BODY);
    assert.equal(res.json<{ code: string }>().code, "TENANT_ORG_HEADER_REQUIRED");
    assert.equal(res.json<{ required_header: string }>().required_header, "X-Molecule-Org-Id");
    assert.equal(res.headers["x-frame-options"], undefined, "aborted before the security-header middleware");
  });

  test("wrong org → 404 with an empty body that leaks nothing", async () => {
    const cases: Record<string, string>[] = [
      { authorization: `Bearer ${ADMIN_TOKEN}`, "x-molecule-org-id": "harness-org-beta" },
      { authorization: `Bearer ${ADMIN_TOKEN}`, "x-molecule-org-id": "not-the-right-org" },
      { "fly-replay-src": "state=harness-org-beta" },
    ];
    for (const headers of cases) {
      const res = await call(tenant.url, "GET", "/workspaces", { headers });
      assert.equal(res.status, 404);
      assert.equal(res.text, "");
      assert.doesNotMatch(res.text, /tenant|org|forbidden|denied/i);
      assert.equal(res.headers["x-frame-options"], undefined);
    }
  });

  test("matching org header or Fly-Replay-Src state passes", async () => {
    assert.equal((await call(tenant.url, "GET", "/workspaces", { headers: admin() })).status, 200);
    const replay = { authorization: `Bearer ${ADMIN_TOKEN}`, "fly-replay-src": `instance=x;state=${ORG_ID}` };
    assert.equal((await call(tenant.url, "GET", "/workspaces", { headers: replay })).status, 200);
  });

  test("the allowlist is exact: /health/debug is guarded (and then falls to the canvas)", async () => {
    assert.equal((await call(tenant.url, "GET", "/health/debug")).status, 400);
    assert.equal((await call(tenant.url, "GET", "/health/debug", { headers: org() })).status, 200);
  });

  test("same-origin canvas requests pass without the org header", async () => {
    const host = "harness-tenant-alpha.localhost";
    const viaOrigin = await call(tenant.url, "GET", "/__canvas/request", {
      headers: { host, origin: `https://${host}` },
    });
    assert.equal(viaOrigin.status, 200);
    const viaReferer = await call(tenant.url, "GET", "/some/page", {
      headers: { host, referer: `http://${host}/x` },
    });
    assert.equal(viaReferer.status, 200);
    const foreign = await call(tenant.url, "GET", "/some/page", {
      headers: { host, origin: "https://evil.localhost" },
    });
    assert.equal(foreign.status, 400);
  });

  test("without MOLECULE_ORG_ID there is no guard (and no /cp, no canvas when unset)", async () => {
    const plain = await extraTenant(
      tenantEnv(backends, { MOLECULE_ORG_ID: "", ADMIN_TOKEN: "", MOLECULE_ENV: "", CP_PROVISION_URL: "" }),
    );
    const list = await call(plain.url, "GET", "/workspaces");
    assert.equal(list.status, 200, "no guard; AdminAuth fails open on a fresh install without ADMIN_TOKEN");
    const cpPath = await call(plain.url, "GET", "/cp/auth/me");
    assert.equal(cpPath.status, 404);
    assert.equal(cpPath.text, "404 page not found", "no CP proxy mounted, no canvas: gin's NoRoute");
    assert.equal((await call(plain.url, "GET", "/does-not-exist")).text, "404 page not found");
  });
});

describe("/cp/* proxy", () => {
  test("an allowed path is forwarded: Host rewritten, path, query, cookie and bearer kept", async () => {
    const since = (await cp.journal()).at(-1)?.id ?? 0;
    const res = await call(tenant.url, "GET", "/cp/auth/me?slug=acme&x=1", {
      headers: {
        host: "harness-tenant-alpha.localhost",
        cookie: "session=s1",
        authorization: "Bearer user-token",
      },
    });
    assert.equal(res.status, 200, "/cp/ passes the guard without an org header");
    assert.equal(res.json<{ id: string }>().id, "harness-user");
    const seen = await cp.journal({ since });
    assert.equal(seen.length, 1);
    assert.equal(seen[0].path, "/cp/auth/me");
    assert.deepEqual(seen[0].query, { slug: "acme", x: "1" });
    assert.equal(seen[0].headers.host, new URL(cp.url).host);
    assert.equal(seen[0].headers.cookie, "session=s1");
    assert.equal(seen[0].headers.authorization, "Bearer user-token");
    assert.match(String(seen[0].headers["x-forwarded-for"]), /127\.0\.0\.1/);
  });

  test("request bodies stream through and upstream statuses come back unchanged", async () => {
    const res = await call(tenant.url, "POST", "/cp/orgs", { body: { slug: "acme", name: "Acme" } });
    assert.equal(res.status, 501, "the stub's catch-all answers; the tenant does not rewrite it");
    assert.match(res.text, /not implemented for POST \/cp\/orgs/);
    const last = (await cp.journal({ method: "POST", path: "/cp/orgs" })).at(-1);
    assert.deepEqual(JSON.parse(last?.body ?? "null"), { slug: "acme", name: "Acme" });
  });

  test("blocked paths are an empty 404 and the upstream is never called", async () => {
    const before = (await cp.journal()).length;
    for (const [method, path] of [
      ["POST", "/cp/admin/orgs"],
      ["POST", "/cp/admin/tenants/redeploy-fleet"],
      ["POST", "/cp/workspaces/provision"],
      ["GET", "/cp/tenants/config"],
      ["GET", "/cp/internal/usage"],
      ["GET", "/cp/"],
      ["GET", "/cp/auth"],
      ["GET", "/cp/orgsabc"],
      ["GET", "/cp/auth/%2e%2e/admin/orgs"],
    ]) {
      const res = await call(tenant.url, method, path, { headers: admin() });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.text, "", `${method} ${path}`);
    }
    const cpRoot = await call(tenant.url, "GET", "/cp", { headers: admin() });
    assert.equal(cpRoot.status, 404);
    assert.equal((await cp.journal()).length, before, "nothing reached the CP");
  });

  test("upstream down → 502 control plane unavailable", async () => {
    const t = await extraTenant(tenantEnv(backends, { CP_UPSTREAM_URL: DEAD_URL }));
    const res = await call(t.url, "GET", "/cp/auth/me");
    assert.equal(res.status, 502);
    assert.equal(res.text, "control plane unavailable");
  });
});

describe("canvas fallback", () => {
  test("credentials are stripped; every other header and the request line pass", async () => {
    const res = await call(tenant.url, "GET", "/__canvas/request?from=replay", {
      headers: admin({
        host: "harness-tenant-alpha.localhost",
        cookie: "session=secret",
        accept: "text/html",
        "x-request-id": "req-42",
      }),
    });
    assert.equal(res.status, 200);
    const seen = res.json<{ method: string; url: string; headers: Record<string, string> }>();
    assert.equal(seen.method, "GET");
    assert.equal(seen.url, "/__canvas/request?from=replay");
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers.cookie, undefined);
    assert.equal(seen.headers.accept, "text/html");
    assert.equal(seen.headers["x-request-id"], "req-42");
    assert.equal(seen.headers["x-molecule-org-id"], ORG_ID);
    assert.equal(seen.headers.host, new URL(canvasUrl).host, "Host rewritten to the canvas");
    assert.equal(res.headers["x-frame-options"], "DENY", "proxied responses pass the security-header layer");
  });

  test("an unknown path with a valid org header is the canvas page (200), any method", async () => {
    const page = await call(tenant.url, "GET", "/does-not-exist", { headers: org() });
    assert.equal(page.status, 200);
    assert.match(String(page.headers["content-type"]), /text\/html/);
    assert.match(page.text, /Molecule canvas/);
    const post = await call(tenant.url, "POST", "/__canvas/request", { headers: org(), body: { a: 1 } });
    assert.equal(post.json<{ method: string }>().method, "POST");
  });

  test("canvas down → 502 canvas unavailable", async () => {
    const t = await extraTenant(tenantEnv(backends, { CANVAS_PROXY_URL: DEAD_URL }));
    const res = await call(t.url, "GET", "/anything", { headers: org() });
    assert.equal(res.status, 502);
    assert.equal(res.text, "canvas unavailable");
  });
});

describe("rate limit, CORS, metrics", () => {
  test("per TCP peer, forwarded headers not trusted; 429 carries the anchor's body and headers", async () => {
    const t = await extraTenant(tenantEnv(backends, { RATE_LIMIT: "3" }));
    for (let i = 0; i < 3; i++) {
      const res = await call(t.url, "GET", "/health", { headers: { "x-forwarded-for": `10.0.0.${i}` } });
      assert.equal(res.status, 200);
      assert.equal(res.headers["x-ratelimit-limit"], "3");
      assert.equal(res.headers["x-ratelimit-remaining"], String(2 - i));
    }
    const limited = await call(t.url, "GET", "/health", { headers: { "x-forwarded-for": "10.9.9.9" } });
    assert.equal(limited.status, 429);
    const body = limited.json<{ error: string; retry_after: number }>();
    assert.equal(body.error, "rate limit exceeded");
    assert.ok(body.retry_after >= 1);
    assert.equal(limited.headers["retry-after"], String(body.retry_after));
  });

  test("a CORS preflight from an allowed origin is answered before the guard", async () => {
    const res = await call(tenant.url, "OPTIONS", "/workspaces", {
      headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers["access-control-allow-origin"], "http://localhost:3000");
    assert.match(String(res.headers["access-control-allow-headers"]), /X-Workspace-ID/);
    const other = await call(tenant.url, "GET", "/health", { headers: { origin: "http://evil.example" } });
    assert.equal(other.headers["access-control-allow-origin"], undefined);
  });

  test("/metrics is Prometheus text with per-route counters", async () => {
    const res = await call(tenant.url, "GET", "/metrics");
    assert.match(String(res.headers["content-type"]), /text\/plain/);
    assert.match(res.text, /# TYPE molecule_http_requests_total counter/);
    assert.match(res.text, /molecule_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);
    assert.match(res.text, /process_cpu_user_seconds_total/);
  });
});

describe("GET /ws", () => {
  // Frames are buffered from the first moment: CONNECTED can arrive in the same chunk as the 101.
  const received = new WeakMap<WebSocket, string[]>();
  const open = (headers: Record<string, string>) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${tenant.url.replace("http", "ws")}/ws`, { headers });
      const frames: string[] = [];
      received.set(ws, frames);
      ws.on("message", (data) => frames.push(data.toString()));
      ws.once("open", () => resolve(ws));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`unexpected ${res.statusCode}`)));
      ws.once("error", reject);
    });
  const nextMessage = async (ws: WebSocket, match: (text: string) => boolean): Promise<string> => {
    const frames = received.get(ws) ?? [];
    for (let waited = 0; waited < 10_000; waited += 20) {
      const index = frames.findIndex(match);
      if (index >= 0) return frames.splice(index, 1)[0];
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("no matching frame within 10 s");
  };

  test("the upgrade is accepted; frames are echoed; bus events are pushed", async () => {
    const ws = await open(org());
    const connected = nextMessage(ws, (t) => t.includes('"CONNECTED"'));
    const greeting = JSON.parse(await connected) as { event: string };
    assert.equal(greeting.event, "CONNECTED");
    const echo = nextMessage(ws, (t) => t === "ping-42");
    ws.send("ping-42");
    assert.equal(await echo, "ping-42");
    const pushed = nextMessage(ws, (t) => t.includes("WORKSPACE_PROVISIONING"));
    const created = await call(tenant.url, "POST", "/workspaces", {
      headers: admin(),
      body: { name: "ws-event" },
    });
    const event = JSON.parse(await pushed) as { event: string; workspace_id: string };
    assert.equal(event.workspace_id, created.json<{ id: string }>().id);
    ws.close();
  });

  test("the upgrade is behind the guard", async () => {
    await assert.rejects(open({}), /unexpected 400/);
    await assert.rejects(open({ "x-molecule-org-id": "wrong" }), /unexpected 404/);
  });

  test("a plain GET /ws asks for an upgrade", async () => {
    const res = await call(tenant.url, "GET", "/ws", { headers: org() });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), { error: "websocket upgrade required" });
  });
});
