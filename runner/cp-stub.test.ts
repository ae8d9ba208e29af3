/** ctx.cpStub and the failure artifacts against the real cp-stub (cp-stub/) on loopback. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { request } from "undici";
import { buildCpStub, type CpStub } from "../cp-stub/src/app";
import { createContext } from "./context";
import { runReplays } from "./run";
import { makeReplayDir, makeTarget, SEED, tsReplay } from "./test-support/fixtures";

describe("ctx.cpStub and the cp-stub journal artifact", () => {
  let stub: CpStub;
  let url: string;

  before(async () => {
    stub = buildCpStub();
    url = (await stub.listen(0, "127.0.0.1")).url;
  });
  after(() => stub.close(500));

  test("ctx.cpStub is the cp-stub's client: reset, overrides, journal, counters", async () => {
    const { ctx, close } = createContext({
      name: "x",
      target: makeTarget({ cpStubUrl: url }),
      seed: SEED,
      env: {},
      write: () => undefined,
    });
    try {
      await ctx.cpStub.reset();
      const route = await ctx.cpStub.addRoute({
        method: "POST",
        path: "/cp/workspaces/provision",
        status: 500,
        body: { error: "boom" },
      });
      const res = await request(`${url}/cp/workspaces/provision`, {
        method: "POST",
        body: '{"workspace_id":"w1"}',
      });
      assert.equal(res.statusCode, 500);
      await res.body.text();
      const seen = await ctx.cpStub.waitForRequests({ method: "POST", path: "/cp/workspaces/provision" });
      assert.equal(seen[0].overrideId, route.id);
      assert.equal(seen[0].body, '{"workspace_id":"w1"}');
      assert.equal((await ctx.cpStub.state()).provision_calls, 0, "an overridden call is not counted");
      assert.deepEqual(await ctx.cpStub.listRoutes(), [], "a once-override is gone after its hit");
    } finally {
      await close();
    }
  });

  test("no published cp-stub: every ctx.cpStub call says so", async () => {
    const { ctx, close } = createContext({
      name: "x",
      target: makeTarget({ cpStubUrl: "" }),
      seed: SEED,
      env: {},
      write: () => undefined,
    });
    await assert.rejects(ctx.cpStub.requests(), /the cp-stub is not published on the host for this stack/);
    await close();
  });

  test("a failing run's artifacts hold the cp-stub journal (GET /__stub/requests)", async () => {
    const dir = makeReplayDir();
    dir.write(
      "calls-cp.ts",
      tsReplay(`{ closes: null, proves: "x", async run(ctx) {
        await ctx.cpStub.addRoute({ method: "GET", path: "/cp/tenants/config", status: 503, times: "sticky" });
        const res = await fetch(ctx.target.cpStubUrl + "/cp/tenants/config");
        await res.text();
        ctx.assert.expectEqual(res.status, 200, "CP config");
      } }`),
    );
    const summary = await runReplays({
      replaysDir: dir.replays,
      target: makeTarget({ cpStubUrl: url, reportsDir: dir.reports }),
      seed: SEED,
      progress: () => undefined,
      logSource: null,
      stepSummaryFile: null,
    });
    assert.equal(summary.results[0].message, "CP config: expected 200, got 503");
    const journal = JSON.parse(
      readFileSync(join(dir.reports, "artifacts", "cp-stub-requests.json"), "utf8"),
    ) as {
      method: string;
      path: string;
      status: number;
    }[];
    assert.ok(journal.some((e) => e.method === "GET" && e.path === "/cp/tenants/config" && e.status === 503));
  });
});
