/**
 * Step g (F1): a tenant image that never becomes healthy. `up` fails as soon as Docker calls the
 * container unhealthy, well before the configured wait (set long here, so a failure that waited it
 * out could not pass), naming the container, with its last probes and log lines. The next `up` does
 * not accept the container: its health gate checks it again and fails the same way.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { labelled, named, REPO_ROOT, testStack, type Run, type TestStack } from "./test-support";

const TIMEOUT = { timeout: 10 * 60_000 };

async function failedUp(s: TestStack): Promise<Pick<Run, "steps" | "output"> & { message: string }> {
  try {
    await s.up();
  } catch (error) {
    const e = error as Error & Run;
    return { steps: e.steps, output: e.output, message: `${e.message}\n${e.output}` };
  }
  throw new Error("up succeeded with a tenant that is never healthy");
}

describe("a tenant that never becomes healthy", { concurrency: false }, () => {
  let s: TestStack;
  before(async () => {
    s = await testStack("sick", {
      "harness:tenants": [{ name: "alpha" }],
      "harness:tenantImage": {
        build: {
          context: join(REPO_ROOT, "tests", "engine", "fixtures", "never-healthy"),
          args: { NODE_BASE: "harness-local/node:20" },
        },
        healthcheck: "image",
      },
      "harness:waitTimeoutSeconds": 900,
    });
  });
  after(async () => {
    await s.destroy().catch(() => undefined);
    const left = await labelled(s.label);
    await s.dispose();
    assert.deepEqual(left, [], "destroy left objects labelled for the stack");
  });

  test("g. up fails at once, naming the container, with its probes and logs", TIMEOUT, async () => {
    const up = await failedUp(s);
    assert.match(up.message, new RegExp(`container ${s.name}-tenant-alpha is unhealthy`));
    assert.match(up.message, /never-healthy: this tenant refuses to become healthy/, "its last log lines");
    assert.match(up.message, /last health probes/);
    assert.doesNotMatch(
      up.message,
      /did not become healthy within/,
      "it did not wait out harness:waitTimeoutSeconds",
    );
    assert.ok(named(up.steps, "create").includes("tenant-alpha-container"), "the container was created");
    assert.ok(!named(up.steps, "create").includes("seed-command"), "nothing after the tenant ran");
  });

  test("g. the next up does not accept that container", TIMEOUT, async () => {
    const up = await failedUp(s);
    assert.match(up.message, new RegExp(`container ${s.name}-tenant-alpha is unhealthy`));
    assert.match(up.message, /pulumi up --replace/, "says how to recreate it");
    assert.ok(!named(up.steps, "create").includes("seed-command"));
  });
});
