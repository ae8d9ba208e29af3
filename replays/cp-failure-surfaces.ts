/**
 * cp-failure-surfaces — a CP provisioning failure must surface (bug class
 * docs/anchor.md#success-shaped-error-swallowing; the CP provisioner contract of
 * docs/anchor.md#cp-provisioning). With a cp-stub override making `POST /cp/workspaces/provision` answer 500
 * once, a workspace created on the tenant must end `failed` with last_sample_error "provisioning failed" —
 * not `online`, not stuck `provisioning` — and the journal must show the tenant's provision call for that
 * workspace, answered by the override. On every tenant; the probe workspace and the override are removed
 * afterwards (and leftovers of an interrupted run before), so the suite can run again against the same stack.
 */
import {
  defineReplay,
  expectEqual,
  expectJson,
  expectStatus,
  fail,
  type JournalEntry,
  type ReplayContext,
  type Tenant,
} from "../runner/api";
import { createWorkspace, listWorkspaces, removeWorkspace, removeWorkspacesNamed } from "./lib/workspaces";

// Underscores: no tenant name can make `<tenant>-%` (per-tenant-independence) match it.
const PROBE = "cp_failure_probe";
const PROVISION = "/cp/workspaces/provision";

async function statusOf(tenant: Tenant, id: string): Promise<string> {
  const res = expectStatus(await tenant.admin.get(`/workspaces/${id}`), 200, `GET /workspaces/${id}`);
  return expectJson<{ status: string }>(res).status;
}

async function provisionCallFor(ctx: ReplayContext, id: string, since: number): Promise<JournalEntry> {
  return ctx.eventually(
    async () => {
      const calls = await ctx.cpStub.requests({ method: "POST", path: PROVISION, since });
      const mine = calls.find((c) => {
        try {
          return (JSON.parse(c.body ?? "{}") as { workspace_id?: string }).workspace_id === id;
        } catch {
          return false;
        }
      });
      if (!mine)
        throw new Error(
          `the cp-stub journal shows no POST ${PROVISION} for workspace ${id}: the tenant never called the CP`,
        );
      return mine;
    },
    { timeoutMs: 20_000 },
  );
}

async function checkTenant(ctx: ReplayContext, tenant: Tenant): Promise<void> {
  await removeWorkspacesNamed(tenant, PROBE);
  const [last] = (await ctx.cpStub.requests()).slice(-1);
  const override = await ctx.cpStub.addRoute({
    method: "POST",
    path: PROVISION,
    status: 500,
    body: { error: "replay cp-failure-surfaces: provisioning refused" },
    times: "once",
  });
  let id: string | null = null;
  try {
    id = await createWorkspace(tenant, PROBE);
    const call = await provisionCallFor(ctx, id, last?.id ?? 0);
    if (call.overrideId !== override.id) {
      fail(
        `tenant ${tenant.name}: the provision call for ${id} was not answered by this replay's failing override (another provisioning call took it?): inconclusive`,
      );
    }
    const workspaceId = id;
    let seen = "provisioning";
    try {
      await ctx.eventually(
        async () => {
          seen = await statusOf(tenant, workspaceId);
          if (seen === "online") return; // decided below
          if (seen !== "failed") throw new Error(seen);
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
    } catch {
      fail(
        `tenant ${tenant.name}: after the CP answered 500, workspace ${workspaceId} is still "${seen}" 20 s later — stuck, the failure never surfaced`,
      );
    }
    if (seen !== "failed") {
      fail(
        `tenant ${tenant.name}: the CP refused to provision workspace ${workspaceId} (HTTP 500), yet it reports "${seen}": the failure was swallowed (silently online)`,
      );
    }
    const listed = (await listWorkspaces(tenant)).find((w) => w.id === workspaceId);
    expectEqual(
      listed?.last_sample_error,
      "provisioning failed",
      `tenant ${tenant.name}: last_sample_error of ${workspaceId}`,
    );
    ctx.log(
      `✓ ${tenant.name}: provision → 500 (override ${override.id}); workspace ${workspaceId} ended failed`,
    );
  } finally {
    if (id) await removeWorkspace(tenant, id);
    // A "once" override is gone after its match; one left by an early failure must not hit later calls.
    if ((await ctx.cpStub.listRoutes()).some((r) => r.id === override.id))
      await ctx.cpStub.removeRoute(override.id);
  }
}

export default defineReplay({
  closes: null,
  proves:
    "when the CP refuses to provision, the tenant's workspace ends failed with last_sample_error 'provisioning failed' (not silently online, not stuck), after a real provision call",
  async run(ctx) {
    if (!ctx.target.cpStubUrl) ctx.skip("the stack does not publish the cp-stub (cpStub.publish: false)");
    for (const tenant of ctx.tenants) await checkTenant(ctx, tenant);
  },
});
