/**
 * Strict-auth middleware (docs/anchor.md#strict-auth) with the anchor's exact error bodies:
 *   AdminAuth      — lists, creates, deletes, org tokens.
 *   WorkspaceAuth  — /workspaces/:id/… sub-resources (activity).
 *   workspaceCaller — the registry's "token rule": once a workspace holds a live token, only that
 *                     token speaks for it (register, heartbeat, update-card, peers, discover).
 * Origin/Referer are never trusted by AdminAuth.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { createHash, timingSafeEqual } from "node:crypto";
import { isSameOriginCanvas } from "./same-origin";
import type { TokenStore } from "./tokens";

export const AUTH_ERRORS = {
  adminRequired: { error: "admin auth required" },
  invalidAdmin: { error: "invalid admin auth token" },
  missingWorkspaceToken: { error: "missing workspace auth token" },
  invalidWorkspaceToken: { error: "invalid workspace auth token" },
  missingWorkspaceId: { error: "missing workspace ID" },
  datastore: { error: "platform datastore unavailable — retry shortly", code: "platform_unavailable" },
} as const;

export interface AuthDeps {
  adminToken: string;
  devMode: boolean;
  canvasProxyActive: boolean;
  tokens: TokenStore;
}

export interface Rejection {
  status: number;
  body: Record<string, string>;
}

/** `Authorization: Bearer <token>`: the prefix must match exactly; the rest is trimmed. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !value.startsWith("Bearer ")) return null;
  const token = value.slice("Bearer ".length).trim();
  return token === "" ? null : token;
}

/** Constant-time comparison that does not leak the length of the secret either. */
export function secretEquals(given: string, secret: string): boolean {
  if (secret === "") return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(secret).digest();
  return timingSafeEqual(a, b);
}

function send(reply: FastifyReply, rejection: Rejection): FastifyReply {
  return reply.code(rejection.status).send(rejection.body);
}

export async function checkAdmin(deps: AuthDeps, request: FastifyRequest): Promise<Rejection | null> {
  try {
    // Fresh install: nothing to protect yet and no admin secret configured.
    if (deps.adminToken === "" && !(await deps.tokens.anyLiveToken())) return null;
    if (deps.devMode) return null;
    const bearer = bearerToken(request.headers.authorization);
    if (bearer === null) return { status: 401, body: AUTH_ERRORS.adminRequired };
    if (secretEquals(bearer, deps.adminToken)) return null;
    if (await deps.tokens.isOrgToken(bearer)) return null;
    if (deps.adminToken === "" && (await deps.tokens.workspaceOfToken(bearer)) !== null) return null;
    return { status: 401, body: AUTH_ERRORS.invalidAdmin };
  } catch (error) {
    request.log.error({ err: error }, "admin auth: datastore error");
    return { status: 503, body: AUTH_ERRORS.datastore };
  }
}

export async function checkWorkspace(
  deps: AuthDeps,
  request: FastifyRequest,
  workspaceId: string,
): Promise<Rejection | null> {
  if (workspaceId === "") return { status: 401, body: AUTH_ERRORS.missingWorkspaceId };
  const bearer = bearerToken(request.headers.authorization);
  try {
    if (bearer !== null) {
      if (secretEquals(bearer, deps.adminToken)) return null;
      if (await deps.tokens.isOrgToken(bearer)) return null;
      const owner = await deps.tokens.workspaceOfToken(bearer);
      return owner === workspaceId.toLowerCase()
        ? null
        : { status: 401, body: AUTH_ERRORS.invalidWorkspaceToken };
    }
  } catch (error) {
    request.log.error({ err: error }, "workspace auth: datastore error");
    return { status: 503, body: AUTH_ERRORS.datastore };
  }
  if (deps.canvasProxyActive && isSameOriginCanvas(request.headers)) return null;
  if (deps.devMode) return null;
  return { status: 401, body: AUTH_ERRORS.missingWorkspaceToken };
}

/**
 * The registry's token rule for a workspace speaking for itself. A workspace without a live token is
 * still bootstrapping and may call without one; after that only its own token is accepted — the
 * admin token included, deliberately, is not. Throws on datastore errors (the caller picks the body).
 */
export async function checkWorkspaceCaller(
  deps: AuthDeps,
  request: FastifyRequest,
  workspaceId: string,
  options: { devModeBypass: boolean },
): Promise<Rejection | null> {
  if (!(await deps.tokens.hasLiveToken(workspaceId))) return null;
  if (options.devModeBypass && deps.devMode) return null;
  const bearer = bearerToken(request.headers.authorization);
  if (bearer === null) return { status: 401, body: AUTH_ERRORS.missingWorkspaceToken };
  const owner = await deps.tokens.workspaceOfToken(bearer);
  return owner === workspaceId.toLowerCase()
    ? null
    : { status: 401, body: AUTH_ERRORS.invalidWorkspaceToken };
}

/** preHandler for AdminAuth routes. */
export function adminAuth(deps: AuthDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const rejection = await checkAdmin(deps, request);
    return rejection ? send(reply, rejection) : undefined;
  };
}

/** preHandler for WorkspaceAuth routes (`/workspaces/:id/…`). */
export function workspaceAuth(deps: AuthDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const id = (request.params as { id?: string }).id ?? "";
    const rejection = await checkWorkspace(deps, request, id);
    return rejection ? send(reply, rejection) : undefined;
  };
}
