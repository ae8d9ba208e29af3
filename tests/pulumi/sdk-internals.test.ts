/**
 * The SDK and Node internals tests/pulumi/sdk-internals.ts relies on, checked directly: after an
 * upgrade of @pulumi/pulumi (or Node) one of these fails, naming what moved, instead of the L2
 * tests failing for no clear reason.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { hookModuleResolution, instrumentMonitor, waitForRegistrations } from "./sdk-internals";

const scratch = mkdtempSync(join(tmpdir(), "sdk-internals-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

class Thing extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super("test:index:Thing", name, props, opts);
  }
}

test("the mock monitor's registration requests carry what the L2 tests read", async () => {
  await pulumi.runtime.setMocks(
    { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) },
    "proj",
    "dev",
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as Record<string, unknown>;
  assert.equal(typeof monitor.registerResource, "function", "pulumi.runtime.getMonitor().registerResource");
  assert.equal(typeof monitor.registerResourceOutputs, "function", "getMonitor().registerResourceOutputs");
  assert.equal(
    typeof (pulumi.runtime as unknown as { waitForRPCs?: unknown }).waitForRPCs,
    "function",
    "pulumi.runtime.waitForRPCs",
  );

  const log: string[] = [];
  const records = instrumentMonitor(log);
  const first = new Thing("first", { a: 1 });
  new Thing(
    "second",
    { ref: first.id, token: pulumi.secret("s3cret") },
    { dependsOn: [first], deleteBeforeReplace: true, replaceOnChanges: ["a"], ignoreChanges: ["b"] },
  );
  await waitForRegistrations();

  const second = records.resources.find((r) => r.name === "second");
  assert.ok(second, `a registration was seen (log: ${log.join(", ")})`);
  assert.equal(second.type, "test:index:Thing", "request.getType()");
  assert.equal(second.custom, true, "request.getCustom()");
  const firstUrn = records.resources.find((r) => r.name === "first")?.urn;
  assert.ok(firstUrn, "the response's getUrn()");
  assert.ok(second.dependencies.includes(firstUrn), "request.getDependenciesList()");
  assert.deepEqual(second.propertyDependencies.ref, [firstUrn], "request.getPropertydependenciesMap()");
  assert.equal(second.options.deleteBeforeReplace, true, "request.getDeletebeforereplace()");
  assert.deepEqual(second.options.replaceOnChanges, ["a"], "request.getReplaceonchangesList()");
  assert.deepEqual(second.options.ignoreChanges, ["b"], "request.getIgnorechangesList()");
  assert.deepEqual(second.secretInputs, ["token"], "the secret wrapper's signature");
  assert.equal(second.inputs.token, "s3cret", "secrets unwrapped");
});

test("Module._resolveFilename swaps a module for its stub, and the undo restores it", () => {
  writeFileSync(join(scratch, "real.js"), 'module.exports = "real";\n');
  writeFileSync(join(scratch, "stub.js"), 'module.exports = "stub";\n');
  writeFileSync(join(scratch, "user.js"), 'module.exports = () => require("./real");\n');
  const undo = hookModuleResolution(new Map([[join(scratch, "real"), join(scratch, "stub.js")]]));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal((require(join(scratch, "user.js")) as () => string)(), "stub", "Module._resolveFilename");
  } finally {
    undo();
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  assert.equal(require(join(scratch, "real.js")) as string, "real");
});
