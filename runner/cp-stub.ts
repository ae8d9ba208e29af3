/**
 * The cp-stub as replays see it (`ctx.cpStub`): the cp-stub's own typed client, or — when the stack
 * does not publish the stub on the host (empty `target.cpStubUrl`) — a stand-in whose every call
 * fails saying so, instead of a connection error to nowhere.
 */
import { CpStubClient } from "../cp-stub/client";

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
  return cpStubUrl === "" ? unpublishedCpStub() : new CpStubClient(cpStubUrl, { timeoutMs });
}
