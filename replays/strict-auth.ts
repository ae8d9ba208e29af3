/**
 * strict-auth — strict-auth mode (ADMIN_TOKEN + MOLECULE_ENV=production, docs/anchor.md#strict-auth) with
 * the anchor's exact 401 bodies, on every tenant, through the edge (org header always right, so the
 * TenantGuard passes and auth decides):
 *   AdminAuth      no bearer / a non-Bearer scheme → 401 admin auth required; a wrong bearer or
 *                  ANOTHER tenant's admin token → 401 invalid admin auth token (reads and writes)
 *   WorkspaceAuth  no bearer → 401 missing workspace auth token; a wrong bearer, or a workspace
 *                  token of another workspace → 401 invalid workspace auth token; ADMIN_TOKEN passes
 *   token rule     once a workspace holds a live token, /registry/:id/peers accepts only that token:
 *                  the admin token is refused (docs/anchor.md#quirks), none → 401 missing workspace
 *                  auth token
 *   test tokens    GET /admin/workspaces/:id/test-token is 404 {"error":"not found"} in production
 * It mints a token for a probe workspace of its own (removed at the end and before each run).
 */
import { randomUUID } from "node:crypto";
import {
  defineReplay,
  expectJson,
  expectJsonSubset,
  expectStatus,
  type HttpResponse,
  type ReplayContext,
  type Tenant,
} from "../runner/api";
import { Checklist } from "./lib/checklist";
import { createWorkspace, removeWorkspace, removeWorkspacesNamed } from "./lib/workspaces";

// Underscores: no tenant name can make `<tenant>-%` (per-tenant-independence) match it.
const PROBE = "strict_auth_probe";

function rejected(res: HttpResponse, error: string): void {
  expectStatus(res, 401);
  expectJsonSubset(res, { error }, "401 body");
}

async function checkTenant(ctx: ReplayContext, list: Checklist, tenant: Tenant): Promise<void> {
  const t = `${tenant.name}:`;
  const org = { orgId: tenant.orgId };
  const noBearer = tenant.client(org);
  const wrongBearer = tenant.client({ ...org, token: `wrong-${randomUUID()}` });

  await list.check(`${t} GET /workspaces without a bearer → 401 admin auth required`, async () =>
    rejected(await noBearer.get("/workspaces"), "admin auth required"),
  );
  await list.check(
    `${t} the admin token under another scheme (Token …) → 401 admin auth required`,
    async () =>
      rejected(
        await noBearer.get("/workspaces", { headers: { Authorization: `Token ${tenant.adminToken}` } }),
        "admin auth required",
      ),
  );
  await list.check(`${t} GET /workspaces with a wrong bearer → 401 invalid admin auth token`, async () =>
    rejected(await wrongBearer.get("/workspaces"), "invalid admin auth token"),
  );
  await list.check(`${t} POST /workspaces with a wrong bearer → 401 invalid admin auth token`, async () =>
    rejected(await wrongBearer.post("/workspaces", { name: PROBE }), "invalid admin auth token"),
  );
  for (const other of ctx.tenants.filter((o) => o !== tenant)) {
    await list.check(
      `${t} ${other.name}'s admin token (with ${tenant.name}'s org) → 401 invalid admin auth token`,
      async () =>
        rejected(
          await tenant.client({ ...org, token: other.adminToken }).get("/workspaces"),
          "invalid admin auth token",
        ),
    );
  }

  const activity = `/workspaces/${tenant.seed.parent}/activity`;
  await list.check(`${t} workspace route without a bearer → 401 missing workspace auth token`, async () =>
    rejected(await noBearer.get(activity), "missing workspace auth token"),
  );
  await list.check(`${t} workspace route with a wrong bearer → 401 invalid workspace auth token`, async () =>
    rejected(await wrongBearer.get(activity), "invalid workspace auth token"),
  );
  await list.check(`${t} workspace route with ADMIN_TOKEN → 200`, async () =>
    expectStatus(await tenant.admin.get(activity), 200),
  );

  await removeWorkspacesNamed(tenant, PROBE);
  const probe = await createWorkspace(tenant, PROBE);
  try {
    const minted = expectStatus(
      await tenant.admin.post(`/admin/workspaces/${probe}/tokens`),
      [200, 201],
      `${t} mint a workspace token`,
    );
    const token = expectJson<{ auth_token: string }>(minted).auth_token;
    const peers = `/registry/${probe}/peers`;
    const asProbe = { headers: { "X-Workspace-ID": probe } };
    await list.check(
      `${t} peers of a workspace with a live token refuse the admin token → 401 invalid workspace auth token`,
      async () => rejected(await tenant.admin.get(peers, asProbe), "invalid workspace auth token"),
    );
    await list.check(`${t} … without a bearer → 401 missing workspace auth token`, async () =>
      rejected(await noBearer.get(peers, asProbe), "missing workspace auth token"),
    );
    await list.check(`${t} … with its own token → 200`, async () =>
      expectStatus(await tenant.client({ ...org, token }).get(peers, asProbe), 200),
    );
    await list.check(
      `${t} that workspace token on another workspace's route → 401 invalid workspace auth token`,
      async () =>
        rejected(await tenant.client({ ...org, token }).get(activity), "invalid workspace auth token"),
    );
    await list.check(
      `${t} GET /admin/workspaces/:id/test-token is hidden in production → 404 not found`,
      async () => {
        const res = await tenant.admin.get(`/admin/workspaces/${probe}/test-token`);
        expectStatus(res, 404);
        expectJsonSubset(res, { error: "not found" }, "404 body");
      },
    );
  } finally {
    await removeWorkspace(tenant, probe);
  }
}

export default defineReplay({
  closes: null,
  proves:
    "strict auth holds on every tenant with the exact 401 bodies: admin routes need that tenant's own ADMIN_TOKEN, workspace routes a token of that workspace (or ADMIN_TOKEN), peers refuse the admin token once a workspace has a token, and the test-token route is hidden in production",
  async run(ctx) {
    const list = new Checklist(ctx);
    for (const tenant of ctx.tenants) await checkTenant(ctx, list, tenant);
    list.done("strict auth holds with the anchor's 401 bodies");
  },
});
