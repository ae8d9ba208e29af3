/** The reports' redaction of a remote engine's client key (harness:engine.tls.key as a secret). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { redactor, secretsOf } from "./redact";

const KEY =
  "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
const tenants = [
  {
    name: "alpha",
    host: "harness-tenant-alpha.localhost",
    orgId: "o",
    adminToken: "t".repeat(32),
    databaseUrl: "postgres://harness:pw-123456789@10.0.0.5:5432/molecule?sslmode=disable",
    container: "c",
  },
];

test("a client key given as text is redacted wherever a report would show it", () => {
  const redact = redactor(
    secretsOf({ tenants, engine: { host: "tcp://10.0.0.5:2376", ca: "c", cert: "c", key: KEY } }),
  );
  assert.equal(redact(`env: ${KEY}done`), "env: [redacted: engine client key]done");
});

test("a cert directory, or no engine: nothing more to redact", () => {
  const base = secretsOf({ tenants });
  assert.deepEqual(secretsOf({ tenants, engine: { host: "tcp://10.0.0.5:2376", certPath: "/certs" } }), base);
  assert.ok(!base.some((s) => s.label === "engine client key"));
});
