import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateTenantGuard, orgIdFromReplaySrc, type GuardDecision, type GuardInput } from "./guard";

const ORG = "harness-org-alpha";
const on = { orgId: ORG, canvasProxyActive: true };
const noCanvas = { orgId: ORG, canvasProxyActive: false };

test("guard: the decision table of docs/anchor.md#tenantguard", () => {
  const rows: [string, GuardInput, GuardDecision, typeof on?][] = [
    ["allowlisted /health without header", { url: "/health" }, "pass"],
    ["allowlisted /metrics", { url: "/metrics" }, "pass"],
    ["allowlisted /buildinfo (the #2398 fix)", { url: "/buildinfo" }, "pass"],
    ["allowlisted /buildinfo with a query", { url: "/buildinfo?x=1" }, "pass"],
    ["allowlisted /registry/register", { url: "/registry/register" }, "pass"],
    ["allowlisted /registry/heartbeat", { url: "/registry/heartbeat" }, "pass"],
    ["exact match only: /health/debug", { url: "/health/debug" }, "missing-header"],
    ["exact match only: /healthz", { url: "/healthz" }, "missing-header"],
    ["exact match only: /buildinfo/", { url: "/buildinfo/" }, "missing-header"],
    ["update-card is not allowlisted", { url: "/registry/update-card" }, "missing-header"],
    ["peers are not allowlisted", { url: "/registry/x/peers" }, "missing-header"],
    ["/cp/ prefix passes", { url: "/cp/admin/orgs" }, "pass"],
    ["/cp without slash does not", { url: "/cp" }, "missing-header"],
    ["/cpx does not", { url: "/cpx/auth/me" }, "missing-header"],
    ["matching org header", { url: "/workspaces", orgHeader: ORG }, "pass"],
    ["wrong org header", { url: "/workspaces", orgHeader: "harness-org-beta" }, "wrong-org"],
    ["org header differing in case", { url: "/workspaces", orgHeader: ORG.toUpperCase() }, "wrong-org"],
    ["no header at all", { url: "/workspaces" }, "missing-header"],
    ["empty org header counts as absent", { url: "/workspaces", orgHeader: "" }, "missing-header"],
    ["Fly-Replay-Src state match", { url: "/workspaces", flyReplaySrc: `instance=1;state=${ORG}` }, "pass"],
    [
      "Fly-Replay-Src trimmed segments",
      { url: "/workspaces", flyReplaySrc: ` region=ams ; state=${ORG} ` },
      "pass",
    ],
    ["Fly-Replay-Src mismatch", { url: "/workspaces", flyReplaySrc: "state=other" }, "wrong-org"],
    ["Fly-Replay-Src without state", { url: "/workspaces", flyReplaySrc: "instance=1" }, "wrong-org"],
    [
      "wrong org header + matching replay src",
      { url: "/w", orgHeader: "x", flyReplaySrc: `state=${ORG}` },
      "pass",
    ],
    [
      "same-origin Referer",
      { url: "/workspaces", host: "t.localhost", referer: "https://t.localhost/canvas" },
      "pass",
    ],
    [
      "same-origin Referer = origin",
      { url: "/w", host: "t.localhost", referer: "http://t.localhost" },
      "pass",
    ],
    [
      "same-origin Origin",
      { url: "/workspaces", host: "t.localhost", origin: "https://t.localhost" },
      "pass",
    ],
    [
      "foreign Referer",
      { url: "/w", host: "t.localhost", referer: "https://t.localhost.evil/" },
      "missing-header",
    ],
    [
      "foreign Origin",
      { url: "/w", host: "t.localhost", origin: "https://evil.localhost" },
      "missing-header",
    ],
    [
      "no bypass without canvas",
      { url: "/w", host: "t.localhost", origin: "https://t.localhost" },
      "missing-header",
      noCanvas,
    ],
  ];
  for (const [name, input, expected, options] of rows) {
    assert.equal(evaluateTenantGuard(input, options ?? on), expected, name);
  }
});

test("guard: disabled (pass-through) without MOLECULE_ORG_ID", () => {
  assert.equal(evaluateTenantGuard({ url: "/workspaces" }, { orgId: "", canvasProxyActive: true }), "pass");
  assert.equal(
    evaluateTenantGuard({ url: "/w", orgHeader: "x" }, { orgId: "", canvasProxyActive: false }),
    "pass",
  );
});

test("guard: the allowlist is checked on the decoded path, like Go's URL.Path", () => {
  assert.equal(evaluateTenantGuard({ url: "/%68ealth" }, on), "pass");
  assert.equal(evaluateTenantGuard({ url: "/%zz" }, on), "missing-header");
});

test("orgIdFromReplaySrc: the parse table", () => {
  const rows: [string, string | null][] = [
    ["state=abc", "abc"],
    ["instance=1;state=abc", "abc"],
    [" instance=1 ; state=abc ; x=y", "abc"],
    ["state=first;state=second", "first"],
    ["state=", ""],
    ["instance=1", null],
    ["", null],
    ["xstate=abc", null],
  ];
  for (const [input, expected] of rows) assert.equal(orgIdFromReplaySrc(input), expected, input);
});
