/**
 * The cp-stub as replays see it (`ctx.cpStub`): the cp-stub's own typed client, or — when the stack
 * does not publish the stub on the host (empty `target.cpStubUrl`) — a stand-in whose every call
 * fails saying so, instead of a connection error to nowhere. The client (and undici under it) loads
 * on the first call: a replay that never talks to the stub does not pay for it.
 */
import type { CpStubClient } from "../cp-stub/client";

/** What ctx.cpStub offers (CpStubClient's methods; tests may inject a fake). */
export type CpStubApi = Pick<
  CpStubClient,
  "state" | "reset" | "requests" | "addRoute" | "listRoutes" | "removeRoute" | "waitForRequests"
>;

export function unpublishedCpStub(): CpStubApi {
  const unavailable = () =>
    Promise.reject(
      new Error(
        "ctx.cpStub: the cp-stub is not published on the host for this stack (target.cpStubUrl is empty)",
      ),
    );
  return {
    state: unavailable,
    reset: unavailable,
    requests: unavailable,
    addRoute: unavailable,
    listRoutes: unavailable,
    removeRoute: unavailable,
    waitForRequests: unavailable,
  };
}

export function cpStubFor(cpStubUrl: string, timeoutMs?: number): CpStubApi {
  if (cpStubUrl === "") return unpublishedCpStub();
  let loaded: Promise<CpStubClient> | undefined;
  const client = () =>
    (loaded ??= import("../cp-stub/client").then((m) => new m.CpStubClient(cpStubUrl, { timeoutMs })));
  return {
    state: () => client().then((c) => c.state()),
    reset: () => client().then((c) => c.reset()),
    requests: (filter) => client().then((c) => c.requests(filter)),
    addRoute: (override) => client().then((c) => c.addRoute(override)),
    listRoutes: () => client().then((c) => c.listRoutes()),
    removeRoute: (id) => client().then((c) => c.removeRoute(id)),
    waitForRequests: (filter, options) => client().then((c) => c.waitForRequests(filter, options)),
  };
}
