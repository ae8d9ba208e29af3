/**
 * L5, case 1: the default two-tenant stack (Pulumi.e2e.yaml) booted for real with KEEP_UP — every
 * replay passes, the outputs file holds the CI contract (secrets in clear, mode 0600), the edge
 * answers a person's curl on loopback — then `e2e:down` leaves nothing labelled for the stack.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { request } from "undici";
import { LABEL_ROLE, LABEL_STACK } from "../../lib/naming";
import {
  cleanUp,
  docker,
  labelledLeft,
  phaseLine,
  REPO_ROOT,
  stackLabel,
  startDriver,
  uniqueStack,
} from "./support";

const stack = uniqueStack("default");

after(async () => {
  const left = await cleanUp(stack);
  assert.deepEqual(left, [], "the case left objects labelled for its stack (removed now)");
});

async function get(edgeUrl: string, host: string, path: string): Promise<{ status: number; body: string }> {
  const res = await request(`${edgeUrl}${path}`, { headers: { host } });
  return { status: res.statusCode, body: await res.body.text() };
}

test(
  "the default two-tenant stack boots, every replay passes, it stays up for a person, e2e:down removes it",
  { timeout: 20 * 60_000 },
  async (t) => {
    const up = await startDriver(stack, ["--keep-up"]).done;
    t.diagnostic(`up: ${phaseLine(up)}`);
    assert.equal(
      up.code,
      0,
      `the run failed (exit ${up.code}): ${up.report?.error ?? up.stderr.slice(-2000)}`,
    );

    // The verdict: every replay ran and passed.
    const report = up.report!;
    assert.equal(report.result, "passed");
    const notPassed = (report.results ?? []).filter((r) => r.status !== "PASS");
    assert.deepEqual(notPassed, [], "every replay must PASS");
    assert.ok((report.replays?.total ?? 0) > 0, "the suite ran replays");
    t.diagnostic(`replays: ${report.results!.map((r) => `${r.status} ${r.name}`).join(", ")}`);

    // The CI contract, as `pulumi stack output --json --show-secrets` would print it.
    const outputs = up.outputs!;
    assert.equal(up.outputsMode, 0o600, "the outputs file holds secrets: mode 0600");
    assert.equal(outputs.replaysPassed, true);
    const edgeUrl = String(outputs.edgeUrl);
    assert.match(edgeUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const tokens = outputs.adminTokens as Record<string, string>;
    assert.deepEqual(Object.keys(tokens), ["alpha", "beta"]);
    assert.ok(
      Object.values(tokens).every((v) => v.length >= 32),
      "admin tokens are in the file, in clear",
    );
    const tenants = outputs.tenants as Record<string, { host: string; databaseUrl: string }>;
    assert.match(tenants.alpha.databaseUrl, /^postgres:\/\/harness:[^@]+@127\.0\.0\.1:\d+\/molecule/);
    const reports = outputs.reports as { json: string; junit: string };
    assert.ok(
      existsSync(reports.json) && existsSync(reports.junit),
      "the runner's JSON and JUnit reports exist",
    );

    // A person's curl (what KEEP_UP is for).
    for (const host of [
      "harness-tenant-alpha.localhost",
      "harness-tenant-beta.localhost",
      "harness-tenant.localhost",
    ]) {
      assert.equal((await get(edgeUrl, host, "/health")).status, 200, `GET /health with Host ${host}`);
    }
    assert.equal(
      (await get(edgeUrl, "nobody.localhost", "/health")).status,
      421,
      "an unknown Host is refused at the edge",
    );

    // Every container: labelled for the stack, published on loopback only.
    const containers = await docker.listContainers({
      filters: { label: [`${LABEL_STACK}=${stackLabel(stack)}`] },
    });
    assert.equal(containers.length, 7, "redis, cp-stub, 2 × (postgres, tenant), cf-proxy");
    for (const c of containers) {
      assert.ok(c.Labels[LABEL_ROLE], `${c.Names[0]} carries ${LABEL_ROLE}`);
      assert.ok(c.Names[0].startsWith(`/${stack}-`), `${c.Names[0]} is named after the stack`);
      for (const p of c.Ports.filter((port) => port.PublicPort))
        assert.equal(p.IP, "127.0.0.1", `${c.Names[0]} publishes on loopback only`);
    }

    // e2e:down (the other half of KEEP_UP).
    const down = await startDriver(stack, [], "down").done;
    assert.equal(down.code, 0, `e2e:down failed: ${down.stderr.slice(-2000)}`);
    assert.deepEqual(await labelledLeft(stack), [], "nothing labelled for the stack after e2e:down");
    assert.ok(!existsSync(join(REPO_ROOT, ".harness", "e2e", `${stack}.state.json`)), "the ledger is gone");
  },
);
