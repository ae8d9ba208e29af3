/**
 * The stub's own API under /__stub/ (never journaled, never overridable): the anchor's counters,
 * plus reset, the request journal and programmable overrides. Bad input is a 400 whose `error`
 * says what is wrong and how to fix it.
 */
import type { Handler, RequestContext } from "./context";
import { sendGoJson } from "./http-io";
import { parseJournalFilter } from "./journal";
import { validateOverride } from "./overrides";

const ROUTES_PREFIX = "/__stub/routes/";

function methodNotAllowed({ res, target }: RequestContext, allowed: readonly string[]): void {
  res.setHeader("Allow", allowed.join(", "));
  sendGoJson(res, 405, { error: `cp-stub: ${target.path} only accepts ${allowed.join(" or ")}` });
}

/** Anchor: counters, any method. */
const state: Handler = (ctx) => {
  sendGoJson(ctx.res, 200, ctx.state.counters.snapshot());
};

const reset: Handler = (ctx) => {
  if (ctx.method !== "POST") return methodNotAllowed(ctx, ["POST"]);
  ctx.state.reset();
  sendGoJson(ctx.res, 200, { ok: true });
};

const requests: Handler = (ctx) => {
  if (ctx.method !== "GET") return methodNotAllowed(ctx, ["GET"]);
  const parsed = parseJournalFilter(new URLSearchParams(ctx.target.rawQuery));
  if (!parsed.ok) return sendGoJson(ctx.res, 400, { error: parsed.error });
  sendGoJson(ctx.res, 200, { requests: ctx.state.journal.list(parsed.filter) });
};

const EXAMPLE = '{"method":"POST","path":"/cp/workspaces/provision","status":500,"times":"once"}';

const routes: Handler = (ctx) => {
  if (ctx.method === "GET") return sendGoJson(ctx.res, 200, { routes: ctx.state.overrides.list() });
  if (ctx.method !== "POST") return methodNotAllowed(ctx, ["GET", "POST"]);
  const text = ctx.body.toString("utf8");
  if (text.trim() === "") {
    return sendGoJson(ctx.res, 400, {
      error: `request body is empty; send an override as JSON, e.g. ${EXAMPLE}`,
    });
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return sendGoJson(ctx.res, 400, { error: `invalid JSON: ${why}; send an override such as ${EXAMPLE}` });
  }
  const validated = validateOverride(input);
  if (!validated.ok) return sendGoJson(ctx.res, 400, { error: validated.error });
  sendGoJson(ctx.res, 201, ctx.state.overrides.add(validated.spec));
};

/** `/__stub/routes/<id>`: GET one override, DELETE it. */
const routeById: Handler = (ctx) => {
  if (ctx.method !== "GET" && ctx.method !== "DELETE") return methodNotAllowed(ctx, ["GET", "DELETE"]);
  const raw = ctx.target.path.slice(ROUTES_PREFIX.length);
  if (!/^[1-9]\d{0,14}$/.test(raw)) {
    return sendGoJson(ctx.res, 400, {
      error: `override id must be a positive integer as returned by POST /__stub/routes; got ${JSON.stringify(raw)}`,
    });
  }
  const id = Number(raw);
  const found = ctx.state.overrides.get(id);
  if (found === undefined) return sendGoJson(ctx.res, 404, { error: `no override with id ${id}` });
  if (ctx.method === "GET") return sendGoJson(ctx.res, 200, found);
  ctx.state.overrides.remove(id);
  sendGoJson(ctx.res, 200, { ok: true });
};

const KNOWN =
  "GET /__stub/state, POST /__stub/reset, GET /__stub/requests, GET|POST /__stub/routes, GET|DELETE /__stub/routes/<id>";

const unknownAdmin: Handler = ({ method, target, res }) => {
  sendGoJson(res, 404, { error: `cp-stub: no admin endpoint ${method} ${target.path}; known: ${KNOWN}` });
};

/** ServeMux patterns of the admin API. */
export const ADMIN_ROUTES: Readonly<Record<string, Handler>> = {
  "/__stub/state": state,
  "/__stub/reset": reset,
  "/__stub/requests": requests,
  "/__stub/routes": routes,
  [ROUTES_PREFIX]: routeById,
  "/__stub/": unknownAdmin,
};
