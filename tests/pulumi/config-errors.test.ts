/**
 * L2: invalid configs stop the program before any resource is registered (only the runtime's root
 * Stack exists), with one RunError naming each problem and its fix.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { load } from "./test-support";

const cases: [string, Record<string, unknown>, RegExp][] = [
  [
    "unknown key",
    { "harness:tennants": [{ name: "alpha" }] },
    /harness:tennants: unknown key\n {4}fix: did you mean harness:tenants\?/,
  ],
  [
    "bad tenant name",
    { "harness:tenants": [{ name: "Alpha" }] },
    /harness:tenants\[0\]\.name: string "Alpha" is not a valid tenant name/,
  ],
  [
    "duplicate tenant",
    { "harness:tenants": [{ name: "alpha" }, { name: "alpha" }] },
    /harness:tenants\[1\]\.name: duplicate tenant name "alpha"/,
  ],
  [
    "edge port out of range",
    { "harness:edge": { port: 65536 } },
    /harness:edge\.port: must be an integer from 0 to 65535/,
  ],
  [
    "missing replays directory",
    { "harness:replays": { dir: "no/such/replays" } },
    /harness:replays\.dir: directory .*no\/such\/replays does not exist/,
  ],
  [
    "build and image together",
    { "harness:tenantImage": { build: { context: "reference-tenant" }, image: "x:1" } },
    /harness:tenantImage: sets both build and image/,
  ],
  [
    "missing build context",
    { "harness:tenantImage": { build: { context: "no-such-checkout" } } },
    /harness:tenantImage\.build\.context: directory .*no-such-checkout does not exist/,
  ],
  [
    "bad image reference",
    { "harness:tenantImage": { image: "UPPER/Case" } },
    /harness:tenantImage\.image: string "UPPER\/Case" is not an image reference/,
  ],
  [
    "bad base image",
    { "harness:baseImages": { redis: "redis 7" } },
    /harness:baseImages\.redis: must be an image reference/,
  ],
  [
    "bad forwarded proto",
    { "harness:edge": { forwardedProto: "HTTPS" } },
    /harness:edge\.forwardedProto: must be "http" or "https"/,
  ],
  [
    "bad rerun policy",
    { "harness:replays": { dir: "tests/pulumi/fixtures/replays", rerun: "never" } },
    /harness:replays\.rerun: must be "on-change" or "always"/,
  ],
  [
    "managed env override",
    { "harness:tenantEnv": { ADMIN_TOKEN: "x" } },
    /harness:tenantEnv\.ADMIN_TOKEN: ADMIN_TOKEN is set by the harness/,
  ],
  ["bad encryption key", { "harness:encryptionKey": "too-short" }, /harness:encryptionKey: must be 32 bytes/],
  [
    "unusable stack name",
    { "#stack": "Prod_Env" },
    /stack: stack name "Prod_Env" cannot name Docker objects/,
  ],
];

for (const [what, config, expected] of cases) {
  test(`rejected before any resource: ${what}`, async () => {
    const { "#stack": stack, ...rest } = config as { "#stack"?: string };
    const result = await load(rest, stack ? { stack } : {});
    assert.ok(result.error, "the program fails");
    assert.equal(result.error.runError, true, "a RunError: Pulumi shows the message without a stack trace");
    assert.match(
      result.error.message,
      /^invalid harness configuration for stack "[^"]+" \(1 problem\); nothing was created:/,
    );
    assert.match(result.error.message, expected);
    assert.match(result.error.message, /\n {4}fix: \S/);
    assert.deepEqual(
      result.resources.map((r) => r.type),
      ["pulumi:pulumi:Stack"],
      "no resource besides the runtime's root stack",
    );
    assert.deepEqual(
      result.log.filter((l) => l.startsWith("bundle")),
      [],
      "not even a host-side bundle",
    );
  });
}

test("several problems: one message lists them all", async () => {
  const result = await load({
    "harness:tenants": [{ name: "ok" }, { name: "ok" }, { name: "NOPE" }],
    "harness:edge": { port: -1 },
    "harness:cpStub": { publish: "maybe" },
  });
  assert.match(result.error?.message ?? "", /\(4 problems\)/);
  assert.deepEqual(
    result.resources.map((r) => r.type),
    ["pulumi:pulumi:Stack"],
  );
});
