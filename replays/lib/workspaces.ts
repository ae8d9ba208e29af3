/**
 * Workspaces a replay creates for itself, under a fixed name so that leftovers of an interrupted run
 * are found and removed before the next one (the seed's exact name list must stay intact:
 * tenant-isolation asserts it).
 */
import type { Tenant } from "../../runner/api";
import { expectJson, expectStatus } from "../../runner/api";

interface Workspace {
  id: string;
  name: string;
  status?: string;
  last_sample_error?: string | null;
}

export async function listWorkspaces(tenant: Tenant): Promise<Workspace[]> {
  const res = expectStatus(await tenant.admin.get("/workspaces"), 200, `${tenant.name}: list workspaces`);
  return expectJson<Workspace[]>(res, `${tenant.name}: list workspaces`);
}

/** DELETEs every live workspace with this name (a replay's own probe, left by an earlier run). */
export async function removeWorkspacesNamed(tenant: Tenant, name: string): Promise<number> {
  const leftovers = (await listWorkspaces(tenant)).filter((w) => w.name === name);
  for (const w of leftovers) await removeWorkspace(tenant, w.id);
  return leftovers.length;
}

export async function removeWorkspace(tenant: Tenant, id: string): Promise<void> {
  expectStatus(await tenant.admin.delete(`/workspaces/${id}`), 200, `${tenant.name}: remove workspace ${id}`);
}

export async function createWorkspace(tenant: Tenant, name: string): Promise<string> {
  const res = expectStatus(
    await tenant.admin.post("/workspaces", { name, tier: 1, runtime: "langgraph" }),
    [200, 201],
    `${tenant.name}: create workspace ${name}`,
  );
  const { id } = expectJson<{ id?: string }>(res, `${tenant.name}: create workspace ${name}`);
  if (typeof id !== "string" || id === "") throw new Error(`${tenant.name}: create ${name} returned no id`);
  return id;
}
