/** What every route handler gets: the parsed request and the stub it runs in (explicit DI). */
import type { ServerResponse } from "node:http";
import type { RequestTarget } from "./go-url";
import type { StubState } from "./state";

export interface RequestContext {
  method: string;
  target: RequestTarget;
  /** The request body (complete: larger bodies are refused before any handler runs). */
  body: Buffer;
  res: ServerResponse;
  state: StubState;
  /** Base URL the stub is reachable at from the tenants, used inside response bodies. */
  publicUrl: string;
}

export type Handler = (ctx: RequestContext) => void;
