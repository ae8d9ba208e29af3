/**
 * Strict auth (docs/anchor.md#strict-auth): AdminAuth, WorkspaceAuth, org tokens and test tokens, with exact
 * bodies.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { Pool } from "pg";
import { buildTenant } from "./app";
import { AUTH_ERRORS } from "./auth";
import type { BootedTenant } from "./boot";
import { loadConfig } from "./config";
import {
  admin,
  ADMIN_TOKEN,
  type Backends,
  call,
  createWorkspace,
  DEAD_URL,
  freshDatabase,
  org,
  sqlPool,
  startBackends,
  startTenant,
  tenantEnv,
} from "./test-support/index";

let backends: Backends;
let strict: BootedTenant;
const others: BootedTenant[] = [];

async function another(env: NodeJS.ProcessEnv): Promise<BootedTenant> {
  const t = await startTenant(env);
  others.push(t);
  return t;
}

before(async () => {
  backends = await startBackends();
  strict = await startTenant(tenantEnv(backends, { CANVAS_PROXY_URL: DEAD_URL }));
});

after(async () => {
  for (const t of [strict, ...others]) await t?.close();
  await backends?.stop();
});

describe("AdminAuth", () => {
  test("no bearer → 401 admin auth required; a wrong one → 401 invalid admin auth token", async () => {
    const rows: [Record<string, string>, number, object][] = [
      [org(), 401, AUTH_ERRORS.adminRequired],
      [org({ authorization: "Basic Zm9vOmJhcg==" }), 401, AUTH_ERRORS.adminRequired],
      [org({ authorization: "Bearer " }), 401, AUTH_ERRORS.adminRequired],
      [org({ authorization: `bearer ${ADMIN_TOKEN}` }), 401, AUTH_ERRORS.adminRequired],
      [org({ authorization: "Bearer nope" }), 401, AUTH_ERRORS.invalidAdmin],
      [org({ authorization: `Bearer ${ADMIN_TOKEN}x` }), 401, AUTH_ERRORS.invalidAdmin],
      [org({ authorization: `Bearer   ${ADMIN_TOKEN}  ` }), 200, []],
      [admin(), 200, []],
    ];
    for (const [headers, status, body] of rows) {
      const res = await call(strict.url, "GET", "/admin/liveness", { headers });
      assert.equal(res.status, status, JSON.stringify(headers));
      if (status === 401) assert.deepEqual(res.json(), body);
    }
  });

  test("Origin/Referer never stand in for a credential", async () => {
    const host = "harness-tenant-alpha.localhost";
    const res = await call(strict.url, "GET", "/workspaces", {
      headers: org({ host, origin: `https://${host}` }),
    });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), AUTH_ERRORS.adminRequired);
  });

  test("org API tokens: issued by an admin, accepted, revocable", async () => {
    const issued = await call(strict.url, "POST", "/org/tokens", { headers: admin(), body: { name: "ci" } });
    assert.equal(issued.status, 201);
    const { id, token, prefix } = issued.json<{ id: string; token: string; prefix: string }>();
    assert.equal(token.length, 43);
    assert.equal(prefix, token.slice(0, 8));
    const bearer = org({ authorization: `Bearer ${token}` });
    assert.equal((await call(strict.url, "GET", "/workspaces", { headers: bearer })).status, 200);
    const listed = await call(strict.url, "GET", "/org/tokens", { headers: admin() });
    assert.ok(listed.json<{ id: string }[]>().some((t) => t.id === id));
    assert.doesNotMatch(listed.text, new RegExp(token), "the token itself is never listed");
    assert.equal((await call(strict.url, "DELETE", `/org/tokens/${id}`, { headers: admin() })).status, 200);
    const revoked = await call(strict.url, "GET", "/workspaces", { headers: bearer });
    assert.equal(revoked.status, 401);
    assert.deepEqual(revoked.json(), AUTH_ERRORS.invalidAdmin);
    assert.equal((await call(strict.url, "DELETE", `/org/tokens/${id}`, { headers: admin() })).status, 404);
  });

  test("fresh install without ADMIN_TOKEN fails open until a workspace token exists", async () => {
    const url = await freshDatabase(backends, "fresh_install");
    const t = await another(
      tenantEnv(backends, { DATABASE_URL: url, ADMIN_TOKEN: "", MOLECULE_ORG_ID: "", CP_PROVISION_URL: "" }),
    );
    assert.equal((await call(t.url, "GET", "/workspaces")).status, 200, "nothing to protect yet");
    const id = "11111111-2222-4333-8444-555555555555";
    const reg = await call(t.url, "POST", "/registry/register", {
      body: { id, url: "http://localhost:8000", agent_card: { name: "w" } },
    });
    const token = reg.json<{ auth_token: string }>().auth_token;
    const closed = await call(t.url, "GET", "/workspaces");
    assert.equal(closed.status, 401);
    assert.deepEqual(closed.json(), AUTH_ERRORS.adminRequired);
    const withToken = await call(t.url, "GET", "/workspaces", {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(
      withToken.status,
      200,
      "without ADMIN_TOKEN any live workspace token is an admin credential",
    );
    const wrong = await call(t.url, "GET", "/workspaces", { headers: { authorization: "Bearer nope" } });
    assert.deepEqual(wrong.json(), AUTH_ERRORS.invalidAdmin);

    const dev = await another(
      tenantEnv(backends, {
        DATABASE_URL: url,
        ADMIN_TOKEN: "",
        MOLECULE_ORG_ID: "",
        MOLECULE_ENV: "development",
      }),
    );
    assert.equal((await call(dev.url, "GET", "/workspaces")).status, 200, "dev mode fails open");
  });

  test("a datastore error is 503 platform_unavailable", async () => {
    const pool = new Pool({
      connectionString: "postgres://x:y@127.0.0.1:1/none",
      connectionTimeoutMillis: 500,
    });
    pool.on("error", () => undefined);
    const redis = new Redis(backends.redis.url, { lazyConnect: true });
    const config = loadConfig(tenantEnv(backends, { ADMIN_TOKEN: "" }));
    const app = await buildTenant({ config, pool, redis, logger: false });
    try {
      const res = await app.inject({ method: "GET", url: "/workspaces", headers: org() });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), {
        error: "platform datastore unavailable — retry shortly",
        code: "platform_unavailable",
      });
    } finally {
      await app.close();
      await pool.end();
      redis.disconnect();
    }
  });
});

describe("WorkspaceAuth", () => {
  let a: string;
  let b: string;
  let tokenA: string;

  before(async () => {
    a = await createWorkspace(strict.url, { name: "auth-a" });
    b = await createWorkspace(strict.url, { name: "auth-b" });
    const minted = await call(strict.url, "POST", `/admin/workspaces/${a}/tokens`, { headers: admin() });
    assert.equal(minted.status, 201);
    tokenA = minted.json<{ auth_token: string }>().auth_token;
  });

  const activity = (id: string, headers: Record<string, string>) =>
    call(strict.url, "GET", `/workspaces/${id}/activity`, { headers });

  test("missing and foreign tokens are refused with the anchor's bodies", async () => {
    const missing = await activity(a, org());
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.json(), AUTH_ERRORS.missingWorkspaceToken);
    const foreign = await activity(b, org({ authorization: `Bearer ${tokenA}` }));
    assert.equal(foreign.status, 401);
    assert.deepEqual(foreign.json(), AUTH_ERRORS.invalidWorkspaceToken);
    const garbage = await activity(a, org({ authorization: "Bearer garbage" }));
    assert.deepEqual(garbage.json(), AUTH_ERRORS.invalidWorkspaceToken);
  });

  test("the workspace's own token, the admin token and an org token pass", async () => {
    assert.equal((await activity(a, org({ authorization: `Bearer ${tokenA}` }))).status, 200);
    assert.equal((await activity(b, admin())).status, 200);
    const orgToken = (await call(strict.url, "POST", "/org/tokens", { headers: admin(), body: {} })).json<{
      token: string;
    }>().token;
    assert.equal((await activity(b, org({ authorization: `Bearer ${orgToken}` }))).status, 200);
  });

  test("same-origin canvas passes without a bearer when the canvas proxy is active", async () => {
    const host = "harness-tenant-alpha.localhost";
    const res = await activity(a, { host, referer: `https://${host}/workspaces` });
    assert.equal(res.status, 200);
  });

  test("tokens of a removed workspace are dead", async () => {
    const c = await createWorkspace(strict.url, { name: "auth-c" });
    const token = (
      await call(strict.url, "POST", `/admin/workspaces/${c}/tokens`, { headers: admin() })
    ).json<{
      auth_token: string;
    }>().auth_token;
    assert.equal((await activity(c, org({ authorization: `Bearer ${token}` }))).status, 200);
    assert.equal((await call(strict.url, "DELETE", `/workspaces/${c}`, { headers: admin() })).status, 200);
    assert.equal((await activity(c, org({ authorization: `Bearer ${token}` }))).status, 401);
  });
});

describe("token issuance routes", () => {
  test("test-token is hidden under production", async () => {
    const id = await createWorkspace(strict.url, { name: "tt" });
    const res = await call(strict.url, "GET", `/admin/workspaces/${id}/test-token`, { headers: admin() });
    assert.equal(res.status, 404);
    assert.deepEqual(res.json(), { error: "not found" });
  });

  test("outside production test-token works, guarded by ADMIN_TOKEN", async () => {
    const t = await another(tenantEnv(backends, { MOLECULE_ENV: "", MOLECULE_ORG_ID: "" }));
    const id = await createWorkspace(t.url, { name: "tt2" });
    const anon = await call(t.url, "GET", `/admin/workspaces/${id}/test-token`);
    assert.equal(anon.status, 401);
    assert.deepEqual(anon.json(), AUTH_ERRORS.adminRequired);
    const ok = await call(t.url, "GET", `/admin/workspaces/${id}/test-token`, { headers: admin() });
    assert.equal(ok.status, 200);
    assert.equal(ok.json<{ workspace_id: string }>().workspace_id, id);
    assert.equal(ok.json<{ auth_token: string }>().auth_token.length, 43);
    const unknown = await call(
      t.url,
      "GET",
      "/admin/workspaces/00000000-0000-4000-8000-000000000000/test-token",
      {
        headers: admin(),
      },
    );
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json(), { error: "workspace not found" });
  });

  test("tokens are stored hashed, never in clear", async () => {
    const id = await createWorkspace(strict.url, { name: "hashed" });
    const token = (
      await call(strict.url, "POST", `/admin/workspaces/${id}/tokens`, { headers: admin() })
    ).json<{
      auth_token: string;
    }>().auth_token;
    const pool = sqlPool(backends.pg.url);
    try {
      const { rows } = await pool.query(
        "SELECT encode(token_hash, 'hex') AS h, prefix FROM workspace_auth_tokens WHERE workspace_id = $1",
        [id],
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0].prefix, token.slice(0, 8));
      assert.notEqual(rows[0].h, Buffer.from(token).toString("hex"));
      assert.equal(rows[0].h.length, 64, "sha256");
    } finally {
      await pool.end();
    }
  });
});
