/**
 * Workspaces and activity (docs/anchor.md#workspaces-and-activity), including the chat-history replay
 * (docs/anchor.md#chat-history) step by step.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { Pool } from "pg";
import { AUTH_ERRORS } from "../auth";
import type { BootedTenant } from "../boot";
import { startCp, type Cp } from "../test-support/cp";
import {
  admin,
  type Backends,
  call,
  createWorkspace,
  freshDatabase,
  org,
  sqlPool,
  startBackends,
  startTenant,
  tenantEnv,
} from "../test-support/index";

let backends: Backends;
let cp: Cp;
let tenant: BootedTenant;
let pool: Pool;

before(async () => {
  backends = await startBackends();
  cp = await startCp();
  tenant = await startTenant(tenantEnv(backends, { CP_PROVISION_URL: cp.url, MOLECULE_CP_URL: cp.url }));
  pool = sqlPool(backends.pg.url);
});

after(async () => {
  await pool?.end();
  await tenant?.close();
  await cp?.close();
  await backends?.stop();
});

describe("POST /workspaces", () => {
  test("201 with the anchor's body; the server picks the id; tier 0 becomes 3", async () => {
    const clientId = randomUUID();
    const res = await call(tenant.url, "POST", "/workspaces", {
      headers: admin(),
      body: { id: clientId, name: "alpha-parent", tier: 0, runtime: "langgraph" },
    });
    assert.equal(res.status, 201);
    const body = res.json<Record<string, string>>();
    assert.deepEqual(Object.keys(body).sort(), ["awareness_namespace", "id", "status", "workspace_access"]);
    assert.equal(body.status, "provisioning");
    assert.notEqual(body.id, clientId, "a client-sent id is ignored");
    assert.match(body.id, /^[0-9a-f-]{36}$/);
    const { rows } = await pool.query(
      "SELECT tier, runtime, status::text AS status FROM workspaces WHERE id = $1",
      [body.id],
    );
    assert.deepEqual(rows[0], { tier: 3, runtime: "langgraph", status: "provisioning" });
    const layout = await pool.query("SELECT x, y FROM canvas_layouts WHERE workspace_id = $1", [body.id]);
    assert.equal(layout.rowCount, 1, "a canvas layout row is created with the workspace");
  });

  test("a child keeps its tier and parent", async () => {
    const parent = await createWorkspace(tenant.url, { name: "p", tier: 0 });
    const child = await createWorkspace(tenant.url, {
      name: "c",
      tier: 1,
      parent_id: parent,
      runtime: "langgraph",
    });
    const { rows } = await pool.query("SELECT tier, parent_id FROM workspaces WHERE id = $1", [child]);
    assert.deepEqual(rows[0], { tier: 1, parent_id: parent });
  });

  test("400 invalid workspace payload / invalid workspace fields", async () => {
    for (const rawBody of ["[1,2]", "{nope", '"text"']) {
      const res = await call(tenant.url, "POST", "/workspaces", {
        headers: admin({ "content-type": "application/json" }),
        rawBody,
      });
      assert.equal(res.status, 400, rawBody);
      assert.deepEqual(res.json(), { error: "invalid workspace payload" });
    }
    for (const body of [{}, { name: "" }, { name: "x", tier: 9 }, { name: "x", parent_id: randomUUID() }]) {
      const res = await call(tenant.url, "POST", "/workspaces", { headers: admin(), body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(res.json(), { error: "invalid workspace fields" });
    }
  });

  test("behind AdminAuth", async () => {
    const res = await call(tenant.url, "POST", "/workspaces", { headers: org(), body: { name: "x" } });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), AUTH_ERRORS.adminRequired);
  });
});

describe("GET /workspaces, GET/DELETE /workspaces/:id", () => {
  test("the seed's view: names of a fresh tenant, in creation order, with current_task", async () => {
    const url = await freshDatabase(backends, "seed_view");
    const t = await startTenant(tenantEnv(backends, { DATABASE_URL: url, CP_PROVISION_URL: cp.url }));
    try {
      const parent = await createWorkspace(t.url, { name: "alpha-parent", tier: 0, runtime: "langgraph" });
      await createWorkspace(t.url, { name: "alpha-child", tier: 1, parent_id: parent, runtime: "langgraph" });
      const list = await call(t.url, "GET", "/workspaces", { headers: admin() });
      assert.equal(list.status, 200);
      const rows = list.json<Record<string, unknown>[]>();
      assert.deepEqual(
        rows.map((r) => r.name),
        ["alpha-parent", "alpha-child"],
      );
      assert.deepEqual(rows.map((r) => r.name as string).sort(), ["alpha-child", "alpha-parent"]);
      assert.ok("current_task" in rows[0]);
      assert.equal(rows[1].parent_id, parent);
      assert.equal(rows[0].tier, 3);
    } finally {
      await t.close();
    }
  });

  test("get by id is open and hides operator fields; 400 / 404 bodies", async () => {
    const id = await createWorkspace(tenant.url, { name: "open-get", budget_limit: 10 });
    const res = await call(tenant.url, "GET", `/workspaces/${id}`, { headers: org() });
    assert.equal(res.status, 200, "no bearer needed");
    const body = res.json<Record<string, unknown>>();
    assert.equal(body.id, id);
    assert.equal(body.name, "open-get");
    for (const hidden of [
      "budget_limit",
      "monthly_spend",
      "current_task",
      "last_sample_error",
      "workspace_dir",
    ]) {
      assert.ok(!(hidden in body), hidden);
    }
    const bad = await call(tenant.url, "GET", "/workspaces/not-a-uuid", { headers: org() });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json(), { error: "invalid workspace ID" });
    const missing = await call(tenant.url, "GET", `/workspaces/${randomUUID()}`, { headers: org() });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { error: "workspace not found" });
  });

  test("delete removes the subtree; removed workspaces leave the list", async () => {
    const parent = await createWorkspace(tenant.url, { name: "del-parent" });
    const child = await createWorkspace(tenant.url, { name: "del-child", parent_id: parent });
    const res = await call(tenant.url, "DELETE", `/workspaces/${parent}`, { headers: admin() });
    assert.equal(res.status, 200);
    assert.equal(res.json<{ status: string }>().status, "removed");
    const names = (await call(tenant.url, "GET", "/workspaces", { headers: admin() }))
      .json<{ name: string }[]>()
      .map((w) => w.name);
    assert.ok(!names.includes("del-parent") && !names.includes("del-child"));
    const got = await call(tenant.url, "GET", `/workspaces/${child}`, { headers: org() });
    assert.equal(got.json<{ status: string }>().status, "removed");
    assert.equal(
      (await call(tenant.url, "DELETE", `/workspaces/${randomUUID()}`, { headers: admin() })).status,
      404,
    );
    assert.equal((await call(tenant.url, "DELETE", "/workspaces/x", { headers: admin() })).status, 400);
    assert.equal((await call(tenant.url, "DELETE", `/workspaces/${child}`, { headers: org() })).status, 401);
  });
});

describe("activity", () => {
  let alpha: string;
  let beta: string;

  before(async () => {
    alpha = await createWorkspace(tenant.url, { name: "act-alpha" });
    beta = await createWorkspace(tenant.url, { name: "act-beta", parent_id: alpha });
  });

  const list = (id: string, query: string) =>
    call(tenant.url, "GET", `/workspaces/${id}/activity${query}`, { headers: admin() });
  const summaries = async (id: string, query: string) =>
    (await list(id, query)).json<{ summary: string }[]>().map((r) => r.summary);

  test("the chat-history replay (docs/anchor.md#chat-history) A–H, with rows inserted by SQL as the replay does", async () => {
    // A
    await pool.query("DELETE FROM activity_logs WHERE workspace_id = $1", [alpha]);
    for (const [summary, age] of [
      ["oldest from beta", "4 hours"],
      ["middle from beta", "2 hours"],
      ["newest from beta", "1 hour"],
    ]) {
      await pool.query(
        `INSERT INTO activity_logs (workspace_id, activity_type, source_id, target_id, method, summary, created_at)
         VALUES ($1, 'a2a_receive', $2, $1, 'message/send', $3, now() - $4::interval)`,
        [alpha, beta, summary, age],
      );
    }
    // B
    const b = await list(alpha, `?type=a2a_receive&peer_id=${beta}&limit=10`);
    assert.equal(b.status, 200);
    const rows = b.json<{ summary: string }[]>();
    assert.equal(rows.length, 3);
    assert.equal(rows[0].summary, "newest from beta");
    assert.equal(rows[2].summary, "oldest from beta");
    // C
    assert.deepEqual(await summaries(alpha, `?type=a2a_receive&peer_id=${beta}&limit=2`), [
      "newest from beta",
      "middle from beta",
    ]);
    // D
    const newest = (await list(alpha, `?type=a2a_receive&peer_id=${beta}&limit=1`)).json<
      { created_at: string }[]
    >()[0];
    const d = await summaries(
      alpha,
      `?type=a2a_receive&peer_id=${beta}&before_ts=${encodeURIComponent(newest.created_at)}&limit=10`,
    );
    assert.equal(d.length, 2);
    assert.equal(d[0], "middle from beta");
    assert.ok(!d.includes("newest from beta"), "strictly older");
    // E
    await pool.query(
      `INSERT INTO activity_logs (workspace_id, activity_type, source_id, target_id, method, summary)
       VALUES ($1, 'a2a_send', $1, $2, 'message/send', 'sent to beta')`,
      [alpha, beta],
    );
    const e = await summaries(alpha, `?peer_id=${beta}`);
    assert.ok(e.includes("sent to beta"), "peer_id matches source OR target");
    assert.equal(e.length, 4);
    // F
    const f = await list(alpha, "?peer_id=not-a-uuid");
    assert.equal(f.status, 400);
    assert.match(f.text, /peer_id must be a UUID/);
    assert.deepEqual(f.json(), { error: "peer_id must be a UUID" });
    // G
    const g = await list(alpha, "?before_ts=garbage");
    assert.equal(g.status, 400);
    assert.match(g.text, /RFC3339/);
    assert.deepEqual(g.json(), {
      error: "before_ts must be an RFC3339 timestamp (e.g. 2026-05-01T00:00:00Z)",
    });
    // H
    assert.equal((await list(alpha, "?peer_id=%27%20OR%201%3D1%20--")).status, 400);
    await pool.query("DELETE FROM activity_logs WHERE workspace_id = $1", [alpha]);
  });

  test("rows carry the anchor's fields; created_at is RFC 3339 with microseconds", async () => {
    await pool.query(
      `INSERT INTO activity_logs (workspace_id, activity_type, source_id, summary, request_body, duration_ms, created_at)
       VALUES ($1, 'task_update', $1, 'fields', '{"k":1}', 12, '2026-05-01T10:00:00.123456Z')`,
      [beta],
    );
    const [row] = (await list(beta, "?type=task_update")).json<Record<string, unknown>[]>();
    assert.deepEqual(Object.keys(row).sort(), [
      "activity_type",
      "created_at",
      "duration_ms",
      "error_detail",
      "id",
      "method",
      "request_body",
      "source_id",
      "status",
      "summary",
      "target_id",
      "workspace_id",
    ]);
    assert.equal(row.created_at, "2026-05-01T10:00:00.123456Z");
    assert.deepEqual(row.request_body, { k: 1 });
    assert.equal(row.status, "ok");
  });

  test("before_ts compares at microsecond precision", async () => {
    const ws = await createWorkspace(tenant.url, { name: "act-micro" });
    for (const [summary, at] of [
      ["x", "2026-05-01T10:00:00.123456Z"],
      ["y", "2026-05-01T10:00:00.123999Z"],
    ]) {
      await pool.query(
        "INSERT INTO activity_logs (workspace_id, activity_type, summary, created_at) VALUES ($1, 'agent_log', $2, $3)",
        [ws, summary, at],
      );
    }
    const y = (await list(ws, "?limit=1")).json<{ created_at: string }[]>()[0].created_at;
    assert.equal(y, "2026-05-01T10:00:00.123999Z");
    assert.deepEqual(await summaries(ws, `?before_ts=${encodeURIComponent(y)}`), ["x"]);
    assert.deepEqual(
      await summaries(ws, `?before_ts=${encodeURIComponent("2026-05-01T12:00:00.123500+02:00")}`),
      ["x"],
    );
  });

  test("limit: default 100, capped at 500, junk falls back to the default", async () => {
    const ws = await createWorkspace(tenant.url, { name: "act-many" });
    await pool.query(
      `INSERT INTO activity_logs (workspace_id, activity_type, summary, created_at)
       SELECT $1, 'agent_log', 'n' || g, now() - g * interval '1 second' FROM generate_series(1, 510) g`,
      [ws],
    );
    const count = async (q: string) => (await list(ws, q)).json<unknown[]>().length;
    assert.equal(await count(""), 100);
    assert.equal(await count("?limit=7"), 7);
    assert.equal(await count("?limit=1000"), 500);
    assert.equal(await count("?limit=abc"), 100);
    assert.equal(await count("?limit=0"), 100);
  });

  test("source, since_secs and since_id filters", async () => {
    const ws = await createWorkspace(tenant.url, { name: "act-filters" });
    const insert = async (summary: string, source: string | null, age: string) =>
      (
        await pool.query(
          `INSERT INTO activity_logs (workspace_id, activity_type, source_id, summary, created_at)
           VALUES ($1, 'agent_log', $2, $3, now() - $4::interval) RETURNING id`,
          [ws, source, summary, age],
        )
      ).rows[0].id as string;
    const first = await insert("canvas-old", null, "2 hours");
    await insert("agent-mid", ws, "30 minutes");
    await insert("agent-new", ws, "1 minute");
    assert.deepEqual(await summaries(ws, "?source=canvas"), ["canvas-old"]);
    assert.deepEqual(await summaries(ws, "?source=agent"), ["agent-new", "agent-mid"]);
    const badSource = await list(ws, "?source=robot");
    assert.equal(badSource.status, 400);
    assert.deepEqual(badSource.json(), { error: "source must be 'canvas' or 'agent'" });
    assert.deepEqual(await summaries(ws, "?since_secs=3600"), ["agent-new", "agent-mid"]);
    assert.equal((await list(ws, "?since_secs=-5")).status, 400);
    assert.deepEqual(
      await summaries(ws, `?since_id=${first}`),
      ["agent-mid", "agent-new"],
      "ascending after the cursor",
    );
    const gone = await list(ws, `?since_id=${randomUUID()}`);
    assert.equal(gone.status, 410);
    assert.equal((await list(ws, "?since_id=nope")).status, 400);
  });

  test("POST records as the workspace itself; validation and spoofing are refused", async () => {
    const ws = await createWorkspace(tenant.url, { name: "act-post" });
    const post = (body: unknown) =>
      call(tenant.url, "POST", `/workspaces/${ws}/activity`, { headers: admin(), body });
    const ok = await post({
      activity_type: "agent_log",
      summary: "hello",
      target_id: beta,
      request_body: { a: 1 },
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json(), { status: "logged" });
    const [row] = (await list(ws, "?type=agent_log")).json<Record<string, unknown>[]>();
    assert.equal(row.summary, "hello");
    assert.equal(row.source_id, ws, "source defaults to the workspace");
    assert.equal(row.target_id, beta);
    assert.deepEqual(row.request_body, { a: 1 });
    assert.equal((await post({ type: "task_update", summary: "alias" })).status, 200);

    const badType = await post({ activity_type: "nope" });
    assert.equal(badType.status, 400);
    assert.match(badType.json<{ error: string }>().error, /^invalid activity_type, must be one of: a2a_send/);
    const spoof = await post({ activity_type: "agent_log", source_id: beta });
    assert.equal(spoof.status, 403);
    assert.deepEqual(spoof.json(), { error: "source_id must match authenticated workspace" });
    assert.equal((await post({ activity_type: "agent_log", target_id: "x" })).status, 400);
    assert.equal((await post([1])).status, 400);
    const unknown = await call(tenant.url, "POST", `/workspaces/${randomUUID()}/activity`, {
      headers: admin(),
      body: { activity_type: "agent_log" },
    });
    assert.equal(unknown.status, 404);
  });

  test("a malformed workspace id is 400 before any query", async () => {
    const res = await list("not-a-uuid", "");
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), { error: "invalid workspace ID" });
  });
});
