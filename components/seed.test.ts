/**
 * The seed under plain setMocks: one `<name>-command` running the bundled runner's `seed` with plain
 * node in the repo, HARNESS_TARGET (tokens, database URLs) only in its secret environment, never on
 * the command line; re-run when a tenant container is replaced (its ids are the triggers); declared
 * only once everything it waits for is there; its stdout (the ids, no secret) parsed as the result.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { Seed } from "./seed";
import { recordDeclarations, the, valueOf } from "./test-support/declare";

const REPO = join(__dirname, "..");
const COMMAND = "command:local:Command";
const SEED_JSON = JSON.stringify({ tenants: { alpha: { parent: "ws-1", child: "ws-2" } } });
const TARGET = JSON.stringify({ tenants: [{ name: "alpha", adminToken: "tok-SECRET-123" }] });

test("seed: the runner's seed with the target in a secret environment, re-run per tenant container, waits for `after`", async () => {
  const declared = await recordDeclarations({
    stdout: { "seed-command": `progress on stderr only\n${SEED_JSON}\n` },
  });
  // What it waits for (the health gates): resolved only when the test says so.
  let open!: (r: pulumi.Resource) => void;
  const gate = new Promise<pulumi.Resource>((resolve) => (open = resolve));
  const seed = new Seed("seed", {
    repoRoot: REPO,
    target: TARGET,
    tenantContainerIds: [pulumi.output("tenant-alpha-id"), "tenant-beta-id"],
    after: [pulumi.output(gate)],
  });

  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(
    declared.some((d) => d.name === "seed-command"),
    false,
    "not declared before what it waits for is",
  );
  open(seed); // any resource will do: the gate is open
  assert.deepEqual(await valueOf(seed.result), JSON.parse(SEED_JSON), "the last JSON line of stdout");

  const cmd = the(declared, COMMAND, "seed-command");
  assert.match(String(cmd.inputs.create), /^node runner\/dist\/cli\.js seed$/, "the bundle, plain node");
  assert.equal(cmd.inputs.update, cmd.inputs.create, "an update re-seeds the same way");
  assert.ok(existsSync(join(REPO, "runner", "dist", "cli.js")), "the runner is bundled before it is named");
  assert.equal(cmd.inputs.dir, REPO);
  assert.deepEqual(cmd.inputs.triggers, ["tenant-alpha-id", "tenant-beta-id"], "a replaced tenant re-seeds");
  assert.equal(cmd.inputs.logging, "stderr", "progress logged, the JSON (stdout) not");
  assert.equal(cmd.inputs.addPreviousOutputInEnv, false);
  assert.ok(!String(cmd.inputs.create).includes("tok-SECRET-123"), "no secret on the command line");

  assert.equal(await pulumi.isSecret(seed.command.environment), true, "the target is secret in state");
  const env = (await valueOf(seed.command.environment)) ?? {};
  assert.deepEqual(Object.keys(env), ["HARNESS_TARGET"]);
  assert.equal(env.HARNESS_TARGET, TARGET);
});
