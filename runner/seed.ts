/**
 * The seed: per tenant (all tenants at once), through the edge with admin credentials, make sure `<tenant>-parent`
 * (tier 0) and `<tenant>-child` (tier 1, parent_id = parent) exist, and return their SERVER ids
 * (the tenant ignores client ids). Idempotent: existing workspaces are found by name in
 * `GET /workspaces` and reused, so re-running never duplicates rows (replays assert exact name lists).
 */
import type { SeedResult, SeedRole } from "../program/contracts/seed";
import type { HarnessTarget, TenantTarget } from "../program/contracts/target";
import { excerpt } from "./assertions";
import { errorMessage, HarnessError } from "./errors";
import { HttpClient, type HttpResponse } from "./http";

export interface SeedOptions {
  target: HarnessTarget;
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
  /** How long a tenant may take to answer /health through the edge before the seed gives up. Default 15000. */
  healthTimeoutMs?: number;
  /** Per request. Default 15000. */
  requestTimeoutMs?: number;
  /** Workspace runtime sent on create. Default "langgraph". */
  runtime?: string;
}

interface Workspace {
  id: string;
  name: string;
  parent_id?: string | null;
  status?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function workspaceName(tenant: string, role: SeedRole): string {
  return `${tenant}-${role}`;
}

async function waitHealthy(http: HttpClient, tenant: TenantTarget, edgeUrl: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const res = await http.request({ host: tenant.host, path: "/health", timeoutMs: 5000 });
      if (res.status === 200) return;
      last = `HTTP ${res.status}; body: ${excerpt(res.text, 200)}`;
    } catch (error) {
      last = errorMessage(error);
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(500, Math.max(0, deadline - Date.now())));
  }
  throw new HarnessError(
    `seed: tenant "${tenant.name}" is not reachable: GET /health with Host ${tenant.host} via the edge ${edgeUrl} did not answer 200 within ${Math.round(timeoutMs / 1000)}s (last: ${last})`,
  );
}

function adminHeaders(tenant: TenantTarget) {
  return {
    authorization: `Bearer ${tenant.adminToken}`,
    "x-molecule-org-id": tenant.orgId,
    "content-type": "application/json",
  };
}

function expectOk(res: HttpResponse, tenant: TenantTarget, what: string, statuses: number[]): unknown {
  if (!statuses.includes(res.status)) {
    throw new HarnessError(
      `seed: tenant "${tenant.name}": ${what} (${res.describe}) answered HTTP ${res.status}; body: ${excerpt(res.text)}`,
    );
  }
  try {
    return JSON.parse(res.text);
  } catch {
    throw new HarnessError(
      `seed: tenant "${tenant.name}": ${what} did not answer JSON: ${excerpt(res.text)}`,
    );
  }
}

async function listWorkspaces(
  http: HttpClient,
  tenant: TenantTarget,
  timeoutMs: number,
): Promise<Workspace[]> {
  const res = await http.request({
    host: tenant.host,
    path: "/workspaces",
    headers: adminHeaders(tenant),
    timeoutMs,
  });
  const body = expectOk(res, tenant, "listing workspaces", [200]);
  if (!Array.isArray(body)) {
    throw new HarnessError(
      `seed: tenant "${tenant.name}": GET /workspaces did not answer a JSON array: ${excerpt(res.text)}`,
    );
  }
  return body as Workspace[];
}

async function createWorkspace(
  http: HttpClient,
  tenant: TenantTarget,
  body: Record<string, unknown>,
  timeoutMs: number,
): Promise<string> {
  const res = await http.request({
    host: tenant.host,
    method: "POST",
    path: "/workspaces",
    headers: adminHeaders(tenant),
    json: body,
    timeoutMs,
  });
  const created = expectOk(res, tenant, `creating workspace ${String(body.name)}`, [200, 201]) as {
    id?: unknown;
  };
  if (typeof created.id !== "string" || created.id === "" || created.id === "null") {
    throw new HarnessError(
      `seed: tenant "${tenant.name}": creating workspace ${String(body.name)} returned no id: ${excerpt(res.text)}`,
    );
  }
  return created.id;
}

export async function seedTenant(
  http: HttpClient,
  tenant: TenantTarget,
  options: Required<Pick<SeedOptions, "requestTimeoutMs" | "runtime">> & { progress: (line: string) => void },
): Promise<Record<SeedRole, string>> {
  const existing = (await listWorkspaces(http, tenant, options.requestTimeoutMs)).filter(
    (w) => w.status !== "removed",
  );
  const find = (name: string): Workspace | undefined => {
    const matches = existing.filter((w) => w.name === name);
    if (matches.length > 1) {
      options.progress(
        `[seed] warning: tenant ${tenant.name} has ${matches.length} workspaces named ${name}; reusing ${matches[0].id}`,
      );
    }
    return matches[0];
  };

  const parentName = workspaceName(tenant.name, "parent");
  const childName = workspaceName(tenant.name, "child");
  let parent = find(parentName)?.id;
  if (parent) {
    options.progress(`[seed] ${tenant.name}: reusing ${parentName} ${parent}`);
  } else {
    parent = await createWorkspace(
      http,
      tenant,
      { name: parentName, tier: 0, runtime: options.runtime },
      options.requestTimeoutMs,
    );
    options.progress(`[seed] ${tenant.name}: created ${parentName} ${parent}`);
  }
  const existingChild = find(childName);
  let child = existingChild?.id;
  if (existingChild && child) {
    if (existingChild.parent_id !== undefined && existingChild.parent_id !== parent) {
      options.progress(
        `[seed] warning: ${childName} ${child} has parent_id ${String(existingChild.parent_id)}, not ${parent}`,
      );
    }
    options.progress(`[seed] ${tenant.name}: reusing ${childName} ${child}`);
  } else {
    child = await createWorkspace(
      http,
      tenant,
      { name: childName, tier: 1, parent_id: parent, runtime: options.runtime },
      options.requestTimeoutMs,
    );
    options.progress(`[seed] ${tenant.name}: created ${childName} ${child}`);
  }
  return { parent, child };
}

export async function seed(options: SeedOptions): Promise<SeedResult> {
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const http = new HttpClient({ baseUrl: options.target.edgeUrl, timeoutMs: requestTimeoutMs });
  const seedOne = async (tenant: TenantTarget): Promise<Record<SeedRole, string>> => {
    progress(`[seed] ${tenant.name}: checking /health (Host ${tenant.host}) via ${options.target.edgeUrl}`);
    await waitHealthy(http, tenant, options.target.edgeUrl, options.healthTimeoutMs ?? 15_000);
    try {
      return await seedTenant(http, tenant, {
        requestTimeoutMs,
        runtime: options.runtime ?? "langgraph",
        progress,
      });
    } catch (error) {
      if (error instanceof HarnessError) throw error;
      throw new HarnessError(`seed: tenant "${tenant.name}": ${errorMessage(error)}`);
    }
  };
  try {
    // The tenants are independent (each its own database): seeded at the same time; the first
    // failure in config order is the one reported.
    const seeded = await Promise.allSettled(options.target.tenants.map(seedOne));
    const result: SeedResult = { tenants: {} };
    for (const [i, tenant] of options.target.tenants.entries()) {
      const outcome = seeded[i];
      if (outcome.status === "rejected") throw outcome.reason;
      result.tenants[tenant.name] = outcome.value;
    }
    return result;
  } finally {
    await http.close();
  }
}
