/**
 * Stand-in for the cp-stub while it is built on its own branch: the wire shapes of ANCHOR §4.1 the
 * tenant calls (provision 201, nested tenants/config, auth/me, the 501 catch-all), a request
 * journal, and once/sticky overrides with an optional delay, like the stub's admin API.
 */
import { sendJson, startRecordingServer, type RecordedRequest } from "./recording-server";

export interface CpOverride {
  method: string;
  path: string;
  status: number;
  body?: unknown;
  delayMs?: number;
  times?: "once" | "sticky";
}

export interface FakeCp {
  url: string;
  journal(filter?: { method?: string; path?: string }): RecordedRequest[];
  override(route: CpOverride): void;
  close(): Promise<void>;
}

export const NESTED_TENANT_CONFIG = {
  tenant_id: "harness-tenant",
  runtimes: ["claude-code", "hermes", "openclaw", "codex", "seo-agent"],
  llm_endpoints: {
    openai: "http://cp-stub:9090/llm/openai/v1",
    anthropic: "http://cp-stub:9090/llm/anthropic/v1",
  },
  feature_flags: { canvas_async_dispatch: true, runtime_provision_smoke: true, secrets_encryption_key: true },
};

export async function startFakeCp(): Promise<FakeCp> {
  const overrides: CpOverride[] = [];
  const server = await startRecordingServer(async (req, res) => {
    const path = req.url.split("?", 1)[0];
    const index = overrides.findIndex((o) => o.method === req.method && o.path === path);
    if (index >= 0) {
      const o = overrides[index];
      if (o.times !== "sticky") overrides.splice(index, 1);
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      if (res.destroyed) return;
      if (typeof o.body === "string") {
        res.writeHead(o.status, { "content-type": "text/plain" });
        res.end(o.body);
      } else sendJson(res, o.status, o.body ?? {});
      return;
    }
    if (path === "/cp/workspaces/provision" && req.method === "POST") {
      const wsid = (JSON.parse(req.body || "{}") as { workspace_id?: string }).workspace_id || "harness-ws";
      return sendJson(res, 201, {
        instance_id: `mol-ws-${wsid}`,
        state: "running",
        workspace_id: wsid,
        url: `http://cp-stub:9090/cp/workspaces/${wsid}`,
      });
    }
    if (path === "/cp/tenants/config" && req.method === "GET")
      return sendJson(res, 200, NESTED_TENANT_CONFIG);
    if (path === "/cp/auth/me") {
      return sendJson(res, 200, {
        id: "harness-user",
        email: "harness@local",
        org_id: "harness-org",
        roles: ["admin"],
      });
    }
    if (path.startsWith("/cp/")) {
      return sendJson(res, 501, { error: `cp-stub: handler not implemented for ${req.method} ${path}` });
    }
    return sendJson(res, 404, { error: "not found" });
  });
  return {
    url: server.url,
    journal: (filter = {}) =>
      server.requests.filter(
        (r) =>
          (filter.method === undefined || r.method === filter.method) &&
          (filter.path === undefined || r.url.split("?", 1)[0] === filter.path),
      ),
    override: (route) => overrides.push(route),
    close: () => server.close(),
  };
}
