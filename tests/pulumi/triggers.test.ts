/**
 * L2: what Pulumi's diff would see between two runs of the program. The engine re-creates or updates
 * a resource when its inputs change, so comparing registered inputs across loads shows what a second
 * `up` would rebuild, replace or re-run.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { builtImages, COMMAND, CONTAINER, FIXTURE_REPLAYS, Graph, load, pickedPort } from "./test-support";
import { REPO_ROOT } from "./load-program";

let replaysDir: string;
before(() => {
  replaysDir = mkdtempSync(join(tmpdir(), "harness-replays-"));
  cpSync(join(REPO_ROOT, FIXTURE_REPLAYS), replaysDir, { recursive: true });
});
after(() => rmSync(replaysDir, { recursive: true, force: true }));

const withReplays = (extra: Record<string, unknown> = {}) => ({
  "harness:replays": { dir: replaysDir },
  ...extra,
});

/** Names of resources whose inputs differ between two loads (what a second `up` would touch). */
function changed(a: Graph, b: Graph): string[] {
  const names = new Set([...a.byName.keys(), ...b.byName.keys()]);
  return [...names]
    .filter((n) => JSON.stringify(a.byName.get(n)?.inputs) !== JSON.stringify(b.byName.get(n)?.inputs))
    .sort();
}

const triggers = (g: Graph) => g.get("replays-command").inputs.triggers as string[];

test("nothing changed: identical inputs everywhere — no rebuild, no replaced container, no re-run, same secrets", async () => {
  const first = new Graph(await load(withReplays()));
  const second = new Graph(await load(withReplays()));
  assert.deepEqual(changed(first, second), []);
  assert.deepEqual(triggers(second), triggers(first));
  for (const cmd of first.ofType(COMMAND).filter((c) => /-(random|port-pick)$/.test(c.name))) {
    assert.deepEqual(second.get(cmd.name).inputs, cmd.inputs, `${cmd.name} has nothing that varies per run`);
  }
  for (const image of builtImages(first))
    assert.equal(
      second.get(image.name).inputs.name,
      image.inputs.name,
      `${image.name}: same content, same tag`,
    );
});

test("a replay file changes: only the replays re-run (its trigger changes; no container, image or seed input does)", async () => {
  const before = new Graph(await load(withReplays()));
  writeFileSync(join(replaysDir, "example.sh"), '#!/usr/bin/env bash\necho "[replay] edited"\n');
  const after = new Graph(await load(withReplays()));
  assert.deepEqual(changed(before, after), ["replays-command"]);
  assert.notEqual(triggers(after)[0], triggers(before)[0]);
  assert.deepEqual(
    triggers(after).slice(1),
    triggers(before).slice(1),
    "image ids and container ids unchanged",
  );

  writeFileSync(join(replaysDir, "new-replay.ts"), "export {};\n");
  const added = new Graph(await load(withReplays()));
  assert.notEqual(triggers(added)[0], triggers(after)[0], "an added replay re-runs too");
});

test("rerun: always re-runs on every up", async () => {
  const a = new Graph(await load(withReplays({ "harness:replays": { dir: replaysDir, rerun: "always" } })));
  await new Promise((r) => setTimeout(r, 5));
  const b = new Graph(await load(withReplays({ "harness:replays": { dir: replaysDir, rerun: "always" } })));
  assert.deepEqual(changed(a, b), ["replays-command"]);
});

test("a tenant build changes (GIT_SHA): tenant image rebuilt, tenant containers replaced, seed and replays re-run", async () => {
  const a = new Graph(await load(withReplays()));
  const b = new Graph(await load(withReplays({ "harness:gitSha": "feedbeef" })));
  const diff = changed(a, b);
  assert.ok(diff.includes("tenant-image-image"));
  assert.notEqual(
    b.get("tenant-image-image").inputs.name,
    a.get("tenant-image-image").inputs.name,
    "a new build input is a new tag: the provider never removes the new image as the old one",
  );
  assert.ok(diff.includes("tenant-alpha-container") && diff.includes("tenant-beta-container"));
  assert.ok(diff.includes("seed-command") && diff.includes("replays-command"));
  for (const untouched of [
    "cp-stub-image",
    "cp-stub-container",
    "redis-container",
    "postgres-alpha-container",
    "postgres-alpha-port-pick",
    "cp-stub-port-pick",
    "network-bridge",
  ]) {
    assert.ok(!diff.includes(untouched), `${untouched} is left alone`);
  }
  assert.notEqual(triggers(b).join(), triggers(a).join());
  assert.deepEqual(
    b.get("seed-command").inputs.triggers,
    ["tenant-alpha-container", "tenant-beta-container"].map((n) => b.get(n).id),
  );
});

test("the edge config changes (read timeout): only the edge container is replaced; no image is rebuilt", async () => {
  const a = new Graph(await load(withReplays()));
  const b = new Graph(await load(withReplays({ "harness:edge": { port: 8080, readTimeoutSeconds: 30 } })));
  const diff = changed(a, b);
  assert.ok(diff.includes("cf-proxy-container"));
  for (const image of builtImages(b)) assert.ok(!diff.includes(image.name), `${image.name} not rebuilt`);
  for (const c of b.ofType(CONTAINER).filter((c) => c.name !== "cf-proxy-container"))
    assert.ok(!diff.includes(c.name), c.name);
});

test("replacing the edge on a picked port keeps the port: the seed's target is unchanged, so no re-seed", async () => {
  const a = new Graph(await load(withReplays({ "harness:edge": { port: 0 } })));
  const b = new Graph(await load(withReplays({ "harness:edge": { port: 0, readTimeoutSeconds: 30 } })));
  // The edge container is replaced; the replays re-run against it (its id is one of their triggers).
  assert.deepEqual(changed(a, b), ["cf-proxy-container", "replays-command"]);
  assert.equal(pickedPort(b, "cf-proxy-port"), pickedPort(a, "cf-proxy-port"));
  assert.deepEqual(b.get("cf-proxy-port-pick").options.ignoreChanges, ["create"], "never re-picked");
  assert.equal(b.result.outputs.edgeUrl, a.result.outputs.edgeUrl);
});

test("a healthcheck change replaces the tenant containers (Docker cannot change it in place)", async () => {
  const a = new Graph(await load(withReplays()));
  const b = new Graph(await load(withReplays({ "harness:tenantImage": { healthcheck: ["CMD", "true"] } })));
  const diff = changed(a, b);
  for (const t of ["tenant-alpha-container", "tenant-beta-container"]) {
    assert.ok(diff.includes(t), t);
    assert.deepEqual((b.get(t).inputs.healthcheck as { tests: string[] }).tests, ["CMD", "true"]);
    assert.ok(b.get(t).options.replaceOnChanges.includes("healthcheck"), `${t}: replaced, not updated`);
  }
  for (const image of builtImages(b)) assert.ok(!diff.includes(image.name), `${image.name} not rebuilt`);
});

test("adding a tenant leaves the existing tenants' secrets and containers alone", async () => {
  const two = new Graph(
    await load(withReplays({ "harness:tenants": [{ name: "alpha" }, { name: "beta" }] })),
  );
  const three = new Graph(
    await load(withReplays({ "harness:tenants": [{ name: "alpha" }, { name: "beta" }, { name: "gamma" }] })),
  );
  const diff = changed(two, three);
  for (const kept of [
    "tenant-alpha-admin-token-random",
    "postgres-alpha-password-random",
    "encryption-key-random",
    "tenant-alpha-container",
    "postgres-beta-container",
    "postgres-alpha-port-pick",
    "cp-stub-port-pick",
  ]) {
    assert.ok(!diff.includes(kept), `${kept} unchanged`);
  }
  assert.ok(diff.includes("tenant-gamma-container"));
  assert.ok(diff.includes("cf-proxy-container"), "the edge routes the new host");
});

test("suites: handed to the runner and exported; editing one re-runs only the replays Command, running one changes nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "harness-suite-"));
  try {
    writeFileSync(join(dir, "test_api.sh"), "echo ok\n");
    // Relative to the repo root, as the config requires (here a folder outside the checkout).
    const cwd = relative(REPO_ROOT, dir);
    const suite = { name: "api", command: "bash test_api.sh", cwd, junit: "out/${HARNESS_STACK}.xml" };
    const config = (suites: unknown[]) => withReplays({ "harness:suites": suites });
    const first = new Graph(await load(config([suite])));
    const expected = [{ ...suite, timeoutSeconds: 600 }];
    const env = first.get("replays-command").inputs.environment as Record<string, string>;
    assert.deepEqual(JSON.parse(env.HARNESS_SUITES), expected);
    assert.deepEqual(first.result.outputs.suites, expected, "the `suites` output: what the runner gets");
    assert.ok(!first.result.secretOutputs.includes("suites"), "not secret");
    const suitesTrigger = (g: Graph) => triggers(g).filter((t) => t.startsWith("suites:"));
    assert.equal(suitesTrigger(first).length, 1);
    assert.match(suitesTrigger(first)[0], /^suites:[0-9a-f]{64}$/);

    // What a run writes into the suite's folder (its JUnit file, Python's caches) is not an input.
    mkdirSync(join(dir, "out"));
    writeFileSync(join(dir, "out", "harness.xml"), "<testsuites/>");
    mkdirSync(join(dir, "__pycache__"));
    writeFileSync(join(dir, "__pycache__", "t.pyc"), "x");
    const ran = new Graph(await load(config([suite])));
    assert.deepEqual(changed(first, ran), []);

    writeFileSync(join(dir, "test_api.sh"), "echo edited\n");
    const edited = new Graph(await load(config([suite])));
    assert.deepEqual(changed(ran, edited), ["replays-command"]);
    assert.notDeepEqual(suitesTrigger(edited), suitesTrigger(ran));
    assert.deepEqual(
      triggers(edited).filter((t) => !t.startsWith("suites:")),
      triggers(ran).filter((t) => !t.startsWith("suites:")),
      "the replays' content, images and containers: unchanged",
    );

    const longer = new Graph(await load(config([{ ...suite, timeoutSeconds: 900 }])));
    assert.deepEqual(changed(edited, longer), ["replays-command"], "a suite's config re-runs it too");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
