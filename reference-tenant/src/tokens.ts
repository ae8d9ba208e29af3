/**
 * Workspace and org API tokens: 32 random bytes, base64url (43 chars), shown once; the database keeps
 * only the SHA-256 and an 8-char prefix for humans. Tokens of removed workspaces are never valid.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Pool } from "pg";

export function mintToken(): { token: string; hash: Buffer; prefix: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashToken(token), prefix: token.slice(0, 8) };
}

export function hashToken(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

export interface OrgTokenRow {
  id: string;
  name: string | null;
  prefix: string;
  org_id: string | null;
  created_at: string;
  last_used_at: string | null;
}

export class TokenStore {
  constructor(private readonly pool: Pool) {}

  async issueWorkspaceToken(workspaceId: string): Promise<string> {
    const { token, hash, prefix } = mintToken();
    await this.pool.query(
      "INSERT INTO workspace_auth_tokens (workspace_id, token_hash, prefix) VALUES ($1, $2, $3)",
      [workspaceId, hash, prefix],
    );
    return token;
  }

  /** Does this workspace have a live token? (Decides whether a caller must present one.) */
  async hasLiveToken(workspaceId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ live: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM workspace_auth_tokens t JOIN workspaces w ON w.id = t.workspace_id
          WHERE t.workspace_id = $1 AND t.revoked_at IS NULL AND w.status <> 'removed'
       ) AS live`,
      [workspaceId],
    );
    return rows[0].live;
  }

  /** Is there any live workspace token at all? (A fresh install without ADMIN_TOKEN fails open.) */
  async anyLiveToken(): Promise<boolean> {
    const { rows } = await this.pool.query<{ live: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM workspace_auth_tokens t JOIN workspaces w ON w.id = t.workspace_id
          WHERE t.revoked_at IS NULL AND w.status <> 'removed'
       ) AS live`,
    );
    return rows[0].live;
  }

  /** The id of the workspace this live token belongs to, or null. */
  async workspaceOfToken(token: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ workspace_id: string }>(
      `UPDATE workspace_auth_tokens t SET last_used_at = now()
         FROM workspaces w
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND w.id = t.workspace_id AND w.status <> 'removed'
      RETURNING t.workspace_id`,
      [hashToken(token)],
    );
    return rows[0]?.workspace_id ?? null;
  }

  async revokeWorkspaceTokens(workspaceIds: readonly string[]): Promise<void> {
    await this.pool.query(
      "UPDATE workspace_auth_tokens SET revoked_at = now() WHERE workspace_id = ANY($1::uuid[]) AND revoked_at IS NULL",
      [workspaceIds],
    );
  }

  async isOrgToken(token: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "UPDATE org_api_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL",
      [hashToken(token)],
    );
    return (rowCount ?? 0) > 0;
  }

  async issueOrgToken(name: string | null, orgId: string | null): Promise<OrgTokenRow & { token: string }> {
    const { token, hash, prefix } = mintToken();
    const { rows } = await this.pool.query<OrgTokenRow>(
      `INSERT INTO org_api_tokens (name, org_id, token_hash, prefix) VALUES ($1, $2, $3, $4)
       RETURNING id, name, prefix, org_id, created_at, last_used_at`,
      [name, orgId, hash, prefix],
    );
    return { ...rows[0], token };
  }

  async listOrgTokens(): Promise<OrgTokenRow[]> {
    const { rows } = await this.pool.query<OrgTokenRow>(
      `SELECT id, name, prefix, org_id, created_at, last_used_at FROM org_api_tokens
        WHERE revoked_at IS NULL ORDER BY created_at, id`,
    );
    return rows;
  }

  async revokeOrgToken(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "UPDATE org_api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
      [id],
    );
    return (rowCount ?? 0) > 0;
  }
}
