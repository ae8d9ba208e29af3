/**
 * A run with one failing replay, as report.html is built from it: the summary, a target with real-looking
 * secrets, the failure's output tail and the collected container logs and cp-stub journal — all of them
 * printing those secrets and markup-breaking text (`<script>`, quotes, `&`, control characters, `]]>`),
 * some inside the failure's time window and some outside. The HTML tests and the browser test share it.
 */
import type { ReplaySummary } from "../../program/contracts/summary";
import type { HarnessTarget } from "../../program/contracts/target";
import type { ReportInputs } from "../reports/report-data";
import { makeTarget } from "./fixtures";

export const FAIL_NAME = `tenant-<script>alert("x")</script>&"isolation"`;
export const FAIL_MESSAGE = `cross-tenant read: expected HTTP 404, got 200 ]]> \u0007 with <b>bold</b> & 'quotes'`;
/** A line the failing replay printed, and one a tenant logged in the failure's window. */
export const OUTPUT_LINE = "[replay] GET /workspaces as beta answered 200";
export const LOG_LINE = "tenant-beta: GET /workspaces 200 org=org-alpha <leak>";
export const OUTSIDE_LINE = "tenant-beta: an earlier request, before the failure";

const started = Date.parse("2026-03-01T12:00:00.000Z");
const at = (ms: number) => new Date(started + ms).toISOString();
/** docker's RFC 3339 with nanoseconds. */
const stamp = (ms: number) => at(ms).replace("Z", "123456Z");

export const SECRETS = {
  alphaToken: "alpha-admin-tok-0123456789abcdef",
  betaToken: "beta-admin-tok-fedcba9876543210",
  alphaPassword: "pw/alpha+secret=",
  betaPassword: "betaPassw0rdXYZ",
};

export function reportTarget(): HarnessTarget {
  const base = makeTarget({ stack: "e2e<&>" });
  return {
    ...base,
    tenants: [
      {
        ...base.tenants[0],
        adminToken: SECRETS.alphaToken,
        databaseUrl: `postgres://harness:${encodeURIComponent(SECRETS.alphaPassword)}@127.0.0.1:5432/molecule?sslmode=disable`,
      },
      {
        ...base.tenants[1],
        adminToken: SECRETS.betaToken,
        databaseUrl: `postgres://harness:${SECRETS.betaPassword}@127.0.0.1:5433/molecule?sslmode=disable`,
      },
    ],
    images: { tenant: "harness-e2e/tenant:abc123", "cp-stub": "sha256:cafe", "cf-proxy": "sha256:beef" },
    expectedGitSha: "harness",
    containers: ["e2e-tenant-beta", "e2e-cf-proxy"],
  };
}

export function reportSummary(): ReplaySummary {
  return {
    total: 5,
    passed: 2,
    failed: 1,
    skipped: 1,
    xfailed: 1,
    xpassed: 0,
    durationMs: 5400,
    results: [
      {
        name: "buildinfo-stale-image",
        status: "PASS",
        durationMs: 420,
        closes: "#2395",
        message: "every tenant reports the GIT_SHA it was built with",
        startedAt: at(-3000),
      },
      {
        name: FAIL_NAME,
        status: "FAIL",
        durationMs: 2000,
        closes: "#2397",
        message: `${FAIL_MESSAGE} (token ${SECRETS.betaToken})`,
        startedAt: at(0),
      },
      {
        name: "api-suite",
        kind: "suite",
        status: "PASS",
        durationMs: 1500,
        closes: null,
        message: "exit 0",
        startedAt: at(3000),
        cases: [
          { name: "test_health", classname: "tests.api", status: "PASS", durationMs: 12, message: "" },
          { name: "test_<odd> & case", status: "SKIP", durationMs: 0, message: "needs a runtime" },
        ],
      },
      { name: "peer-discovery", status: "SKIP", durationMs: 30, closes: "#2863", message: "no runtime" },
      { name: "cp-helper", status: "XFAIL", durationMs: 40, closes: "#2865", message: "helper moved" },
    ],
    reports: {
      json: "/r/results.json",
      junit: "/r/junit.xml",
      html: "/r/report.html",
      artifacts: "/r/artifacts",
    },
  };
}

export function reportInputs(): ReportInputs {
  const output = [
    "[replay] seeding",
    OUTPUT_LINE,
    `[replay] DATABASE_URL=${reportTarget().tenants[0].databaseUrl}`,
    `[replay] curl -H 'Authorization: Bearer ${SECRETS.alphaToken}' (alpha's token at beta)`,
    "\u001b[31m[replay] FAIL: cross-tenant read leaked\u001b[0m ]]> \u0001",
  ].join("\n");
  const tenantLogs = [
    `${stamp(-5000)} ${OUTSIDE_LINE}`,
    `${stamp(200)} ${LOG_LINE}`,
    `${stamp(300)} tenant-beta: connecting to postgres://harness:${SECRETS.betaPassword}@db:5432/molecule`,
    `${stamp(400)} tenant-beta: auth ok for Bearer ${SECRETS.alphaToken}`,
    `${stamp(9000)} tenant-beta: long after the failure`,
  ].join("\n");
  const journal = {
    requests: [
      {
        id: 1,
        time: at(-4000),
        method: "GET",
        path: "/cp/before",
        query: {},
        headers: {},
        body: null,
        bodyBytes: 0,
        bodyTruncated: false,
        overrideId: null,
        status: 200,
      },
      {
        id: 2,
        time: at(500),
        method: "POST",
        path: "/cp/workspaces/provision",
        query: { org: "org-beta" },
        headers: { authorization: `Bearer ${SECRETS.betaToken}`, "x-shared": "Bearer someOtherSecret123" },
        body: JSON.stringify({ databaseUrl: reportTarget().tenants[1].databaseUrl, note: "<script>" }),
        bodyBytes: 80,
        bodyTruncated: false,
        overrideId: null,
        status: 201,
      },
    ],
  };
  return {
    summary: reportSummary(),
    target: reportTarget(),
    outputs: new Map([[FAIL_NAME, output]]),
    collected: {
      containerLogs: new Map([
        ["e2e-tenant-beta", tenantLogs],
        ["e2e-cf-proxy", `${stamp(-10_000)} nginx started\n`],
      ]),
      journal,
      notes: ["container e2e-redis: no such container"],
    },
    generatedAt: "2026-03-01T12:00:10.000Z",
  };
}
