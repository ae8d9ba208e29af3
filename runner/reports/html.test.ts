/**
 * report.html: the data (windows, caps, redaction), the page (escaping, sections, suites' cases, no
 * external reference), the re-render with phases, and the runner writing it for a real failing replay.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileSafe } from "../artifacts";
import { runReplays } from "../run";
import { makeReplayDir, makeTarget, SEED } from "../test-support/fixtures";
import {
  FAIL_MESSAGE,
  FAIL_NAME,
  LOG_LINE,
  OUTPUT_LINE,
  OUTSIDE_LINE,
  reportInputs,
  SECRETS,
} from "../test-support/report-fixture";
import { DATA_FILE, escapeHtml, renderHtmlReport, rerenderHtmlReport, writeHtmlReport } from "./html";
import { redactor, secretsOf } from "./redact";
import { buildReportData, journalWindow, logWindow, outputTail } from "./report-data";

const data = buildReportData(reportInputs());
const html = renderHtmlReport(data);

/** Text as the page shows it (tags removed, the entities this renderer writes decoded). */
function visibleText(page: string): string {
  return page
    .replace(/<style>[\s\S]*?<\/style>/, "")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

describe("report data", () => {
  test("logWindow: docker-stamped lines inside the window, as clock times; the last N when there are more", () => {
    const text = [
      "2026-03-01T12:00:00.500000000Z before",
      "2026-03-01T12:00:01.250000000Z inside one",
      "no timestamp: dropped",
      "2026-03-01T12:00:02.000000001Z inside two\r",
      "2026-03-01T12:00:03.100000000Z after",
    ].join("\n");
    const window = { from: Date.parse("2026-03-01T12:00:01Z"), to: Date.parse("2026-03-01T12:00:03Z") };
    assert.deepEqual(logWindow(text, window), {
      lines: ["12:00:01.250 inside one", "12:00:02.000 inside two"],
      omitted: 0,
    });
    assert.deepEqual(logWindow(text, window, 1), { lines: ["12:00:02.000 inside two"], omitted: 1 });
  });

  test("journalWindow: entries by arrival time; an array or {requests}; method, path, query and status in one line", () => {
    const entries = [
      { time: "2026-03-01T12:00:00Z", method: "GET", path: "/a", query: {}, status: 200 },
      { time: "2026-03-01T12:00:02Z", method: "POST", path: "/b", query: { x: ["1", "2"] }, status: null },
    ];
    const window = { from: Date.parse("2026-03-01T12:00:01Z"), to: Date.parse("2026-03-01T12:00:05Z") };
    const { entries: inside, omitted } = journalWindow({ requests: entries }, window);
    assert.equal(omitted, 0);
    assert.deepEqual(
      inside.map((e) => [e.time, e.request]),
      [["12:00:02.000", "POST /b?x=1&x=2 → (no answer yet)"]],
    );
    assert.equal(journalWindow(entries, window).entries.length, 1);
    assert.deepEqual(journalWindow("not a journal", window).entries, []);
  });

  test("outputTail keeps the last lines and counts the rest", () => {
    assert.deepEqual(outputTail("a\nb\nc\n", 2), { output: "b\nc", omitted: 1 });
  });

  test("a failure's details: its output, only its window's log lines and journal entries, the notes", () => {
    const details = data.failures[FAIL_NAME];
    assert.ok(details, "the failure has details");
    assert.deepEqual(Object.keys(data.failures), [FAIL_NAME], "FAIL and XPASS only");
    assert.match(details.output, new RegExp(OUTPUT_LINE.replace(/[[\]]/g, "\\$&")));
    assert.deepEqual(details.window, { from: "2026-03-01T11:59:59.000Z", to: "2026-03-01T12:00:03.000Z" });
    assert.deepEqual(
      details.logs.map((l) => l.source),
      ["e2e-tenant-beta"],
      "the edge logged nothing in the window",
    );
    const lines = details.logs[0].lines.join("\n");
    assert.match(lines, /^12:00:00\.200 tenant-beta: GET \/workspaces 200/);
    assert.doesNotMatch(lines, /earlier request|long after/);
    assert.deepEqual(
      details.journal.map((j) => j.request),
      ["POST /cp/workspaces/provision?org=org-beta → 201"],
    );
    assert.deepEqual(data.notes, ["container e2e-redis: no such container"]);
    assert.deepEqual(data.images, {
      tenant: "harness-e2e/tenant:abc123",
      "cp-stub": "sha256:cafe",
      "cf-proxy": "sha256:beef",
    });
  });

  test("redaction: no secret of the target anywhere — page or data — and each says whose it was", () => {
    const json = JSON.stringify(data);
    const encodedPassword = encodeURIComponent(SECRETS.alphaPassword);
    for (const secret of [...Object.values(SECRETS), encodedPassword, "someOtherSecret123"]) {
      assert.ok(!html.includes(secret), `the page holds ${secret}`);
      assert.ok(!json.includes(secret), `the data holds ${secret}`);
      assert.ok(!html.includes(escapeHtml(secret)), `the page holds ${secret}, escaped`);
    }
    const text = visibleText(html);
    assert.match(text, /\(token \[redacted: beta admin token\]\)/, "in the message");
    assert.match(text, /DATABASE_URL=\[redacted: alpha database URL\]/, "in the output");
    assert.match(text, /Bearer \[redacted: alpha admin token\]/, "in a container log");
    assert.match(text, /postgres:\/\/harness:\[redacted: beta postgres password\]@db/);
    assert.match(text, /"authorization": "Bearer \[redacted: beta admin token\]"/, "in a journal header");
    assert.match(text, /"x-shared": "Bearer \[redacted\]"/, "any bearer token, known or not");
  });

  test("redactor: URL passwords and bearer tokens it does not know; short secrets only in context", () => {
    const redact = redactor(secretsOf(makeTarget()));
    assert.equal(
      redact("redis://default:hunter2@cache:6379 and Authorization: Bearer eyJhbGciOi.J9-x1"),
      "redis://default:[redacted]@cache:6379 and Authorization: Bearer [redacted]",
    );
    assert.equal(
      redact("PASS: no bearer token: 401; a bearer credential"),
      "PASS: no bearer token: 401; a bearer credential",
      "words after 'bearer' are not tokens",
    );
    assert.equal(redact("postgres://u:p@127.0.0.1:9/alpha"), "[redacted: alpha database URL]");
    assert.equal(
      redact("a plain p stays"),
      "a plain p stays",
      "a one-letter password is not hunted everywhere",
    );
    assert.equal(redact("token-beta"), "[redacted: beta admin token]");
  });
});

describe("renderHtmlReport", () => {
  test("self-contained: no script, no external reference, a policy that forbids loading any", () => {
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<(img|link|iframe|object|embed|base)\b/i);
    assert.doesNotMatch(html, /\bsrc=|url\(|@import/i);
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) {
      assert.doesNotMatch(href, /^[a-z][a-z0-9+.-]*:|^\/\//i, `a relative link: ${href}`);
    }
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/,
    );
  });

  test("everything escaped: markup, quotes, ampersands, control characters, ANSI, ]]>", () => {
    assert.ok(!html.includes("<script>alert"), "a name is text, not markup");
    assert.ok(!html.includes("<b>bold</b>") && !html.includes("<leak>"));
    assert.ok(
      html.includes("tenant-&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;isolation&quot;"),
    );
    assert.ok(html.includes("]]&gt; \\x07 with &lt;b&gt;bold&lt;/b&gt; &amp; &#39;quotes&#39;"));
    assert.ok(html.includes("[replay] FAIL: cross-tenant read leaked ]]&gt; \\x01"), "ANSI removed");
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(html, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/, "no raw control character");
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  test("the summary, the gate, the stack and its images", () => {
    const text = visibleText(html);
    assert.match(text, /Harness report: e2e<&>/);
    assert.match(text, /Gate failed: 2 passed, 1 failed, 2 skipped/);
    assert.match(
      text,
      /5 total.*2 passed.*1 failed.*1 skipped.*1 expected failures.*0 stale xfail.*5\.4 s runner/s,
    );
    assert.match(text, /image: tenantharness-e2e\/tenant:abc123/);
    assert.match(text, /image: cf-proxysha256:beef/);
    assert.match(text, /expected git shaharness/);
  });

  test("the failure: message, closes, output, its window's container logs and journal entries", () => {
    const section = html.slice(
      html.indexOf('<section id="failures">'),
      html.indexOf('<section id="results">'),
    );
    const text = visibleText(section);
    assert.match(text, /Failures \(1\)/);
    assert.ok(text.includes(FAIL_NAME));
    assert.ok(text.includes(FAIL_MESSAGE.replace("\u0007", "\\x07")));
    assert.match(text, /closes #2397 · took 2\.0 s/);
    assert.ok(text.includes(OUTPUT_LINE));
    assert.ok(text.includes(LOG_LINE));
    assert.ok(!text.includes(OUTSIDE_LINE));
    assert.match(text, /cp-stub journal in its window \(1 entry\)/);
    assert.match(text, /12:00:00\.500 POST \/cp\/workspaces\/provision\?org=org-beta → 201/);
    assert.ok(section.includes(`href="output/${fileSafe(FAIL_NAME)}.log"`), "it links its full output");
    assert.match(html, /<a href="#failure-1">/, "the results table links to it");
  });

  test("every replay and suite, with the suite's cases under it", () => {
    const section = html.slice(
      html.indexOf('<section id="results">'),
      html.indexOf('<section id="identities">'),
    );
    const text = visibleText(section);
    assert.match(text, /PASSbuildinfo-stale-imagereplay420 ms#2395every tenant reports the GIT_SHA/);
    assert.match(text, /PASSapi-suitesuite1\.5 sexit 0/);
    assert.match(text, /PASS↳ tests\.api › test_healthcase12 ms/);
    assert.match(text, /SKIP↳ test_<odd> & casecase0 msneeds a runtime/);
    assert.match(text, /XFAILcp-helperreplay40 ms#2865helper moved/);
  });

  test("outbound attempts (issue 14): each with its verdict, source, destination and phase; none said plainly; absent without a sinkhole", () => {
    const inputs = reportInputs();
    const attempt = {
      time: "2026-12-06T10:00:01.000Z",
      sourceIp: "172.18.0.5",
      probe: false,
    };
    const summary = {
      ...inputs.summary,
      egress: {
        mode: "fail" as const,
        allow: ["*.sentry.io"],
        attempts: [
          {
            ...attempt,
            source: "ci-tenant-beta",
            host: "api.payments.example",
            port: 443,
            protocol: "tls" as const,
            phase: "replay" as const,
            replays: [FAIL_NAME],
            allowed: false,
          },
          {
            ...attempt,
            source: "ci-tenant-alpha",
            host: "o1.sentry.io",
            port: 443,
            protocol: "tls" as const,
            phase: "boot" as const,
            replays: [],
            allowed: true,
          },
          {
            ...attempt,
            source: "ci-tenant-alpha",
            host: "<evil>&",
            port: 80,
            protocol: "http" as const,
            phase: "between" as const,
            replays: [],
            allowed: false,
          },
        ],
      },
    };
    const page = renderHtmlReport(buildReportData({ ...inputs, summary }));
    const section = page.slice(
      page.indexOf('<section id="egress">'),
      page.indexOf('<section id="identities">'),
    );
    const text = visibleText(section);
    assert.match(text, /Outbound attempts \(3\)/);
    assert.match(text, /Policy: fail, allowed: \*\.sentry\.io/);
    assert.ok(
      text.includes(
        `FAIL2026-12-06T10:00:01.000Zci-tenant-betaapi.payments.example:443tlsreplay ${FAIL_NAME}`,
      ),
      text,
    );
    assert.match(text, /ALLOWED.*ci-tenant-alphao1\.sentry\.io:443tlsboot or seed/);
    assert.match(text, /WARN.*<evil>&:80httpbetween replays/);
    assert.doesNotMatch(section, /<evil>/, "escaped");

    const none = renderHtmlReport(
      buildReportData({
        ...inputs,
        summary: { ...inputs.summary, egress: { mode: "warn", allow: [], attempts: [] } },
      }),
    );
    assert.match(
      visibleText(none),
      /Outbound attempts \(0\)No container tried to leave the harness\. Policy: warn\./,
    );
    assert.doesNotMatch(html, /id="egress"/, "no sinkhole, no section");
  });

  test("no failure: no failures section, the gate passed; no phases until the harness adds them", () => {
    const inputs = reportInputs();
    const summary = {
      ...inputs.summary,
      failed: 0,
      results: inputs.summary.results.filter((r) => r.status !== "FAIL"),
    };
    const page = renderHtmlReport(buildReportData({ ...inputs, summary, collected: undefined }));
    assert.doesNotMatch(page, /id="failures"/);
    assert.match(visibleText(page), /Gate passed: 2 passed, 0 failed, 2 skipped/);
    assert.match(visibleText(page), /added by npm run harness/);
  });

  test("written with its data beside it; re-rendered with the phase timings", () => {
    const dir = makeReplayDir("report-html-");
    const file = join(dir.root, "report.html");
    writeHtmlReport(file, data);
    assert.equal(readFileSync(file, "utf8"), html);
    assert.deepEqual(JSON.parse(readFileSync(join(dir.root, DATA_FILE), "utf8")), data);
    rerenderHtmlReport(file, { bootToHealthyMs: 4200, seedMs: 310, replaysMs: 6100, upMs: 11_000 });
    const text = visibleText(readFileSync(file, "utf8"));
    assert.match(text, /boot \(build, start, every container healthy\)4\.2 s/);
    assert.match(text, /seed310 ms/);
    assert.match(text, /replays and suites \(the replays Command\)6\.1 s/);
    assert.match(text, /whole up11\.0 s/);
    assert.doesNotMatch(text, /destroy/);
    assert.throws(
      () => rerenderHtmlReport(join(dir.root, "elsewhere", "report.html"), {}),
      /cannot read .*report-data\.json, the data of .*report\.html/,
    );
  });
});

describe("the runner writes report.html", () => {
  test("a failing replay: its window's container log lines and journal entries, its secrets redacted", async () => {
    const dir = makeReplayDir();
    const target = makeTarget({ reportsDir: dir.reports, containers: ["harness-tenant-alpha"] });
    dir.write("a-pass.sh", `echo "[replay] PASS: fine"\n`);
    // When the replay ran, as docker would stamp a line a tenant logged then.
    const stamp = join(dir.root, "stamp");
    dir.write(
      "b-leak.sh",
      `date -u +%Y-%m-%dT%H:%M:%S.%NZ > ${stamp}\necho "using $ALPHA_ADMIN_TOKEN at $BETA_HOST"\necho "[replay] FAIL: beta answered 200 <oops>"\nexit 1\n`,
    );
    const stamped = () => readFileSync(stamp, "utf8").trim();
    const summary = await runReplays({
      replaysDir: dir.replays,
      target,
      seed: SEED,
      progress: () => undefined,
      stepSummaryFile: null,
      logSource: {
        logs: async () => `2001-01-01T00:00:00.000000000Z from long ago\n${stamped()} ${LOG_LINE}\n`,
      },
      journal: {
        requests: async () => [{ time: stamped(), method: "GET", path: "/cp/x", status: 204 }],
      },
    });
    assert.equal(summary.reports.html, join(dir.reports, "report.html"));
    const failed = summary.results.find((r) => r.name === "b-leak");
    assert.ok(failed?.startedAt && !Number.isNaN(Date.parse(failed.startedAt)), "results carry startedAt");
    const page = readFileSync(summary.reports.html, "utf8");
    const text = visibleText(page);
    assert.match(text, /b-leak.*beta answered 200 <oops>/);
    assert.match(text, /using \[redacted: alpha admin token\] at harness-tenant-beta\.localhost/);
    assert.ok(!page.includes("token-alpha"));
    assert.ok(text.includes(LOG_LINE), "the log line of its window");
    assert.doesNotMatch(text, /from long ago/);
    assert.match(text, /GET \/cp\/x → 204/);
    assert.ok(existsSync(join(dir.reports, DATA_FILE)));
  });
});
