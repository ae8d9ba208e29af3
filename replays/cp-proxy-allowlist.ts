/**
 * cp-proxy-allowlist — the tenant's `/cp/*` reverse proxy forwards only what the browser may reach on
 * the control plane (the tables of docs/anchor.md#cp-proxy), guarding the "allowlist that opens admin paths"
 * class (docs/anchor.md#env-gated-middleware-drift). On every tenant, through the edge, with a browser's
 * credentials:
 *   - allowed paths reach the CP: the cp-stub's journal shows each request (one per unique probe
 *     marker) with the method, path and body, `Host` rewritten to the upstream, and `Authorization`
 *     and `Cookie` kept (the CP needs them); the client gets the CP's own answer;
 *   - blocked paths (admin, provisioning, tenant config, internal, prefix look-alikes) are an empty
 *     404 from the tenant, and the journal shows NO request carrying their marker.
 */
import { randomUUID } from "node:crypto";
import {
  defineReplay,
  excerpt,
  expect,
  expectEqual,
  type JournalEntry,
  type ReplayContext,
  type Tenant,
} from "../runner/api";
import { Checklist } from "./lib/checklist";

/**
 * docs/anchor.md#cp-proxy: allowed — entries ending in `/` match any sub-path, others exactly or with a `/`
 * sub-path.
 */
const ALLOWED = [
  "/cp/auth/me",
  "/cp/auth/tenant-member",
  "/cp/auth/login",
  "/cp/orgs",
  "/cp/orgs/acme",
  "/cp/orgs/acme/provision-status",
  "/cp/billing/checkout",
  "/cp/templates",
  "/cp/templates/starter",
  "/cp/legal/terms",
];

/** docs/anchor.md#cp-proxy: blocked — never forwarded. */
const BLOCKED = [
  "/cp/admin/orgs",
  "/cp/admin/tenants/redeploy-fleet",
  "/cp/workspaces/provision",
  "/cp/internal/usage",
  "/cp/tenants/config",
  "/cp/tenants/backup-report",
  "/cp/",
  "/cp",
  "/cp/auth",
  "/cp/authsomething",
  "/cp/orgsabc",
];

const MARKER = "replay_probe";

function withMarker(path: string, marker: string): string {
  return `${path}?${MARKER}=${marker}`;
}

async function probeTenant(ctx: ReplayContext, list: Checklist, tenant: Tenant): Promise<void> {
  const run = randomUUID();
  const bearer = `Bearer cp-session-${run}`;
  const cookie = `cp_session=${run}`;
  // A browser session at the tenant: the CDN worker adds the org header (so `/cp`, which is not
  // under the guard's `/cp/` pass, reaches the proxy's allowlist too).
  const browser = tenant.client({ orgId: tenant.orgId, headers: { Authorization: bearer, Cookie: cookie } });
  const [last] = (await ctx.cpStub.requests()).slice(-1);
  const since = last?.id ?? 0;
  const answers = new Map<string, { status: number; text: string }>();

  const sent: { path: string; marker: string; method: string; body?: string }[] = [];
  for (const [i, path] of [...ALLOWED, ...BLOCKED].entries()) {
    const marker = `${run}-${i}`;
    // One POST with a body: the method and the streamed body must arrive unchanged too.
    const isPost = path === "/cp/orgs";
    const body = isPost ? JSON.stringify({ slug: `replay-${run}` }) : undefined;
    const res = await browser.request({
      method: isPost ? "POST" : "GET",
      path: withMarker(path, marker),
      body,
      headers: isPost ? { "Content-Type": "application/json" } : undefined,
    });
    answers.set(marker, res);
    sent.push({ path, marker, method: isPost ? "POST" : "GET", body });
  }
  const journal = await ctx.cpStub.requests({ since });
  const arrived = (marker: string): JournalEntry[] =>
    journal.filter((entry) => entry.query[MARKER] === marker);

  for (const probe of sent) {
    const answer = answers.get(probe.marker) ?? { status: 0, text: "" };
    const hits = arrived(probe.marker);
    if (ALLOWED.includes(probe.path)) {
      await list.check(`${tenant.name}: allowed ${probe.method} ${probe.path} reaches the CP`, () => {
        expect(
          hits.length === 1,
          `the cp-stub journal shows ${hits.length} request(s) for it (want 1); the tenant answered HTTP ${answer.status}: ${excerpt(answer.text)}`,
        );
        const [hit] = hits;
        expectEqual(
          `${hit.method} ${hit.path}`,
          `${probe.method} ${probe.path}`,
          "method and path at the CP",
        );
        const host = hit.headers.host ?? "";
        expect(
          host !== "" && !/harness-tenant/i.test(host),
          `Host must be rewritten to the CP upstream, the CP got "${host}"`,
        );
        expectEqual(
          hit.headers.authorization,
          bearer,
          "Authorization at the CP (the CP authenticates with it)",
        );
        expectEqual(hit.headers.cookie, cookie, "Cookie at the CP (the CP session)");
        if (probe.body !== undefined) expectEqual(hit.body, probe.body, "request body at the CP");
        expectEqual(answer.status, hit.status, "the client gets the CP's own status");
      });
    } else {
      await list.check(
        `${tenant.name}: blocked ${probe.path} is an empty 404 that never reaches the CP`,
        () => {
          expect(
            hits.length === 0,
            `the /cp/* allowlist let ${probe.path} through: the cp-stub journal shows ${hits.map((h) => `${h.method} ${h.path} → ${h.status}`).join(", ")}`,
          );
          expectEqual(answer.status, 404, `status of ${probe.path}`);
          expectEqual(answer.text, "", `body of ${probe.path} (an empty 404 leaks nothing)`);
        },
      );
    }
  }
}

export default defineReplay({
  closes: null,
  proves:
    "every tenant's /cp/* proxy forwards exactly the allowlisted CP paths (Host rewritten, Authorization and Cookie kept) and answers every other /cp path with an empty 404 that never reaches the CP",
  independent: true,
  async run(ctx) {
    const list = new Checklist(ctx);
    for (const tenant of ctx.tenants) await probeTenant(ctx, list, tenant);
    list.done("the /cp/* allowlist holds on every tenant");
  },
});
