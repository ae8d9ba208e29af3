/**
 * Token issuance for operators and tests:
 *   GET  /admin/workspaces/:id/test-token — own gating: hidden (404) under production unless
 *        MOLECULE_ENABLE_TEST_TOKENS=1; needs ADMIN_TOKEN when one is configured.
 *   POST /admin/workspaces/:id/tokens     — AdminAuth; the production way to mint a workspace token.
 *   GET|POST /org/tokens, DELETE /org/tokens/:id — AdminAuth; org API tokens (accepted by both auths).
 *   GET  /admin/liveness                  — AdminAuth; proves an admin credential works.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { adminAuth, AUTH_ERRORS, bearerToken, secretEquals } from "../auth";
import { liveWorkspaceExists } from "../db/workspaces";
import { isPlainObject, isUuid } from "../validate";
import type { RouteDeps } from "./deps";

export function registerAdminRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { pool, tokens, config } = deps;
  const admin = adminAuth(deps.auth);

  const mint = async (id: string, reply: FastifyReply, status: number) => {
    if (!isUuid(id) || !(await liveWorkspaceExists(pool, id))) {
      return reply.code(404).send({ error: "workspace not found" });
    }
    const token = await tokens.issueWorkspaceToken(id);
    return reply.code(status).send({ auth_token: token, workspace_id: id.toLowerCase() });
  };

  app.get<{ Params: { id: string } }>("/admin/workspaces/:id/test-token", async (request, reply) => {
    if (!config.testTokensEnabled) return reply.code(404).send({ error: "not found" });
    if (
      config.adminToken !== "" &&
      !secretEquals(bearerToken(request.headers.authorization) ?? "", config.adminToken)
    ) {
      return reply.code(401).send(AUTH_ERRORS.adminRequired);
    }
    return mint(request.params.id, reply, 200);
  });

  app.post<{ Params: { id: string } }>(
    "/admin/workspaces/:id/tokens",
    { preHandler: admin },
    async (request, reply) => mint(request.params.id, reply, 201),
  );

  app.get("/admin/liveness", { preHandler: admin }, async () => ({ status: "ok" }));

  app.get("/org/tokens", { preHandler: admin }, async () => tokens.listOrgTokens());

  app.post("/org/tokens", { preHandler: admin }, async (request, reply) => {
    const body = request.body ?? {};
    if (!isPlainObject(body) || (body.name !== undefined && typeof body.name !== "string")) {
      return reply.code(400).send({ error: "invalid request body" });
    }
    const created = await tokens.issueOrgToken(
      (body.name as string | undefined) ?? null,
      config.orgId || null,
    );
    return reply.code(201).send(created);
  });

  app.delete<{ Params: { id: string } }>("/org/tokens/:id", { preHandler: admin }, async (request, reply) => {
    if (!isUuid(request.params.id) || !(await tokens.revokeOrgToken(request.params.id))) {
      return reply.code(404).send({ error: "token not found" });
    }
    return { status: "revoked" };
  });
}
