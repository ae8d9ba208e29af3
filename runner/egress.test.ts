import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hostAllowed, parseEgressJournal, type EgressEntry } from "../program/contracts/egress";
import type { ReplayResult, ReplaySummary } from "../program/contracts/summary";
import { attributeEgress, egressNotes, judgeEgress } from "./egress";
import { renderStepSummary } from "./reports/github-summary";
import { renderJunit } from "./reports/junit";

const T0 = Date.parse("2026-01-01T10:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();
const result = (name: string, startMs: number, durationMs: number, status: ReplayResult["status"] = "PASS") =>
  ({ name, status, durationMs, closes: null, message: "ok", startedAt: at(startMs) }) satisfies ReplayResult;
const entry = (
  ms: number,
  host: string | null,
  protocol: EgressEntry["protocol"],
  port = 443,
): EgressEntry => ({
  time: at(ms),
  source: "e2e-tenant-alpha",
  sourceIp: "172.19.0.3",
  host,
  port: protocol === "dns" ? 53 : port,
  protocol,
});

describe("egress attribution", () => {
  const results = [result("calls-out", 1000, 2000), result("quiet", 4000, 1000)];

  it("fails the replay whose window held the attempt, naming the host and the source", () => {
    const { results: judged, report } = attributeEgress(
      results,
      [entry(1500, "api.payments.example", "dns"), entry(1510, "api.payments.example", "tls")],
      { mode: "fail", allow: [] },
      T0,
    );
    assert.equal(judged[0].status, "FAIL");
    assert.match(judged[0].message, /api\.payments\.example:443 \(tls\)/);
    assert.match(judged[0].message, /e2e-tenant-alpha/);
    assert.doesNotMatch(judged[0].message, /DNS lookup/, "the question is folded into its connection");
    assert.deepEqual(judged[1], results[1]);
    assert.deepEqual(
      report.attempts.map((a) => [a.phase, a.replays]),
      [
        ["replay", ["calls-out"]],
        ["replay", ["calls-out"]],
      ],
    );
  });

  it("lets an allowed host pass, still reported; warn mode keeps the status and names the host", () => {
    const entries = [entry(1500, "hooks.mail.example", "http", 80)];
    const allowed = attributeEgress(results, entries, { mode: "fail", allow: ["*.MAIL.example"] }, T0);
    assert.equal(allowed.results[0].status, "PASS");
    assert.equal(allowed.report.attempts[0].allowed, true);
    const warned = attributeEgress(results, entries, { mode: "warn", allow: [] }, T0);
    assert.equal(warned.results[0].status, "PASS");
    assert.match(warned.results[0].message, /hooks\.mail\.example:80 \(http\)/);
  });

  it("reports boot and between-replay attempts without pinning them on a replay; ignores probes", () => {
    const { results: judged, report } = attributeEgress(
      results,
      [
        entry(-5000, "flags.example", "dns"),
        entry(3600, "between.example", "tcp", 25),
        { ...entry(1500, "no-egress.harness.invalid", "http", 80), probe: true },
      ],
      { mode: "fail", allow: [] },
      T0,
    );
    assert.deepEqual(judged, results);
    assert.deepEqual(
      report.attempts.map((a) => [a.host, a.phase]),
      [
        ["flags.example", "boot"],
        ["between.example", "between"],
      ],
    );
    const notes = egressNotes(report);
    assert.equal(notes.length, 2);
    assert.match(notes[0], /during boot\/seed: e2e-tenant-alpha → flags\.example \(DNS lookup\)/);
  });

  it("reads the journal from the sinkhole's logs, and says when it cannot", async () => {
    const line = `2026-01-01T10:00:01.600000000Z {"egress":${JSON.stringify(entry(1600, "x.example", "http", 80))}}`;
    const ok = await judgeEgress(
      results,
      { egress: { container: "e2e-sinkhole", mode: "fail", allow: [] } },
      { logs: async (c) => (c === "e2e-sinkhole" ? `sinkhole: DNS on :53\n${line}\n` : "") },
      T0,
    );
    assert.equal(ok.results[0].status, "FAIL");
    const broken = await judgeEgress(
      results,
      { egress: { container: "e2e-sinkhole", mode: "fail", allow: [] } },
      { logs: () => Promise.reject(new Error("no such container")) },
      T0,
    );
    assert.match(broken.report?.error ?? "", /e2e-sinkhole.*no such container/);
    assert.deepEqual(broken.results, results);
    assert.equal((await judgeEgress(results, {}, null, T0)).report, undefined, "no sinkhole: nothing judged");
  });
});

describe("egress contract", () => {
  it("matches host patterns case-insensitively, whole names only", () => {
    assert.equal(hostAllowed("api.stripe.com", ["api.stripe.com"]), true);
    assert.equal(hostAllowed("x.sentry.io.", ["*.sentry.io"]), true);
    assert.equal(hostAllowed("sentry.io.evil.example", ["*.sentry.io"]), false);
    assert.equal(hostAllowed(null, ["*"]), false);
  });
  it("parses only journal lines", () => {
    assert.equal(parseEgressJournal('noise\n{"egress":{"time":"t","port":1}}\n{"egress":{trunc').length, 1);
  });
});

describe("egress in the reports", () => {
  const { report } = attributeEgress(
    [result("quiet", 1000, 500)],
    [entry(-2000, "flags.example", "tls")],
    { mode: "fail", allow: [] },
    T0,
  );
  const summary: ReplaySummary = {
    total: 1,
    passed: 1,
    failed: 0,
    skipped: 0,
    xfailed: 0,
    xpassed: 0,
    durationMs: 500,
    results: [result("quiet", 1000, 500)],
    reports: { json: "r.json", junit: "j.xml", artifacts: null },
    egress: report,
  };

  it("lists boot attempts as properties of the replays' testsuite in junit.xml", () => {
    const xml = renderJunit(summary, { suiteName: "replays (e2e)" });
    assert.match(
      xml,
      /<testsuite name="replays \(e2e\)"[^>]*>\s*<properties>\s*<property name="egress" value="egress [^"]*during boot\/seed: e2e-tenant-alpha → flags\.example:443 \(tls\)"/,
    );
  });

  it("lists them under the step summary's table", () => {
    assert.match(
      renderStepSummary(summary, "e2e"),
      /Outbound attempts outside the replays[^\n]*\n\n- egress [^\n]*flags\.example:443 \(tls\)/,
    );
  });
});
