/** The seed against a fake tenant on loopback: server ids, idempotence, clear errors. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { HarnessTarget } from "../program/contracts/target";
import { HarnessError } from "./errors";
import { seed } from "./seed";
import { startFakeEdge, type FakeEdge } from "./test-support/fake-edge";
import { lines, makeTarget } from "./test-support/fixtures";

describe("seed", () => {
  let edge: FakeEdge;
  let target: HarnessTarget;

  before(async () => {
    const base = makeTarget();
    edge = await startFakeEdge({ tenants: base.tenants, legacyHost: base.legacyHost });
    target = { ...base, edgeUrl: edge.url };
  });
  after(() => edge.close());

  test("creates <tenant>-parent (tier 0) and <tenant>-child (tier 1, parent_id) with server ids", async () => {
    const progress = lines();
    const result = await seed({ target, progress: progress.push });
    for (const name of ["alpha", "beta"]) {
      const rows = await edge.workspaces(name);
      const parent = rows.find((w) => w.name === `${name}-parent`);
      const child = rows.find((w) => w.name === `${name}-child`);
      assert.ok(parent && child);
      assert.deepEqual(result.tenants[name], { parent: parent.id, child: child.id });
      assert.equal(child.parent_id, parent.id);
      assert.equal(parent.tier, 3, "tier 0 was sent (the tenant turns it into 3)");
      assert.equal(child.tier, 1);
      assert.equal(parent.runtime, "langgraph");
    }
    const posts = edge.requests.filter((r) => r.method === "POST");
    assert.equal(posts.length, 4);
    // The tenants are seeded at the same time: alpha's requests in their order, among beta's.
    const alphaPosts = posts.filter((p) => p.headers.host === "harness-tenant-alpha.localhost");
    assert.equal(alphaPosts.length, 2);
    assert.equal(alphaPosts[0].headers.authorization, "Bearer token-alpha");
    assert.equal(alphaPosts[0].headers["x-molecule-org-id"], "org-alpha");
    assert.deepEqual(JSON.parse(alphaPosts[0].body), { name: "alpha-parent", tier: 0, runtime: "langgraph" });
    assert.ok(progress.all.some((l) => /\[seed\] alpha: created alpha-parent [0-9a-f-]{36}/.test(l)));
  });

  test("idempotent: a second run reuses every workspace by name and creates nothing", async () => {
    const first = await seed({ target, progress: () => undefined });
    const postsBefore = edge.requests.filter((r) => r.method === "POST").length;
    const progress = lines();
    const second = await seed({ target, progress: progress.push });
    assert.deepEqual(second, first);
    assert.equal(edge.requests.filter((r) => r.method === "POST").length, postsBefore);
    for (const name of ["alpha", "beta"]) {
      const names = (await edge.workspaces(name)).map((w) => w.name).sort();
      assert.deepEqual(names, [`${name}-child`, `${name}-parent`], "no duplicated rows");
    }
    assert.ok(progress.all.some((l) => l.includes("[seed] beta: reusing beta-child")));
  });

  test("a tenant that answers /health with 502 through the edge: HarnessError naming tenant, host, edge", async () => {
    edge.misbehave.down = ["beta"];
    try {
      await assert.rejects(seed({ target, healthTimeoutMs: 300, progress: () => undefined }), (e: Error) => {
        assert.ok(e instanceof HarnessError);
        assert.match(
          e.message,
          new RegExp(
            `^seed: tenant "beta" is not reachable: GET /health with Host harness-tenant-beta\\.localhost via the edge ${edge.url} did not answer 200 within 0s \\(last: HTTP 502; body: .*bad gateway`,
          ),
        );
        return true;
      });
    } finally {
      edge.misbehave.down = [];
    }
  });

  test("a failing create is a HarnessError with the status and body", async () => {
    const fresh = await startFakeEdge({ tenants: target.tenants });
    fresh.misbehave.createFails = true;
    try {
      await assert.rejects(
        seed({ target: { ...target, edgeUrl: fresh.url }, progress: () => undefined }),
        /seed: tenant "alpha": creating workspace alpha-parent \(POST \/workspaces \(Host: harness-tenant-alpha\.localhost\)\) answered HTTP 500; body: \{"error":"insert failed"\}/,
      );
    } finally {
      await fresh.close();
    }
  });

  test("wrong admin token: the 401 body is in the message", async () => {
    const wrong = { ...target, tenants: target.tenants.map((t) => ({ ...t, adminToken: "nope" })) };
    await assert.rejects(
      seed({ target: wrong, progress: () => undefined }),
      /seed: tenant "alpha": listing workspaces .* answered HTTP 401; body: \{"error":"invalid admin auth token"\}/,
    );
  });
});
