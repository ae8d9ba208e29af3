/**
 * The unit tier's failure report: a file that fails only after its tests passed is shown with what
 * it printed and how its process ended (the CI failure that once showed nothing but "test failed").
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FailureReport } from "./failure-report";

const fixture = (name: string) => join(__dirname, "fixtures", `${name}.fixture.ts`);

function unitTier(...files: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "unit-tier-"));
  const report = join(dir, "report.txt");
  const failures = join(dir, "failures.txt");
  const run = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      join(__dirname, "unit-tier.ts"),
      "--report",
      report,
      "--failures",
      failures,
      ...files,
    ],
    // Without the test runner's marker this file runs under, the tier reports as a top-level run.
    { encoding: "utf8", timeout: 60_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
  );
  try {
    return {
      status: run.status,
      stdout: run.stdout,
      report: readFileSync(report, "utf8"),
      failures: readFileSync(failures, "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("unit tier: a file failing after its tests passed is reported with its output and exit", () => {
  const run = unitTier(fixture("passes"), fixture("late-rejection"), fixture("exit-code"));
  assert.equal(run.status, 1);
  assert.match(run.stdout, /✔ passes/, "the spec report goes to stdout");
  assert.equal(run.report, run.stdout, "and the same report to the file");

  const blocks = run.failures.split("\n\n");
  assert.equal(blocks.length, 2, run.failures);
  const [late, exit] = blocks;
  assert.match(late, /^── .*late-rejection\.fixture\.ts/);
  assert.match(late, /process ended: exit code 1, signal none/);
  assert.match(late, /\| a line on stderr/);
  assert.match(late, /rejected after the test ended/, "the diagnostic naming the cause");
  assert.match(exit, /^── .*exit-code\.fixture\.ts/);
  assert.match(exit, /process ended: exit code 3/);
  assert.match(exit, /\| teardown failed: pretend the server would not stop/);
  assert.doesNotMatch(run.failures, /stderr of a passing file/);
  assert.doesNotMatch(run.failures, /ℹ tests \d/, "the run's totals belong to no file");
});

test("unit tier: all passing → exit 0 and an empty failure report", () => {
  const run = unitTier(fixture("passes"));
  assert.equal(run.status, 0);
  assert.equal(run.failures, "");
});

test("failure report: a failed test's assertion, and only the last lines of a long output", () => {
  const report = new FailureReport();
  const file = "/repo/a.test.ts";
  for (let i = 0; i < 200; i++) report.add({ type: "test:stderr", data: { file, message: `line ${i}\n` } });
  const error = Object.assign(new Error("test failed"), { cause: new Error("expected 1, got 2") });
  report.add({ type: "test:fail", data: { file, name: "adds", nesting: 1, details: { error } } });
  report.add({ type: "test:complete", data: { file, name: file, nesting: 0 } });
  report.add({ type: "test:diagnostic", data: { message: "tests 1" } });
  const text = report.render();
  assert.match(text, /✖ adds\n {5}Error: expected 1, got 2/);
  assert.match(text, /last 120 lines/);
  assert.doesNotMatch(text, /\| line 79\n/);
  assert.match(text, /\| line 80\n[\s\S]*\| line 199$/);
});
