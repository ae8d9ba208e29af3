/**
 * Tenant ↔ CP (docs/anchor.md#cp-provisioning, docs/anchor.md#cp-config-refresh): workspace provisioning on
 * create and the boot-time config refresh, against a CP stand-in with a request journal and programmable
 * failures.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { BootedTenant, BootLogger } from "./boot";
import { startCp, type Cp } from "./test-support/cp";
import {
  ADMIN_TOKEN,
  admin,
  call,
  createWorkspace,
  DEAD_URL,
  eventually,
  ORG_ID,
  startBackends,
  startTenant,
  tenantEnv,
  type Backends,
} from "./test-support/index";

let backends: Backends;
let cp: Cp;
let tenant: BootedTenant;
const bootLines: { msg: string; obj: Record<string, unknown> }[] = [];
const others: BootedTenant[] = [];

const recordingLog = (into: typeof bootLines): BootLogger => ({
  info: (obj, msg) => into.push({ msg, obj: obj as Record<string, unknown> }),
  warn: (obj, msg) => into.push({ msg, obj: obj as Record<string, unknown> }),
});

function cpEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return tenantEnv(backends, {
    MOLECULE_CP_URL: cp.url,
    CP_PROVISION_URL: cp.url,
    CP_UPSTREAM_URL: cp.url,
    MOLECULE_CP_SHARED_SECRET: "shared-secret",
    CP_PROVISION_TIMEOUT_MS: "1500",
    MOLECULE_LLM_BASE_URL: "http://cp-stub:9090/llm/openai/v1",
    MOLECULE_LLM_USAGE_TOKEN: "usage-token",
    ...extra,
  });
}

async function another(env: NodeJS.ProcessEnv, log?: BootLogger): Promise<BootedTenant> {
  const t = await startTenant(env, { bootLog: log });
  others.push(t);
  return t;
}

async function workspace(t: BootedTenant, id: string): Promise<Record<string, unknown>> {
  return (await call(t.url, "GET", `/workspaces/${id}`, { headers: admin() })).json();
}

async function settledStatus(t: BootedTenant, id: string): Promise<Record<string, unknown>> {
  return eventually(`workspace ${id} leaves provisioning`, async () => {
    const w = await workspace(t, id);
    return w.status === "provisioning" && w.instance_id === null ? undefined : w;
  });
}

before(async () => {
  backends = await startBackends();
  cp = await startCp();
  tenant = await startTenant(cpEnv(), { bootLog: recordingLog(bootLines) });
});

after(async () => {
  for (const t of [tenant, ...others]) await t?.close();
  await cp?.close();
  await backends?.stop();
});

describe("boot-time CP config refresh", () => {
  test("asks the CP with the admin bearer and org id; the stub's nested body is logged and boot goes on", async () => {
    const calls = await cp.journal({ method: "GET", path: "/cp/tenants/config" });
    assert.ok(calls.length >= 1);
    assert.equal(calls[0].headers.authorization, `Bearer ${ADMIN_TOKEN}`);
    assert.equal(calls[0].headers["x-molecule-org-id"], ORG_ID);
    const ignored = bootLines.find((l) => l.msg.startsWith("cp config refresh: ignored"));
    assert.ok(ignored, "the unusable body is logged");
    assert.match(
      String(ignored.obj.reason),
      /not a flat object of strings \(key "runtimes" holds an array\)/,
    );
  });

  test("a flat body is adopted, except the keys that define the tenant", async () => {
    await cp.override({
      method: "GET",
      path: "/cp/tenants/config",
      status: 200,
      body: { MOLECULE_LLM_BASE_URL: "http://from-cp/v1", ADMIN_TOKEN: "stolen" },
    });
    const lines: typeof bootLines = [];
    const t = await another(cpEnv(), recordingLog(lines));
    assert.ok(lines.some((l) => l.msg === "cp config refresh: applied"));
    assert.deepEqual(lines.find((l) => l.msg.includes("protected keys"))?.obj.refused, ["ADMIN_TOKEN"]);
    assert.equal(
      (await call(t.url, "GET", "/workspaces", { headers: admin() })).status,
      200,
      "admin token unchanged",
    );
    const id = await createWorkspace(t.url, { name: "refreshed" });
    const sent = await eventually("provision call", async () =>
      (await cp.journal({ method: "POST", path: "/cp/workspaces/provision" })).find((r) =>
        r.body?.includes(id),
      ),
    );
    assert.equal(
      (JSON.parse(sent.body ?? "null") as { env: Record<string, string> }).env.MOLECULE_LLM_BASE_URL,
      "http://from-cp/v1",
    );
  });

  test("a CP error or an unreachable CP never stops boot", async () => {
    await cp.override({ method: "GET", path: "/cp/tenants/config", status: 500, body: { error: "boom" } });
    const lines: typeof bootLines = [];
    await another(cpEnv(), recordingLog(lines));
    assert.match(String(lines.find((l) => l.msg.includes("ignored"))?.obj.reason), /CP answered 500/);
    await another(cpEnv({ MOLECULE_CP_URL: DEAD_URL }), recordingLog(lines));
    assert.match(String(lines.filter((l) => l.msg.includes("ignored")).at(-1)?.obj.reason), /ECONNREFUSED/);
  });

  test("no refresh unless the tenant is managed (org id and admin token)", async () => {
    const lone = await startCp();
    try {
      await another(cpEnv({ MOLECULE_CP_URL: lone.url, ADMIN_TOKEN: "" }));
      assert.equal((await lone.journal()).length, 0);
    } finally {
      await lone.close();
    }
  });
});

describe("CP provisioning on workspace create", () => {
  test("POST /cp/workspaces/provision with the anchor's headers and body; instance_id recorded", async () => {
    const id = await createWorkspace(tenant.url, { name: "prov-ok", tier: 0, runtime: "langgraph" });
    const sent = await eventually("provision call", async () =>
      (await cp.journal({ method: "POST", path: "/cp/workspaces/provision" })).find((r) =>
        r.body?.includes(id),
      ),
    );
    assert.equal(sent.headers.authorization, "Bearer shared-secret");
    assert.equal(sent.headers["x-molecule-admin-token"], ADMIN_TOKEN);
    assert.deepEqual(JSON.parse(sent.body ?? "null"), {
      org_id: ORG_ID,
      workspace_id: id,
      runtime: "langgraph",
      tier: 3,
      platform_url: "http://tenant-test:8080",
      env: {
        WORKSPACE_ID: id,
        PLATFORM_URL: "http://tenant-test:8080",
        MOLECULE_LLM_BASE_URL: "http://cp-stub:9090/llm/openai/v1",
      },
    });
    assert.doesNotMatch(sent.body ?? "", /usage-token/, "the tenant's own LLM usage token is not handed out");
    const done = await settledStatus(tenant, id);
    assert.equal(done.instance_id, `mol-ws-${id}`);
    assert.equal(done.status, "provisioning", "online only once the runtime registers");
  });

  test("a CP 500 ends in status failed with last_sample_error, observable via the API", async () => {
    await cp.override({
      method: "POST",
      path: "/cp/workspaces/provision",
      status: 500,
      body: { error: "boom" },
    });
    const id = await createWorkspace(tenant.url, { name: "prov-500" });
    const done = await settledStatus(tenant, id);
    assert.equal(done.status, "failed");
    const listed = (await call(tenant.url, "GET", "/workspaces", { headers: admin() }))
      .json<Record<string, unknown>[]>()
      .find((w) => w.id === id);
    assert.equal(listed?.last_sample_error, "provisioning failed");
    const metrics = await call(tenant.url, "GET", "/metrics");
    assert.match(metrics.text, /molecule_cp_provision_total\{outcome="failure"\} [1-9]/);
  });

  test("anything but 201 with instance_id and state is a failure", async () => {
    for (const [status, body] of [
      [200, { instance_id: "mol-ws-x", state: "running" }],
      [201, { id: "x" }],
      [201, "created"],
    ] as const) {
      await cp.override({
        method: "POST",
        path: "/cp/workspaces/provision",
        status,
        ...(typeof body === "string" ? { bodyText: body } : { body }),
      });
      const id = await createWorkspace(tenant.url, { name: `prov-${status}` });
      assert.equal((await settledStatus(tenant, id)).status, "failed", JSON.stringify(body));
    }
  });

  test("a CP slower than the timeout ends in failed, not stuck", async () => {
    await cp.override({
      method: "POST",
      path: "/cp/workspaces/provision",
      status: 201,
      body: { instance_id: "late", state: "running" },
      delayMs: 4000,
    });
    const id = await createWorkspace(tenant.url, { name: "prov-slow" });
    assert.equal((await workspace(tenant, id)).status, "provisioning", "create answered before the CP did");
    const done = await settledStatus(tenant, id);
    assert.equal(done.status, "failed");
    assert.equal(done.instance_id, null);
  });

  test("an unreachable CP ends in failed", async () => {
    const t = await another(cpEnv({ CP_PROVISION_URL: DEAD_URL }));
    const id = await createWorkspace(t.url, { name: "prov-dead" });
    assert.equal((await settledStatus(t, id)).status, "failed");
  });

  test("a workspace that registered meanwhile keeps its status", async () => {
    const failures = async () =>
      Number(
        /molecule_cp_provision_total\{outcome="failure"\} (\d+)/.exec(
          (await call(tenant.url, "GET", "/metrics")).text,
        )?.[1] ?? 0,
      );
    const before = await failures();
    // The CP answers 500 only after the runtime has come online; that failure must not demote it.
    await cp.override({ method: "POST", path: "/cp/workspaces/provision", status: 500, delayMs: 1000 });
    const id = await createWorkspace(tenant.url, { name: "prov-race" });
    await call(tenant.url, "POST", "/registry/heartbeat", { body: { workspace_id: id } });
    assert.equal((await workspace(tenant, id)).status, "online");
    await eventually("the provisioner handled the CP failure", async () =>
      (await failures()) > before ? true : undefined,
    );
    assert.equal((await workspace(tenant, id)).status, "online");
  });

  test("outside tenant mode nothing is sent to the CP", async () => {
    const t = await another(cpEnv({ MOLECULE_ORG_ID: "" }));
    const before = (await cp.journal({ path: "/cp/workspaces/provision" })).length;
    const id = await createWorkspace(t.url, { name: "no-cp" });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await cp.journal({ path: "/cp/workspaces/provision" })).length, before);
    assert.equal((await workspace(t, id)).status, "provisioning");
  });
});
