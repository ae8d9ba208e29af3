/**
 * L5, case 2: a tenant image built WITHOUT the GIT_SHA build arg (it reports the Dockerfile's default)
 * while the stack expects `harness:gitSha` — exactly the buildinfo replay fails (#2395, the stale-image
 * bug class), every other replay passes, and the outputs say so (`replaysPassed: false`).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { bundleService } from "../../images/bundle";
import { packBuildContext, planBuildContext } from "../../e2e/docker-ops/build-context";
import { cleanUp, docker, phaseLine, REPO_ROOT, startDriver, uniqueStack } from "./support";

const stack = uniqueStack("stale");
/** Not labelled for the stack (it is an input, like a user's prebuilt image); removed in `after`. */
const image = `harness-e2e-fixture/tenant-no-git-sha:${stack}`;

before(async () => {
  bundleService("tenant", REPO_ROOT);
  const context = `${REPO_ROOT}/tenant`;
  const plan = planBuildContext(context, `${context}/Dockerfile`);
  // The tenant's own Dockerfile, with its base but no GIT_SHA: /buildinfo reports the default.
  const stream = await docker.buildImage(packBuildContext(context, plan), {
    t: image,
    dockerfile: plan.dockerfile,
    buildargs: { NODE_BASE: "harness-local/node:20" },
    version: "1",
    rm: true,
  });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, events: { error?: string }[]) => {
      const failed = error?.message ?? events.find((e) => e.error)?.error;
      return failed ? reject(new Error(failed)) : resolve();
    }),
  );
});

after(async () => {
  await docker
    .getImage(image)
    .remove({ force: true })
    .catch(() => undefined);
  const left = await cleanUp(stack);
  assert.deepEqual(left, [], "the case left objects labelled for its stack (removed now)");
});

test(
  "a tenant built without GIT_SHA: exactly the buildinfo replay fails, the outputs say so",
  { timeout: 20 * 60_000 },
  async (t) => {
    const run = await startDriver(stack, [
      "--config",
      `harness:tenantImage=${JSON.stringify({ image, healthcheck: "image" })}`,
    ]).done;
    t.diagnostic(phaseLine(run));
    assert.equal(
      run.code,
      1,
      `expected exit 1 (a replay failed), got ${run.code}: ${run.report?.error ?? run.stderr.slice(-2000)}`,
    );
    const results = run.report?.results ?? [];
    const failed = results.filter((r) => r.status !== "PASS");
    t.diagnostic(`not passed: ${failed.map((r) => `${r.status} ${r.name}: ${r.message}`).join(" | ")}`);
    assert.deepEqual(
      failed.map((r) => [r.name, r.status]),
      results.filter((r) => r.name.includes("buildinfo")).map((r) => [r.name, "FAIL"]),
      "exactly the buildinfo replay fails",
    );
    assert.equal(failed.length, 1);
    assert.match(failed[0].message, /dev|GIT_SHA|harness/, "the failure names the stale sha");
    const outputs = run.outputs!;
    assert.equal(outputs.replaysPassed, false, "the outputs say the replays did not pass");
    const summary = outputs.replays as { failed: number; results: { name: string; status: string }[] };
    assert.equal(summary.failed, 1);
    assert.deepEqual(run.report?.teardown?.leaks, [], "the destroy left nothing");
  },
);
