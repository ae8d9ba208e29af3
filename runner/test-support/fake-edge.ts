/**
 * Test double for "edge + tenants" on loopback: one HTTP server that routes by Host header like the
 * cf-proxy and answers like the reference tenant for the few routes the seed, ctx and shell tests use
 * (/health, GET|POST /workspaces behind TenantGuard + AdminAuth). Workspaces live in memory or in a
 * real postgres per tenant (so psql and HTTP agree). `misbehave` switches on the bugs replays catch.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "pg";
import { WebSocketServer } from "ws";

export interface FakeTenant {
  name: string;
  host: string;
  orgId: string;
  adminToken: string;
  /** Workspaces in this postgres (table `workspaces`) instead of memory. */
  storeUrl?: string;
}

export interface Workspace {
  id: string;
  name: string;
  tier: number;
  parent_id: string | null;
  runtime: string;
  status: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  upgrade: boolean;
}

export interface Misbehaviour {
  /** TenantGuard off: any org header (or none) passes. */
  guardOff?: boolean;
  /** GET /workspaces lists every tenant's workspaces. */
  leakAcrossTenants?: boolean;
  /** AdminAuth accepts any bearer. */
  anyBearer?: boolean;
  /** These tenants answer /health with 502 (as the edge does for a dead upstream). */
  down?: string[];
  /** POST /workspaces answers 500. */
  createFails?: boolean;
}

export interface FakeEdge {
  url: string;
  requests: RecordedRequest[];
  misbehave: Misbehaviour;
  workspaces(tenant: string): Promise<Workspace[]>;
  close(): Promise<void>;
}

interface Store {
  list(): Promise<Workspace[]>;
  create(ws: Workspace): Promise<void>;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS workspaces (
  id uuid PRIMARY KEY, name text NOT NULL, tier int NOT NULL DEFAULT 1,
  parent_id uuid REFERENCES workspaces(id), runtime text NOT NULL DEFAULT 'langgraph',
  status text NOT NULL DEFAULT 'provisioning', created_at timestamptz NOT NULL DEFAULT now())`;

async function pgStore(url: string): Promise<Store & { end(): Promise<void> }> {
  const pool = new Pool({ connectionString: url, max: 2 });
  // An idle client gets an error when postgres shuts down; without a listener that is an uncaught
  // exception in whatever test happens to be running.
  pool.on("error", () => undefined);
  await pool.query(SCHEMA);
  return {
    async list() {
      const { rows } = await pool.query<Workspace>(
        "SELECT id, name, tier, parent_id, runtime, status FROM workspaces ORDER BY created_at, name",
      );
      return rows;
    },
    async create(ws) {
      await pool.query(
        "INSERT INTO workspaces (id, name, tier, parent_id, runtime, status) VALUES ($1,$2,$3,$4,$5,$6)",
        [ws.id, ws.name, ws.tier, ws.parent_id, ws.runtime, ws.status],
      );
    },
    end: () => pool.end(),
  };
}

function memoryStore(): Store {
  const rows: Workspace[] = [];
  return {
    list: async () => [...rows],
    create: async (ws) => void rows.push(ws),
  };
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeEdge(options: {
  tenants: FakeTenant[];
  legacyHost?: string;
}): Promise<FakeEdge> {
  const stores = new Map<string, Store & { end?(): Promise<void> }>();
  for (const t of options.tenants) stores.set(t.name, t.storeUrl ? await pgStore(t.storeUrl) : memoryStore());
  const misbehave: Misbehaviour = {};
  const requests: RecordedRequest[] = [];
  const tenantFor = (host: string | undefined): FakeTenant | undefined => {
    const name = (host ?? "").replace(/:\d+$/, "");
    if (options.legacyHost && name === options.legacyHost) return options.tenants[0];
    return options.tenants.find((t) => t.host === name);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    requests.push({
      method: req.method ?? "GET",
      path: url.pathname + url.search,
      headers: req.headers,
      body,
      upgrade: false,
    });
    const tenant = tenantFor(req.headers.host);
    if (!tenant) return send(res, 421, { error: "unknown host" });
    if (url.pathname === "/health") {
      if (misbehave.down?.includes(tenant.name)) return send(res, 502, { error: "bad gateway" });
      return send(res, 200, { status: "ok" });
    }
    // TenantGuard (final form): missing header → 400 JSON, wrong → empty 404.
    const org = req.headers["x-molecule-org-id"];
    if (!misbehave.guardOff) {
      if (org === undefined) {
        return send(res, 400, {
          error: "missing tenant routing header",
          code: "TENANT_ORG_HEADER_REQUIRED",
          required_header: "X-Molecule-Org-Id",
        });
      }
      if (org !== tenant.orgId) return send(res, 404);
    }
    if (url.pathname === "/echo") return send(res, 200, { headers: req.headers, body });
    if (url.pathname !== "/workspaces") return send(res, 404, { error: "not found" });
    const auth = req.headers.authorization;
    if (!auth) return send(res, 401, { error: "admin auth required" });
    if (!misbehave.anyBearer && auth !== `Bearer ${tenant.adminToken}`) {
      return send(res, 401, { error: "invalid admin auth token" });
    }
    const store = stores.get(tenant.name) as Store;
    if (req.method === "GET") {
      if (misbehave.leakAcrossTenants) {
        const all = await Promise.all([...stores.values()].map((s) => s.list()));
        return send(res, 200, all.flat());
      }
      return send(res, 200, await store.list());
    }
    if (req.method === "POST") {
      if (misbehave.createFails) return send(res, 500, { error: "insert failed" });
      let input: Partial<Workspace> & { id?: string };
      try {
        input = JSON.parse(body) as typeof input;
      } catch {
        return send(res, 400, { error: "invalid workspace payload" });
      }
      if (!input.name) return send(res, 400, { error: "invalid workspace fields" });
      // As the real tenant: the client id is ignored, tier 0 becomes 3.
      const ws: Workspace = {
        id: randomUUID(),
        name: input.name,
        tier: input.tier === 0 ? 3 : (input.tier ?? 1),
        parent_id: input.parent_id ?? null,
        runtime: input.runtime ?? "langgraph",
        status: "provisioning",
      };
      await store.create(ws);
      return send(res, 201, { id: ws.id, status: ws.status });
    }
    return send(res, 405, { error: "method not allowed" });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => send(res, 500, { error: error.message }));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    requests.push({
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: req.headers,
      body: "",
      upgrade: true,
    });
    const tenant = tenantFor(req.headers.host);
    if (!tenant || req.url !== "/ws") {
      socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 11\r\n\r\nbad upgrade");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data) => ws.send(`${tenant.name}:${String(data)}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    misbehave,
    workspaces: (tenant) => (stores.get(tenant) as Store).list(),
    async close() {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...stores.values()].map((s) => s.end?.()));
    },
  };
}
