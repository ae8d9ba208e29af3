/**
 * A generated secret under plain setMocks: without a configured value, one `<name>-random` Command
 * printing random bytes of the kind's shape, never logged, its stdout the (secret) value; with a
 * configured value, no Command at all and the value secret.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { GeneratedSecret } from "./generated-secret";
import { allOf, recordDeclarations, the, valueOf } from "./test-support/declare";

// One recorder per file: a component registers its outputs after the test awaited it, and a
// second setMocks would drop the resources it still reports on. Each test uses names of its own.
const recording = recordDeclarations();

const COMMAND = "command:local:Command";

test("generated secret: one <name>-random Command per secret, its stdout the value, secret, never logged", async () => {
  const declared = await recording;
  const key = new GeneratedSecret("encryption-key", { kind: "key32" });
  const password = new GeneratedSecret("postgres-alpha-password", { kind: "password" });

  assert.equal(await pulumi.isSecret(key.value), true, "the value is secret");
  assert.equal(await valueOf(key.value), "encryption-key-random-stdout", "the Command's stdout, as is");
  assert.equal(await valueOf(password.value), "postgres-alpha-password-random-stdout");
  assert.deepEqual(allOf(declared, COMMAND).sort(), [
    "encryption-key-random",
    "postgres-alpha-password-random",
  ]);

  const k = the(declared, COMMAND, "encryption-key-random");
  // SECRETS_ENCRYPTION_KEY: 32 bytes, base64. A database password: hex (safe in a URL).
  assert.match(String(k.inputs.create), /randomBytes\(32\)\.toString\('base64'\)/);
  assert.equal(k.inputs.logging, "none", "the secret never reaches the logs");
  assert.equal(k.inputs.addPreviousOutputInEnv, false, "the old value is not handed to the command");
  assert.equal(k.inputs.triggers, undefined, "no triggers: generated once, kept");
  assert.equal(k.inputs.update, undefined, "no update command: a later up does not regenerate");
  const p = the(declared, COMMAND, "postgres-alpha-password-random");
  assert.match(String(p.inputs.create), /toString\('hex'\)/);
  assert.notEqual(p.inputs.create, k.inputs.create, "each kind its own shape");
});

test("generated secret: a configured value wins, secret, and no Command is declared", async () => {
  const declared = await recording;
  const token = new GeneratedSecret("tenant-alpha-admin-token", { kind: "token", configured: "from-config" });

  assert.equal(await valueOf(token.value), "from-config");
  assert.equal(await pulumi.isSecret(token.value), true, "a configured secret stays secret");
  assert.deepEqual(
    allOf(declared, COMMAND).filter((n) => n.startsWith("tenant-alpha-admin-token")),
    [],
    "nothing generated",
  );
  const component = the(declared, "harness:index:GeneratedSecret", "tenant-alpha-admin-token");
  assert.equal(component.custom, false);
});
