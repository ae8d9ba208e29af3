/** The runner's JSON contracts are checked to the leaves by their schemas, with every problem at its path. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSeed } from "./seed";
import { checkSummary } from "./summary";
import { readTarget, TARGET_ENV } from "./target";

const target = {
  stack: "ci-7",
  edgeUrl: "http://127.0.0.1:8080",
  legacyHost: "harness-tenant.localhost",
  cpStubUrl: "",
  tenants: [
    { name: "alpha", host: "a", orgId: "o", adminToken: "secret-token-value", databaseUrl: "postgres://x" },
  ],
  containers: ["ci-7-alpha"],
  reportsDir: "/tmp/r",
};
const read = (value: unknown) => readTarget({ [TARGET_ENV]: JSON.stringify(value) });

test("target: valid, extra keys kept; missing keys and nested problems named, secrets not echoed", () => {
  assert.equal(read({ ...target, future: 1 }).stack, "ci-7");
  assert.throws(
    () => read({ ...target, stack: undefined, reportsDir: undefined }),
    /HARNESS_TARGET lacks stack, reportsDir/,
  );
  assert.throws(
    () => read({ ...target, tenants: [] }),
    /HARNESS_TARGET tenants: must list at least one tenant/,
  );
  const bad = {
    ...target,
    tenants: [{ ...target.tenants[0], adminToken: 42, orgId: undefined }],
    edgeForwardedProto: "ftp",
  };
  assert.throws(
    () => read(bad),
    (e: Error) =>
      /tenants\[0\]\.orgId: is required/.test(e.message) &&
      /tenants\[0\]\.adminToken: must be a string \(value not shown\)/.test(e.message) &&
      /edgeForwardedProto: must be "http" or "https", got string "ftp"/.test(e.message),
  );
});

test("seed: every tenant needs a parent and a child id", () => {
  assert.deepEqual(
    checkSeed({ tenants: { alpha: { parent: "p", child: "c" } } }, "HARNESS_SEED").tenants.alpha,
    {
      parent: "p",
      child: "c",
    },
  );
  assert.throws(
    () => checkSeed({ tenants: { alpha: { parent: "p" } } }, "HARNESS_SEED"),
    /HARNESS_SEED tenants\.alpha\.child: is required/,
  );
  assert.throws(() => checkSeed({}, "HARNESS_SEED"), /HARNESS_SEED lacks tenants/);
});

test("summary: counts, each result's status and the reports are checked", () => {
  const summary = {
    total: 1,
    passed: 1,
    failed: 0,
    skipped: 0,
    xfailed: 0,
    xpassed: 0,
    durationMs: 5,
    results: [{ name: "a", status: "PASS", durationMs: 5, closes: null, message: "ok" }],
    reports: { json: "r.json", junit: "j.xml", artifacts: null },
  };
  assert.equal(checkSummary(summary, "the summary").passed, 1);
  assert.throws(
    () =>
      checkSummary(
        { ...summary, passed: -1, results: [{ ...summary.results[0], status: "MAYBE" }] },
        "the summary",
      ),
    (e: Error) => /passed: /.test(e.message) && /results\[0\]\.status: must be one of "PASS"/.test(e.message),
  );
});
