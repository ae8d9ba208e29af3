/**
 * The real engine's state tracking, step by step on one stack (steps a–f and h of the pulumi tier,
 * plus F9, objects removed out of band): preview creates nothing; `up` boots, seeds and passes every replay with the
 * CI contract in the outputs; a second `up` changes nothing; an edited replay re-runs only the
 * replays; an edge setting replaces only the edge (and re-runs the replays, which test it); a new
 * gitSha rebuilds the tenant image and replaces exactly what runs it; a container and image removed
 * by hand come back with `up --refresh`; destroy leaves nothing. Each step asserts on the engine's
 * own steps.
 */
import assert from "node:assert/strict";
import { appendFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { request } from "undici";
import { LABEL_ROLE, LABEL_STACK } from "../../lib/naming";
import { changes, copyReplays, docker, labelled, named, testStack, type TestStack } from "./support";

const TIMEOUT = { timeout: 15 * 60_000 };

describe("one stack through its life on the real engine", { concurrency: false }, () => {
  let s: TestStack;
  const replays = copyReplays();
  const config: Record<string, unknown> = { "harness:replays": { dir: replays.dir.split("/").pop() } };

  before(async () => {
    s = await testStack("life", config);
  });
  after(async () => {
    const left = await labelled(s.label);
    if (left.length > 0) await s.destroy().catch(() => undefined);
    await s.dispose();
    replays.dispose();
    assert.deepEqual(left, [], "the test left Docker objects labelled for its stack (destroyed now)");
  });

  test("a. preview on a new stack plans everything and creates nothing", TIMEOUT, async () => {
    const preview = await s.preview();
    const planned = named(preview.steps, "create");
    for (const r of [
      "network-bridge",
      "tenant-alpha-container",
      "tenant-image-image",
      "cf-proxy-container",
    ]) {
      assert.ok(planned.includes(r), `the plan creates ${r}: ${planned.join(", ")}`);
    }
    assert.deepEqual(
      changes(preview.steps).filter((c) => !c.startsWith("create ")),
      [],
      "only creates",
    );
    assert.deepEqual(await labelled(s.label), [], "no container, network or image exists after a preview");
    const images = await docker.listImages({ filters: { reference: [`harness-${s.name}/*`] } });
    assert.deepEqual(images, [], "no image was built");
  });

  test("b. up boots, seeds and passes every replay; the outputs are the CI contract", TIMEOUT, async (t) => {
    const up = await s.up();
    assert.ok(named(up.steps, "create").includes("replays-command"));
    const out = await s.outputs();
    const summary = out.replays as {
      total: number;
      failed: number;
      results: { name: string; status: string }[];
    };
    const expected = readdirSync(replays.dir).filter((f) => /\.(ts|sh)$/.test(f)).length;
    assert.equal(summary.total, expected, "every replay ran");
    assert.deepEqual(
      summary.results.filter((r) => r.status !== "PASS"),
      [],
      "every replay passed",
    );
    assert.equal(out.replaysPassed, true);
    t.diagnostic(`replays: ${summary.results.map((r) => `${r.status} ${r.name}`).join(", ")}`);

    for (const key of [
      "edgeUrl",
      "legacyHost",
      "tenants",
      "cpStubUrl",
      "adminTokens",
      "seed",
      "replays",
      "replaysPassed",
      "reports",
      "containers",
    ]) {
      assert.ok(key in out, `output ${key}`);
    }
    const secret = await s.secretOutputs();
    assert.ok(secret.includes("adminTokens"), "adminTokens is a secret output");
    assert.ok(
      !secret.includes("replays") && !secret.includes("seed"),
      "the replay summary and seed ids are not",
    );
    const edgeUrl = String(out.edgeUrl);
    assert.match(edgeUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(String(out.cpStubUrl), /^http:\/\/127\.0\.0\.1:\d+$/);
    const tenants = out.tenants as Record<string, { host: string; databaseUrl: string }>;
    assert.deepEqual(Object.keys(tenants).sort(), ["alpha", "beta"]);
    assert.match(tenants.alpha.databaseUrl, /^postgres:\/\/harness:[^@]+@127\.0\.0\.1:\d+\/molecule/);
    const seed = out.seed as { tenants: Record<string, { parent: string; child: string }> };
    assert.ok(seed.tenants.alpha.parent && seed.tenants.beta.child, "the seeded ids");

    for (const host of [
      "harness-tenant-alpha.localhost",
      "harness-tenant-beta.localhost",
      "harness-tenant.localhost",
    ]) {
      const res = await request(`${edgeUrl}/health`, { headers: { host } });
      await res.body.dump();
      assert.equal(res.statusCode, 200, `GET /health with Host ${host}`);
    }
    const unknown = await request(`${edgeUrl}/health`, { headers: { host: "nobody.localhost" } });
    await unknown.body.dump();
    assert.equal(unknown.statusCode, 421, "an unknown Host is refused at the edge");

    const containers = await docker.listContainers({ filters: { label: [`${LABEL_STACK}=${s.label}`] } });
    assert.equal(containers.length, 7, "redis, cp-stub, 2 × (postgres, tenant), cf-proxy");
    for (const c of containers) {
      assert.ok(c.Labels[LABEL_ROLE], `${c.Names[0]} carries ${LABEL_ROLE}`);
      for (const p of c.Ports.filter((port) => port.PublicPort)) {
        assert.equal(p.IP, "127.0.0.1", `${c.Names[0]} publishes on loopback only`);
      }
    }
  });

  test("c. a second up with --expect-no-changes changes nothing", TIMEOUT, async () => {
    const up = await s.up({ expectNoChanges: true });
    assert.deepEqual(changes(up.steps), []);
  });

  test("d. editing a replay re-runs only the replays Command", TIMEOUT, async () => {
    appendFileSync(join(replays.dir, "peer-discovery-404.ts"), "\n// edited by the pulumi tier\n");
    const up = await s.up();
    assert.deepEqual(named(up.steps, "replace"), ["replays-command"]);
    assert.deepEqual(
      changes(up.steps).filter((c) => !c.endsWith(" replays-command")),
      [],
      "nothing else changed",
    );
    assert.equal((await s.outputs()).replaysPassed, true);
  });

  test(
    "e. an edge setting replaces only the edge container (the replays, which test it, re-run)",
    TIMEOUT,
    async () => {
      const before = await s.outputs();
      s.setConfig({ ...config, "harness:edge": { port: 0, readTimeoutSeconds: 90 } });
      const up = await s.up();
      assert.deepEqual(named(up.steps, "replace"), ["cf-proxy-container", "replays-command"]);
      assert.deepEqual(
        changes(up.steps).filter((c) => !/ (cf-proxy-container|replays-command)$/.test(c)),
        [],
        "no other resource changed: not the seed, not the tenants",
      );
      const after = await s.outputs();
      assert.equal(after.edgeUrl, before.edgeUrl, "the replaced edge keeps the stack's port");
      assert.deepEqual(after.seed, before.seed, "the seed did not re-run");
      assert.equal(after.replaysPassed, true);
    },
  );

  test(
    "f. a new gitSha rebuilds the tenant image and replaces the tenants, the seed and the replays; nothing else",
    TIMEOUT,
    async () => {
      s.setConfig({
        ...config,
        "harness:edge": { port: 0, readTimeoutSeconds: 90 },
        "harness:gitSha": "f00dcafe",
      });
      const up = await s.up();
      assert.deepEqual(named(up.steps, "replace"), [
        "replays-command",
        "seed-command",
        "tenant-alpha-container",
        "tenant-beta-container",
        "tenant-image-image",
      ]);
      assert.deepEqual(
        changes(up.steps).filter(
          (c) => !/ (replays-command|seed-command|tenant-(alpha|beta)-container|tenant-image-image)$/.test(c),
        ),
        [],
        "the edge, postgres, redis, the cp-stub and their images are untouched",
      );
      const out = await s.outputs();
      assert.equal(out.replaysPassed, true, "buildinfo-stale-image sees the new GIT_SHA on every tenant");
    },
  );

  test(
    "F9. a container and its image removed by hand are recreated by up --refresh; a plain up would not see it",
    TIMEOUT,
    async () => {
      const [image] = await docker.listImages({ filters: { reference: [`harness-${s.name}/tenant`] } });
      assert.ok(image?.RepoTags?.[0], "the tenant image exists");
      const alpha = docker.getContainer(`${s.name}-tenant-alpha`);
      await alpha.remove({ force: true });
      // The other tenant still runs the image: only the tag can go (what `docker rmi -f <tag>` does).
      await docker.getImage(image.RepoTags[0]).remove({ force: true });

      const plain = await s.preview();
      assert.deepEqual(changes(plain.steps), [], "without a refresh the engine believes its state");

      const up = await s.up({ refresh: true });
      const recreated = named(up.steps, "create");
      assert.ok(
        recreated.includes("tenant-image-image"),
        `the image is rebuilt: ${changes(up.steps).join(", ")}`,
      );
      assert.ok(recreated.includes("tenant-alpha-container"), "the removed tenant is recreated");
      assert.ok(
        (await docker.listImages({ filters: { reference: [`harness-${s.name}/tenant`] } })).length === 1,
      );
      assert.equal((await s.outputs()).replaysPassed, true);
    },
  );

  test("h. destroy leaves nothing labelled for the stack", TIMEOUT, async () => {
    const destroy = await s.destroy();
    assert.ok(named(destroy.steps, "delete").includes("network-bridge"));
    assert.deepEqual(await labelled(s.label), []);
    const images = await docker.listImages({ filters: { reference: [`harness-${s.name}/*`] } });
    assert.deepEqual(images, [], "the built images are removed too");
  });
});
