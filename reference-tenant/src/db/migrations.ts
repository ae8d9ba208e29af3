/**
 * Schema the harness touches (docs/anchor.md#tables), as ordered, append-only migrations. Kept as
 * TypeScript strings so the bundled image needs no migrations folder. Never edit an applied
 * migration: add a new one (databases are reused across replay runs).
 */
export interface Migration {
  id: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: "001_workspaces",
    sql: `
DO $$ BEGIN
  CREATE TYPE workspace_status AS ENUM
    ('provisioning', 'online', 'offline', 'degraded', 'failed', 'removed', 'paused', 'hibernated');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS workspaces (
  id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                     text NOT NULL,
  role                     text,
  tier                     integer NOT NULL DEFAULT 1,
  status                   workspace_status NOT NULL DEFAULT 'provisioning',
  source_bundle_id         text,
  agent_card               jsonb,
  url                      text,
  parent_id                uuid REFERENCES workspaces(id),
  forwarded_to             uuid,
  last_heartbeat_at        timestamptz,
  last_error_rate          double precision NOT NULL DEFAULT 0,
  last_sample_error        text,
  active_tasks             integer NOT NULL DEFAULT 0,
  uptime_seconds           bigint NOT NULL DEFAULT 0,
  current_task             text,
  awareness_namespace      text,
  runtime                  text NOT NULL DEFAULT 'langgraph',
  workspace_dir            text,
  workspace_access         text NOT NULL DEFAULT 'none',
  budget_limit             double precision,
  monthly_spend            double precision NOT NULL DEFAULT 0,
  hibernation_idle_minutes integer,
  last_outbound_at         timestamptz,
  max_concurrent_tasks     integer NOT NULL DEFAULT 1,
  instance_id              text,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS workspaces_parent_id_idx ON workspaces (parent_id);

CREATE TABLE IF NOT EXISTS canvas_layouts (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  x            double precision NOT NULL DEFAULT 0,
  y            double precision NOT NULL DEFAULT 0,
  collapsed    boolean NOT NULL DEFAULT false
);`,
  },
  {
    id: "002_tokens",
    sql: `
CREATE TABLE IF NOT EXISTS workspace_auth_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  token_hash   bytea NOT NULL UNIQUE,
  prefix       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX IF NOT EXISTS workspace_auth_tokens_live_idx
  ON workspace_auth_tokens (workspace_id) WHERE revoked_at IS NULL;

CREATE TABLE IF NOT EXISTS org_api_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id       text,
  name         text,
  token_hash   bytea NOT NULL UNIQUE,
  prefix       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);`,
  },
  {
    id: "003_activity_logs",
    sql: `
CREATE TABLE IF NOT EXISTS activity_logs (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id  uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  activity_type text NOT NULL,
  source_id     uuid,
  target_id     uuid,
  method        text,
  summary       text,
  request_body  jsonb,
  response_body jsonb,
  duration_ms   integer,
  status        text NOT NULL DEFAULT 'ok',
  error_detail  text,
  tool_trace    jsonb,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS activity_logs_workspace_created_idx
  ON activity_logs (workspace_id, created_at DESC);`,
  },
  {
    id: "004_a2a_queue",
    sql: `
CREATE TABLE IF NOT EXISTS a2a_queue (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id  uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  caller_id     uuid,
  status        text NOT NULL DEFAULT 'queued',
  request_body  jsonb,
  response_body jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);`,
  },
];
