/**
 * L4 for the stack's own suites (`harness:suites`, the seed's Phase 2): the REAL example suites of
 * tests/examples/, exactly as Pulumi.e2e.yaml wires them, run through the real runner against the real
 * reference tenants on loopback (tests/replays/test-support/l4-stack.ts). They PASS against the tenants as
 * they are, with every pytest case in the summary and in junit.xml; given one bug — beta's TenantGuard
 * accepting another tenant's org — both FAIL, the bash suite naming the check and the pytest suite
 * naming its failing JUnit case, which junit.xml carries as a <failure>.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { checkSuites, junitPattern, type SuiteSpec } from "../../program/contracts/suites";
import type { ReplayResult, ReplaySummary } from "../../program/contracts/summary";
import { runReplays } from "../../runner/run";
import { REPO_ROOT, stackConfig } from "../pulumi/load-program";
import { guardAcceptsAnyOrg } from "./test-support/faults";
import { REPLAYS_DIR, startL4Stack, type L4Stack } from "./test-support/l4-stack";

/** The suites of the default e2e stack, validated as the program validates them. */
function e2eSuites(): SuiteSpec[] {
  const raw = stackConfig("e2e")["harness:suites"];
  assert.ok(raw, "Pulumi.e2e.yaml sets harness:suites");
  const { suites, problems } = checkSuites(JSON.parse(raw), { absoluteCwd: false });
  assert.deepEqual(problems, []);
  return suites;
}

describe("L4: the example suites against the reference tenants", () => {
  let stack: L4Stack;
  const suites = e2eSuites();
  // Its own stack name: the pytest suite's JUnit file is per stack (`.junit/${HARNESS_STACK}.xml`).
  const stackName = `l4-suites-${process.pid}`;

  before(async () => {
    stack = await startL4Stack();
  });
  after(async () => {
    for (const s of suites) {
      if (s.junit) rmSync(join(REPO_ROOT, s.cwd, junitPattern(s.junit, stackName)), { force: true });
    }
    await stack?.stop();
  });

  async function runSuites(): Promise<{ summary: ReplaySummary; bySuite: Map<string, ReplayResult> }> {
    const lines: string[] = [];
    const summary = await runReplays({
      replaysDir: REPLAYS_DIR,
      // Only the suites: the replays have their own L4 files.
      include: suites.map((s) => s.name),
      target: { ...stack.target, stack: stackName },
      seed: stack.seed,
      suites,
      progress: (line) => void lines.push(line),
      logSource: null,
      journal: null,
      stepSummaryFile: null,
    });
    if (process.env.L4_SHOW_MESSAGES) process.stderr.write(`${lines.join("\n")}\n`);
    return { summary, bySuite: new Map(summary.results.map((r) => [r.name, r])) };
  }

  function junitSuite(summary: ReplaySummary, name: string) {
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "",
      isArray: (tag) => ["testsuite", "testcase"].includes(tag),
    }).parse(readFileSync(summary.reports.junit, "utf8"));
    const found = (
      parsed.testsuites.testsuite as {
        name: string;
        failures: string;
        testcase: { name: string; failure?: { message: string } }[];
      }[]
    ).find((s) => s.name === `suite ${name}`);
    assert.ok(found, `junit.xml has a testsuite for ${name}`);
    return found;
  }

  test("no bug: both suites PASS; the pytest cases are in the summary and in junit.xml", async () => {
    const { summary, bySuite } = await runSuites();
    assert.deepEqual(
      summary.results.map((r) => [r.name, r.kind, r.status, r.message]).filter((r) => r[2] !== "PASS"),
      [],
      "every suite passed",
    );
    assert.deepEqual(
      summary.results.map((r) => r.name),
      ["api-bash", "api-pytest"],
    );
    assert.match(bySuite.get("api-bash")!.message, /^=== Results: \d+ passed, 0 failed ===$/);

    const pytest = bySuite.get("api-pytest")!;
    const cases = pytest.cases ?? [];
    assert.equal(pytest.message, `${cases.length} cases: ${cases.length} passed, 0 failed, 0 skipped`);
    for (const name of [
      "test_health_through_the_edge[alpha]",
      "test_health_through_the_edge[beta]",
      "test_admin_lists_its_seeded_workspaces[beta]",
      "test_legacy_names_reach_the_first_tenant",
      "test_missing_token_is_refused",
      "test_missing_org_header_is_refused",
      "test_other_tenants_credentials_are_refused",
      "test_cp_stub_answers",
    ]) {
      assert.ok(
        cases.some((c) => c.name === name && c.status === "PASS" && c.classname === "test_api"),
        `${name} PASS`,
      );
    }
    const inJunit = junitSuite(summary, "api-pytest");
    assert.equal(inJunit.failures, "0");
    assert.deepEqual(inJunit.testcase.map((c) => c.name).sort(), cases.map((c) => c.name).sort());
  });

  test("beta's TenantGuard accepts another tenant's org: both suites FAIL, naming what broke", async () => {
    stack.setFault("beta", guardAcceptsAnyOrg(stack.tenant("beta").orgId));
    let run: Awaited<ReturnType<typeof runSuites>>;
    try {
      run = await runSuites();
    } finally {
      stack.clearFaults();
    }
    const bash = run.bySuite.get("api-bash")!;
    assert.equal(bash.status, "FAIL");
    assert.match(
      bash.message,
      /^alpha's credentials at beta: 404 \(TenantGuard\) — expected HTTP 404, got 401; .* \(exit code 1\)$/,
    );

    const pytest = run.bySuite.get("api-pytest")!;
    assert.equal(pytest.status, "FAIL");
    assert.match(
      pytest.message,
      /^1 of \d+ cases failed, first test_other_tenants_credentials_are_refused: .*alpha's credentials at beta must be refused by its TenantGuard.* \(exit code 1\)$/,
    );
    assert.deepEqual(
      pytest.cases?.filter((c) => c.status === "FAIL").map((c) => c.name),
      ["test_other_tenants_credentials_are_refused"],
    );
    const failing = junitSuite(run.summary, "api-pytest").testcase.find(
      (c) => c.name === "test_other_tenants_credentials_are_refused",
    );
    assert.match(failing?.failure?.message ?? "", /must be refused by its TenantGuard/);
    assert.equal(run.summary.failed, 2);
    assert.equal(run.summary.reports.artifacts, join(stack.target.reportsDir, "artifacts"));
  });
});
