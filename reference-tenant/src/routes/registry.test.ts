/**
 * Registry and discovery (docs/anchor.md#registry) on real postgres and redis: bodies, codes, ordering,
 * cache.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import type { Pool } from "pg";
import { AUTH_ERRORS } from "../auth";
import type { BootedTenant } from "../boot";
import { startCp, type Cp } from "../test-support/cp";
import {
  admin,
  type Backends,
  call,
  createWorkspace,
  fakeResolver,
  org,
  sqlPool,
  startBackends,
  startTenant,
  tenantEnv,
} from "../test-support/index";

let backends: Backends;
let tenant: BootedTenant;
let selfHosted: BootedTenant;
let pool: Pool;
let redis: Redis;
let cp: Cp;

before(async () => {
  backends = await startBackends();
  const resolve = fakeResolver({
    "host.docker.internal": ["172.17.0.1"],
    "meta.example": ["169.254.169.254"],
  });
  cp = await startCp(); // provisioning succeeds, so created workspaces stay `provisioning`
  tenant = await startTenant(tenantEnv(backends, { CP_PROVISION_URL: cp.url, MOLECULE_CP_URL: cp.url }), {
    resolve,
  });
  selfHosted = await startTenant(tenantEnv(backends, { MOLECULE_ORG_ID: "", CP_PROVISION_URL: "" }), {
    resolve,
  });
  pool = sqlPool(backends.pg.url);
  redis = new Redis(backends.redis.url);
});

after(async () => {
  redis?.disconnect();
  await pool?.end();
  await tenant?.close();
  await selfHosted?.close();
  await cp?.close();
  await backends?.stop();
});

const card = { name: "agent", skills: [] };

async function register(id: string, url = "http://localhost:8000", token?: string) {
  return call(tenant.url, "POST", "/registry/register", {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: { id, url, agent_card: card },
  });
}

async function status(id: string): Promise<string> {
  const { rows } = await pool.query("SELECT status::text AS s FROM workspaces WHERE id = $1", [id]);
  return rows[0]?.s;
}

describe("POST /registry/register", () => {
  test("is allowlisted, upserts online, returns a token once, and caches the URL in redis", async () => {
    const id = randomUUID();
    const first = await register(id, "http://10.0.0.5:8000");
    assert.equal(first.status, 200, first.text);
    const body = first.json<{ status: string; auth_token: string }>();
    assert.equal(body.status, "registered");
    assert.equal(body.auth_token.length, 43);
    const { rows } = await pool.query(
      "SELECT name, url, status::text AS status, agent_card FROM workspaces WHERE id = $1",
      [id],
    );
    assert.deepEqual(rows[0], { name: id, url: "http://10.0.0.5:8000", status: "online", agent_card: card });
    assert.equal(await redis.get(`ws:${id}`), "online");
    assert.equal(await redis.get(`ws:${id}:url`), "http://10.0.0.5:8000");
    assert.equal(await redis.get(`ws:${id}:internal_url`), "http://10.0.0.5:8000");
    const ttl = await redis.ttl(`ws:${id}`);
    assert.ok(ttl > 0 && ttl <= 180, `status TTL ${ttl}`);
    const urlTtl = await redis.ttl(`ws:${id}:internal_url`);
    assert.ok(urlTtl > 180 && urlTtl <= 300, `url TTL ${urlTtl}`);

    const again = await register(id);
    assert.equal(again.status, 401);
    assert.deepEqual(again.json(), AUTH_ERRORS.missingWorkspaceToken);
    const wrong = await register(id, "http://localhost:8000", "not-the-token");
    assert.deepEqual(wrong.json(), AUTH_ERRORS.invalidWorkspaceToken);
    const own = await register(id, "http://localhost:8001", body.auth_token);
    assert.equal(own.status, 200);
    assert.deepEqual(own.json(), { status: "registered" }, "no second token");
  });

  test("rejects incomplete bodies and unsafe URLs with 400 invalid request body", async () => {
    const id = randomUUID();
    for (const body of [
      { url: "http://localhost:1", agent_card: card },
      { id, agent_card: card },
      { id, url: "http://localhost:1" },
      { id, url: "http://localhost:1", agent_card: null },
      { id, url: "ftp://localhost/x", agent_card: card },
      { id, url: "http://127.0.0.1:8000", agent_card: card },
      { id, url: "http://169.254.169.254/latest/meta-data", agent_card: card },
      { id, url: "http://meta.example/", agent_card: card },
      { id, url: "http://unresolvable.example/", agent_card: card },
      { id, url: "http://[::1]:8000", agent_card: card },
    ]) {
      const res = await call(tenant.url, "POST", "/registry/register", { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(res.json(), { error: "invalid request body" });
    }
    const bad = await call(tenant.url, "POST", "/registry/register", {
      rawBody: "{not json",
      headers: { "content-type": "application/json" },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json(), { error: "invalid request body" });
  });

  test("RFC-1918 URLs are refused outside SaaS mode", async () => {
    const res = await call(selfHosted.url, "POST", "/registry/register", {
      body: { id: randomUUID(), url: "http://10.0.0.5:8000", agent_card: card },
    });
    assert.equal(res.status, 400);
  });

  test("a non-UUID id is a datastore error: 500 registration failed", async () => {
    const res = await register("not-a-uuid");
    assert.equal(res.status, 500);
    assert.deepEqual(res.json(), { error: "registration failed" });
  });

  test("a removed workspace is never resurrected", async () => {
    const id = await createWorkspace(tenant.url, { name: "to-remove" });
    await call(tenant.url, "DELETE", `/workspaces/${id}`, { headers: admin() });
    const res = await register(id);
    assert.equal(res.status, 410);
    assert.equal(await status(id), "removed");
  });
});

describe("POST /registry/heartbeat", () => {
  test("transitions online → degraded → online, wedged → degraded, and records the fields", async () => {
    const id = randomUUID();
    const token = (await register(id)).json<{ auth_token: string }>().auth_token;
    const beat = (body: Record<string, unknown>, bearer = token) =>
      call(tenant.url, "POST", "/registry/heartbeat", {
        headers: { authorization: `Bearer ${bearer}` },
        body: { workspace_id: id, ...body },
      });
    const ok = await beat({
      error_rate: 0.8,
      sample_error: "boom",
      active_tasks: 2,
      uptime_seconds: 30,
      current_task: "t1",
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json(), { status: "ok" });
    assert.equal(await status(id), "degraded");
    assert.equal(await redis.get(`ws:${id}`), "degraded");
    const { rows } = await pool.query(
      "SELECT active_tasks, uptime_seconds::int AS uptime_seconds, current_task, last_error_rate, last_sample_error FROM workspaces WHERE id = $1",
      [id],
    );
    assert.deepEqual(rows[0], {
      active_tasks: 2,
      uptime_seconds: 30,
      current_task: "t1",
      last_error_rate: 0.8,
      last_sample_error: "boom",
    });
    await beat({ error_rate: 0.3 });
    assert.equal(await status(id), "degraded", "between the thresholds nothing changes");
    await beat({ error_rate: 0.05 });
    assert.equal(await status(id), "online");
    await beat({ runtime_state: "wedged" });
    assert.equal(await status(id), "degraded");
    const stranger = await beat({}, "other");
    assert.equal(stranger.status, 401);
    assert.deepEqual(stranger.json(), AUTH_ERRORS.invalidWorkspaceToken);
  });

  test("provisioning → online on the first heartbeat", async () => {
    const id = await createWorkspace(tenant.url, { name: "hb-prov" });
    const res = await call(tenant.url, "POST", "/registry/heartbeat", { body: { workspace_id: id } });
    assert.equal(res.status, 200);
    assert.equal(await status(id), "online");
  });

  test("unknown UUID → 200 ok; non-UUID → 500; no workspace_id → 400", async () => {
    const unknown = await call(tenant.url, "POST", "/registry/heartbeat", {
      body: { workspace_id: randomUUID() },
    });
    assert.equal(unknown.status, 200);
    assert.deepEqual(unknown.json(), { status: "ok" });
    const bad = await call(tenant.url, "POST", "/registry/heartbeat", { body: { workspace_id: "nope" } });
    assert.equal(bad.status, 500);
    assert.deepEqual(bad.json(), { error: "failed to update" });
    for (const body of [{}, { workspace_id: "" }, { workspace_id: randomUUID(), error_rate: "x" }]) {
      const res = await call(tenant.url, "POST", "/registry/heartbeat", { body });
      assert.equal(res.status, 400);
      assert.deepEqual(res.json(), { error: "invalid request body" });
    }
  });
});

describe("POST /registry/update-card", () => {
  test("updates the card under the token rule; 404 unknown; 400 incomplete; guarded", async () => {
    const id = randomUUID();
    const token = (await register(id)).json<{ auth_token: string }>().auth_token;
    const update = (
      body: unknown,
      headers: Record<string, string> = org({ authorization: `Bearer ${token}` }),
    ) => call(tenant.url, "POST", "/registry/update-card", { headers, body });
    const res = await update({ workspace_id: id, agent_card: { name: "v2" } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: "updated" });
    const { rows } = await pool.query("SELECT agent_card FROM workspaces WHERE id = $1", [id]);
    assert.deepEqual(rows[0].agent_card, { name: "v2" });
    assert.equal((await update({ workspace_id: id, agent_card: {} }, org())).status, 401);
    assert.equal((await update({ workspace_id: randomUUID(), agent_card: {} }, org())).status, 404);
    assert.equal((await update({ workspace_id: id }, org())).status, 400);
    assert.equal(
      (await update({ workspace_id: id, agent_card: {} }, {})).status,
      400,
      "not on the guard allowlist",
    );
  });
});

describe("peers, discover, check-access", () => {
  let rootA: string;
  let rootB: string;
  let childAlpha: string;
  let childBeta: string;
  let grandchild: string;

  before(async () => {
    rootA = await createWorkspace(tenant.url, { name: "p-root-a", role: "lead" });
    rootB = await createWorkspace(tenant.url, { name: "p-root-b" });
    childBeta = await createWorkspace(tenant.url, { name: "c-beta", parent_id: rootA, tier: 2 });
    childAlpha = await createWorkspace(tenant.url, { name: "c-alpha", parent_id: rootA, role: "writer" });
    grandchild = await createWorkspace(tenant.url, { name: "g-one", parent_id: childAlpha });
  });

  const peers = (id: string, query = "", headers: Record<string, string> = org()) =>
    call(tenant.url, "GET", `/registry/${id}/peers${query}`, { headers });

  test("an unregistered workspace gets 404 workspace not found (the #2397 replay, as written)", async () => {
    const rogue = randomUUID();
    const res = await peers(rogue, "", admin({ "x-workspace-id": rogue }));
    assert.equal(res.status, 404);
    assert.deepEqual(res.json(), { error: "workspace not found" });
  });

  test("a non-UUID id is 500 lookup failed", async () => {
    const res = await peers("not-a-uuid");
    assert.equal(res.status, 500);
    assert.deepEqual(res.json(), { error: "lookup failed" });
  });

  test("siblings, then children, then the parent, with the anchor's element fields", async () => {
    const res = await peers(childAlpha);
    assert.equal(res.status, 200);
    const list = res.json<Record<string, unknown>[]>();
    assert.deepEqual(
      list.map((p) => p.name),
      ["c-beta", "g-one", "p-root-a"],
    );
    assert.deepEqual(Object.keys(list[0]).sort(), [
      "active_tasks",
      "agent_card",
      "id",
      "name",
      "parent_id",
      "role",
      "status",
      "tier",
      "url",
    ]);
    assert.deepEqual(list[0], {
      id: childBeta,
      name: "c-beta",
      role: null,
      tier: 2,
      status: "provisioning",
      agent_card: null,
      url: "",
      parent_id: rootA,
      active_tasks: 0,
    });
    assert.equal(list[2].role, "lead");
  });

  test("?q= filters name or role, case-insensitively", async () => {
    assert.deepEqual(
      (await peers(childBeta, "?q=ALP")).json<{ name: string }[]>().map((p) => p.name),
      ["c-alpha"],
    );
    assert.deepEqual(
      (await peers(childBeta, "?q=LEAD")).json<{ name: string }[]>().map((p) => p.name),
      ["p-root-a"],
    );
    assert.deepEqual((await peers(childBeta, "?q=zzz")).json(), [], "an empty list is [], never null");
  });

  test("roots see the other roots as siblings", async () => {
    const names = (await peers(rootB, "?q=p-root")).json<{ name: string }[]>().map((p) => p.name);
    assert.deepEqual(names, ["p-root-a"]);
  });

  test("once a workspace has a token only that token may list its peers (admin included, refused)", async () => {
    const token = (
      await call(tenant.url, "POST", `/admin/workspaces/${childBeta}/tokens`, { headers: admin() })
    ).json<{
      auth_token: string;
    }>().auth_token;
    const none = await peers(childBeta);
    assert.equal(none.status, 401);
    assert.deepEqual(none.json(), AUTH_ERRORS.missingWorkspaceToken);
    const adminBearer = await peers(childBeta, "", admin());
    assert.equal(adminBearer.status, 401);
    assert.deepEqual(adminBearer.json(), AUTH_ERRORS.invalidWorkspaceToken);
    const own = await peers(childBeta, "", org({ authorization: `Bearer ${token}` }));
    assert.equal(own.status, 200);
    assert.deepEqual(
      own.json<{ name: string }[]>().map((p) => p.name),
      ["c-alpha", "p-root-a"],
    );
  });

  test("check-access follows CanCommunicate", async () => {
    const check = async (caller_id: string, target_id: string) => {
      const res = await call(tenant.url, "POST", "/registry/check-access", {
        headers: org(),
        body: { caller_id, target_id },
      });
      assert.equal(res.status, 200);
      return res.json<{ allowed: boolean }>().allowed;
    };
    assert.equal(await check(childAlpha, childBeta), true, "siblings");
    assert.equal(await check(childAlpha, rootA), true, "child → parent");
    assert.equal(await check(rootA, grandchild), true, "ancestor → descendant");
    assert.equal(await check(grandchild, rootA), true, "descendant → ancestor");
    assert.equal(await check(rootA, rootB), true, "both roots");
    assert.equal(await check(grandchild, grandchild), true, "self");
    assert.equal(await check(childAlpha, rootB), false, "unrelated");
    assert.equal(await check(grandchild, childBeta), false, "uncle");
    assert.equal(await check(childAlpha, randomUUID()), false, "unknown");
    assert.equal(await check("nope", childAlpha), false, "malformed");
    for (const body of [{}, { caller_id: childAlpha }, { caller_id: 1, target_id: 2 }]) {
      const res = await call(tenant.url, "POST", "/registry/check-access", { headers: org(), body });
      assert.equal(res.status, 400);
      assert.deepEqual(res.json(), { error: "invalid request body" });
    }
  });

  describe("GET /registry/discover/:id", () => {
    const discover = (target: string, caller?: string, extra: Record<string, string> = {}) =>
      call(tenant.url, "GET", `/registry/discover/${target}`, {
        headers: org({ ...(caller ? { "x-workspace-id": caller } : {}), ...extra }),
      });

    test("X-Workspace-ID is required", async () => {
      const res = await discover(rootA);
      assert.equal(res.status, 400);
      assert.deepEqual(res.json(), { error: "X-Workspace-ID header is required" });
    });

    test("403 when the caller may not talk to the target", async () => {
      const res = await discover(rootB, childAlpha);
      assert.equal(res.status, 403);
      assert.deepEqual(res.json(), { error: "not authorized to discover this workspace" });
    });

    test("404 for an unknown workspace, 503 with its status when not reachable", async () => {
      const ghost = randomUUID();
      const missing = await discover(ghost, ghost);
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.json(), { error: "workspace not found" });
      const provisioning = await discover(grandchild, childAlpha);
      assert.equal(provisioning.status, 503);
      assert.deepEqual(provisioning.json(), { error: "workspace not available", status: "provisioning" });
    });

    test("redis first: the registered URL; then postgres: a synthesised address, cached", async () => {
      await call(tenant.url, "POST", "/registry/register", {
        body: { id: grandchild, url: "http://10.0.0.9:8000", agent_card: card },
      });
      const fromRedis = await discover(grandchild, childAlpha);
      assert.equal(fromRedis.status, 200);
      assert.deepEqual(fromRedis.json(), { id: grandchild, url: "http://10.0.0.9:8000", name: "g-one" });

      await redis.set(`ws:${grandchild}:internal_url`, "http://cached.example:1");
      assert.equal(
        (await discover(grandchild, rootA)).json<{ url: string }>().url,
        "http://cached.example:1",
      );

      await redis.del(`ws:${grandchild}:internal_url`);
      const fromDb = await discover(grandchild, childAlpha);
      assert.equal(fromDb.status, 200);
      const expected = `http://ws-${grandchild.slice(0, 12)}:8000`;
      assert.deepEqual(fromDb.json(), { id: grandchild, url: expected, name: "g-one" });
      assert.equal(await redis.get(`ws:${grandchild}:internal_url`), expected, "cached for next time");
    });

    test("external runtimes get their registered URL, loopback rewritten for containers", async () => {
      const ext = await createWorkspace(tenant.url, { name: "ext", parent_id: rootB, runtime: "external" });
      await call(tenant.url, "POST", "/registry/register", {
        body: { id: ext, url: "http://localhost:9000/a2a", agent_card: card },
      });
      const res = await discover(ext, rootB);
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { id: ext, url: "http://host.docker.internal:9000/a2a", name: "ext" });
    });
  });
});
