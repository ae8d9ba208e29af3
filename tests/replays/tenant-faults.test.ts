/**
 * L4 (docs/design.md#l4-every-replay-can-fail): every replay of the tenant's production layers is shown to
 * FAIL against a tenant that has exactly its bug — with a message that names the bug — and to PASS once the
 * bug is gone. The tenants are the real reference tenants on loopback; a fault proxy between the edge and
 * one tenant gives it the bug (tests/replays/test-support/faults.ts). Each test runs the REAL replay file
 * from replays/ through the real runner.
 */
import { after, afterEach, before, describe, test } from "node:test";
import {
  activityIgnoresBeforeTs,
  activityIgnoresPeerId,
  activityWritesBleedInto,
  adminAuthAcceptsAnyBearer,
  buildinfoNotOnGuardAllowlist,
  buildinfoReports,
  canvasFallbackKeepsCredentials,
  cpAdminPathsOpen,
  cpProxyDropsAuthorization,
  guardAcceptsAnyOrg,
  guardRejectionNamesTheTenant,
  peersAcceptAdminToken,
  peersAnswerEmptyListForUnknown,
  provisioningFailureSwallowed,
} from "./test-support/faults";
import { startL4Stack, type L4Stack, type RunOverrides } from "./test-support/l4-stack";
import { assertCaught, assertPassed } from "./test-support/verdict";

describe("L4: replays of the tenant's production layers catch their bugs", () => {
  let stack: L4Stack;
  before(async () => {
    stack = await startL4Stack();
  });
  after(async () => {
    await stack?.stop();
  });
  afterEach(() => stack.clearFaults());

  /** Bug in → the replay FAILs naming it; bug out → the same replay PASSes on the same stack. */
  async function proves(
    replay: string,
    inject: () => void | (() => Promise<void>),
    patterns: RegExp[],
    overrides?: RunOverrides,
  ): Promise<void> {
    const undo = inject();
    try {
      assertCaught(await stack.run(replay, overrides), ...patterns);
    } finally {
      stack.clearFaults();
      await undo?.();
    }
    assertPassed(await stack.run(replay));
  }

  const alpha = () => stack.tenant("alpha");
  const beta = () => stack.tenant("beta");

  test("peer-discovery-404: peers answering 200 [] for an unknown workspace (#2397)", () =>
    proves("peer-discovery-404", () => stack.setFault("beta", peersAnswerEmptyListForUnknown), [
      /#2397/,
      /harness-tenant-beta/,
      /must answer 404, got HTTP 200/,
      /success-shaped/,
    ]));

  test("buildinfo-stale-image: /buildinfo missing from the TenantGuard allowlist (#2398)", () =>
    proves(
      "buildinfo-stale-image",
      () => stack.setFault("alpha", buildinfoNotOnGuardAllowlist(alpha().orgId)),
      [/tenant alpha/, /gave no git_sha \(HTTP 400/, /TenantGuard allowlist/],
    ));

  test("buildinfo-stale-image: GIT_SHA not wired into the build (reports dev)", () =>
    proves("buildinfo-stale-image", () => stack.setFault("beta", buildinfoReports("dev")), [
      /tenant beta/,
      /"dev"/,
      /GIT_SHA build arg is not wired/,
    ]));

  test("buildinfo-stale-image: one tenant still runs an older image (tenants disagree)", () =>
    // Locally a mismatch with the expected SHA only warns; the cross-tenant comparison still fails.
    proves(
      "buildinfo-stale-image",
      () => stack.setFault("beta", buildinfoReports("fedcba9876543210fedcba9876543210fedcba98")),
      [/tenants report different git_sha values/, /beta=fedcba98/, /stale or cross-wired tenant container/],
    ));

  test("buildinfo-stale-image: a mismatch with the expected SHA is a hard FAIL under CI, a warning locally", async () => {
    const stale = { target: { expectedGitSha: "0123456789abcdef0123456789abcdef01234567" } };
    assertCaught(
      await stack.run("buildinfo-stale-image", { ...stale, env: { CI: "true" } }),
      /the harness built 0123456789abcdef/,
      /hard failure under CI/,
    );
    assertPassed(await stack.run("buildinfo-stale-image", stale));
  });

  test("tenant-isolation: a TenantGuard that accepts a wrong org", () =>
    proves("tenant-isolation", () => stack.setFault("beta", guardAcceptsAnyOrg(beta().orgId)), [
      /^B1 alpha's credentials at beta \(its TenantGuard must refuse a wrong org with 404\): expected HTTP 404/,
      /got 401/,
    ]));

  test("tenant-isolation: a guard rejection that names the tenant (existence leak)", () =>
    proves("tenant-isolation", () => stack.setFault("beta", guardRejectionNamesTheTenant), [
      /^B2 that 404 leaks nothing about the tenant/,
      /tenant org mismatch/,
    ]));

  test("per-tenant-independence: concurrent writes to beta bleeding into alpha's database", async () => {
    const bleed = activityWritesBleedInto(alpha().databaseUrl, stack.seed.tenants.alpha.parent);
    await proves(
      "per-tenant-independence",
      () => {
        stack.setFault("beta", bleed);
        return bleed.end;
      },
      [/^F1 alpha holds 3 \+ 10 rows after the concurrent inserts/, /F3/],
    );
  });

  test("chat-history: before_ts ignored by the activity list (#2476)", () =>
    proves("chat-history", () => stack.setFault("alpha", activityIgnoresBeforeTs), [
      /^D1 before_ts = newest's created_at returns the 2 strictly older rows \(#2476\)/,
      /expected 2, got 3/,
    ]));

  test("chat-history: peer_id ignored and never validated (#2472)", () =>
    proves("chat-history", () => stack.setFault("alpha", activityIgnoresPeerId), [
      /^F1 peer_id=not-a-uuid → 400/,
      /got 200/,
    ]));

  test("strict-auth: AdminAuth accepting any bearer", () =>
    proves("strict-auth", () => stack.setFault("alpha", adminAuthAcceptsAnyBearer(alpha().adminToken)), [
      /^alpha: GET \/workspaces with a wrong bearer → 401 invalid admin auth token/,
      /got 200/,
    ]));

  test("strict-auth: peers accepting the admin token for a workspace with a live token (docs/anchor.md#quirks)", () =>
    proves("strict-auth", () => stack.setFault("beta", peersAcceptAdminToken(beta().adminToken)), [
      /^beta: peers of a workspace with a live token refuse the admin token/,
      /got 200/,
    ]));

  test("canvas-fallback-strips-credentials: the canvas receives Authorization (#451)", () =>
    proves(
      "canvas-fallback-strips-credentials",
      () => stack.setFault("alpha", canvasFallbackKeepsCredentials(alpha().orgId, alpha().canvasUrl)),
      [
        /#451/,
        /tenant alpha/,
        /Authorization header \(a Bearer credential\)/,
        /must strip credentials/,
        // The message names the leak without printing the secret that leaked (the admin token).
        new RegExp(`^(?:(?!${alpha().adminToken.slice(0, 8)}).)*$`),
      ],
    ));

  test("cp-proxy-allowlist: the /cp/* allowlist opens the CP's admin API", () =>
    proves("cp-proxy-allowlist", () => stack.setFault("alpha", cpAdminPathsOpen(stack.target.cpStubUrl)), [
      /^alpha: blocked \/cp\/admin\/orgs/,
      /allowlist let \/cp\/admin\/orgs through/,
      /journal shows POST|journal shows GET/,
    ]));

  test("cp-proxy-allowlist: the /cp/* proxy drops Authorization", () =>
    proves("cp-proxy-allowlist", () => stack.setFault("beta", cpProxyDropsAuthorization), [
      /^beta: allowed GET \/cp\/auth\/me reaches the CP/,
      /Authorization at the CP/,
      /got undefined/,
    ]));

  test("cp-failure-surfaces: a failed provisioning swallowed (workspace reads online)", () =>
    proves("cp-failure-surfaces", () => stack.setFault("alpha", provisioningFailureSwallowed), [
      /tenant alpha/,
      /HTTP 500/,
      /swallowed \(silently online\)/,
    ]));
});
