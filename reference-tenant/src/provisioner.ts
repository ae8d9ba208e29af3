/**
 * CP provisioning (docs/anchor.md#cp-provisioning): in tenant mode a new workspace is provisioned by the
 * control plane. Runs in the background with a bounded timeout so POST /workspaces answers at once and the
 * outcome is observable through GET /workspaces/:id: success records the CP's instance_id (the
 * workspace stays `provisioning` until its runtime registers); any failure — non-201, a body without
 * `instance_id` and `state`, a timeout, a refused connection — ends in status `failed` with
 * last_sample_error `provisioning failed`, never stuck.
 */
import type { FastifyBaseLogger } from "fastify";
import type { Pool } from "pg";
import { request as undiciRequest, type Dispatcher } from "undici";
import type { EventBus } from "./events";
import { readCapped } from "./read-capped";
import type { TenantMetrics } from "./metrics";

export interface ProvisionerConfig {
  cpProvisionUrl: string;
  sharedSecret: string;
  adminToken: string;
  orgId: string;
  platformUrl: string;
  timeoutMs: number;
  /** Extra env for the workspace runtime (the LLM endpoints of a managed tenant). */
  workspaceEnv: Record<string, string>;
}

export interface ProvisionRequest {
  id: string;
  runtime: string;
  tier: number;
}

const MAX_BODY_BYTES = 64 * 1024;

export class CpProvisioner {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      config: ProvisionerConfig;
      pool: Pool;
      dispatcher: Dispatcher;
      events: EventBus;
      metrics: TenantMetrics;
      log: FastifyBaseLogger;
    },
  ) {}

  /** Starts provisioning in the background; the returned promise settles when it has finished. */
  start(workspace: ProvisionRequest): Promise<void> {
    const run = this.provision(workspace).catch((error: unknown) => {
      this.deps.log.error({ err: error, workspace_id: workspace.id }, "provision: bookkeeping failed");
    });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  /** Waits for every background provisioning call (each is bounded by the timeout). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async provision(workspace: ProvisionRequest): Promise<void> {
    const { config, log } = this.deps;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (config.sharedSecret) headers.authorization = `Bearer ${config.sharedSecret}`;
    if (config.adminToken) headers["x-molecule-admin-token"] = config.adminToken;
    const body = {
      org_id: config.orgId,
      workspace_id: workspace.id,
      runtime: workspace.runtime,
      tier: workspace.tier,
      platform_url: config.platformUrl,
      env: { WORKSPACE_ID: workspace.id, PLATFORM_URL: config.platformUrl, ...config.workspaceEnv },
    };
    let outcome: { ok: true; instanceId: string; state: string } | { ok: false; reason: string };
    try {
      const response = await undiciRequest(`${config.cpProvisionUrl}/cp/workspaces/provision`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        dispatcher: this.deps.dispatcher,
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      const { text } = await readCapped(response.body, MAX_BODY_BYTES);
      outcome = interpret(response.statusCode, text);
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      outcome = { ok: false, reason: `request failed: ${reason}` };
    }

    if (outcome.ok) {
      await this.deps.pool.query("UPDATE workspaces SET instance_id = $2, updated_at = now() WHERE id = $1", [
        workspace.id,
        outcome.instanceId,
      ]);
      this.deps.metrics.provisionOutcomes.inc({ outcome: "success" });
      log.info(
        { workspace_id: workspace.id, instance_id: outcome.instanceId, state: outcome.state },
        "provisioned",
      );
      this.deps.events.publish("WORKSPACE_PROVISIONED", workspace.id, { instance_id: outcome.instanceId });
      return;
    }
    // Only a workspace still provisioning fails: one that registered meanwhile keeps its status.
    await this.deps.pool.query(
      `UPDATE workspaces SET status = 'failed', last_sample_error = 'provisioning failed', updated_at = now()
        WHERE id = $1 AND status = 'provisioning'`,
      [workspace.id],
    );
    this.deps.metrics.provisionOutcomes.inc({ outcome: "failure" });
    log.warn({ workspace_id: workspace.id, reason: outcome.reason }, "provision failed");
    this.deps.events.publish("WORKSPACE_PROVISION_FAILED", workspace.id, { reason: "provisioning failed" });
  }
}

/** Only 201 with string `instance_id` and `state` is success — the CP provisioner contract. */
export function interpret(
  status: number,
  text: string,
): { ok: true; instanceId: string; state: string } | { ok: false; reason: string } {
  const snippet = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  if (status !== 201) return { ok: false, reason: `provision failed (${status}): ${snippet}` };
  try {
    const parsed = JSON.parse(text) as { instance_id?: unknown; state?: unknown };
    if (
      typeof parsed.instance_id === "string" &&
      parsed.instance_id !== "" &&
      typeof parsed.state === "string"
    ) {
      return { ok: true, instanceId: parsed.instance_id, state: parsed.state };
    }
  } catch {
    // fall through: unstructured body
  }
  return { ok: false, reason: `provision failed (201): unstructured body: ${snippet}` };
}
