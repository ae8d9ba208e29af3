/**
 * The cp-stub server: request pipeline and lifecycle.
 *
 * Built on node:http rather than Fastify on purpose: the stub must behave byte for byte like Go's
 * net/http ServeMux (path cleaning and its 301s, `/cp` → `/cp/`, decoded-segment matching, the
 * plain-text 404, Go's JSON decoder accepting any content type and trailing bytes). Fastify's
 * router, body parsers (415 on unknown types, 400 on empty JSON) and 404 handler would all have to
 * be switched off, so the stub owns routing end to end instead (see go-url.ts / go-json.ts).
 *
 * Pipeline per request: parse target → read body (bounded) → journal → override? → ServeMux.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ADMIN_ROUTES } from "./admin";
import type { JournalEntry, Override } from "./api";
import type { Handler } from "./context";
import { encodeGoJson } from "./go-json";
import { GoServeMux, goRedirect, parseRequestTarget } from "./go-url";
import { readBody, sendGoBadRequest, sendGoJson, sendGoNotFound, sendGoRedirect, sendRaw } from "./http-io";
import { CP_ROUTES } from "./routes";
import { StubState } from "./state";

export type CpStubLogger = (line: string) => void;

export interface CpStubOptions {
  /** Base URL the tenants reach the stub at, used in response bodies. Default `http://cp-stub:9090`. */
  publicUrl?: string;
  /** Journal entries kept (ring buffer). Default 1000. */
  journalCap?: number;
  /** Body bytes kept per journal entry. Default 64 KiB. */
  journalBodyBytes?: number;
  /** Largest request body accepted; larger ones get 413 (the Go stub had no limit). Default 1 MiB. */
  maxBodyBytes?: number;
  /** One line per request (except /healthz, which healthchecks poll every second or two). */
  logger?: CpStubLogger;
}

export const DEFAULT_PUBLIC_URL = "http://cp-stub:9090";

export interface CpStub {
  readonly server: Server;
  readonly state: StubState;
  /** Starts listening; port 0 picks a free one. Resolves with the bound port and a loopback URL. */
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /**
   * Stops accepting, ends delayed answers still waiting (their sockets are destroyed, as a hung CP
   * would look), lets in-flight requests finish for up to `graceMs`, then drops what is left.
   */
  close(graceMs?: number): Promise<void>;
}

/** Keep-alive longer than Go's http.Transport idle timeout (90 s), so the client side always
 * closes an idle connection first and never reuses one the stub is closing. */
const KEEP_ALIVE_MS = 120_000;

const isOwnPath = (path: string): boolean =>
  path === "/healthz" || path === "/__stub" || path.startsWith("/__stub/");

export function buildCpStub(options: CpStubOptions = {}): CpStub {
  const publicUrl = (options.publicUrl ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, "");
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const log = options.logger ?? ((): void => undefined);
  const state = new StubState({
    cap: options.journalCap ?? 1000,
    maxBodyBytes: options.journalBodyBytes ?? 64 * 1024,
  });
  const handlers: Record<string, Handler> = { ...CP_ROUTES, ...ADMIN_ROUTES };
  const mux = new GoServeMux(Object.keys(handlers));
  const delayed = new Set<{ timer: NodeJS.Timeout; res: ServerResponse }>();

  /** Answers with an override; its response is fixed now, so deleting it mid-delay changes nothing. */
  function answerOverride(res: ServerResponse, o: Override): void {
    const headers: Record<string, string> = {};
    let body = "";
    if (o.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = encodeGoJson(o.body);
    } else if (o.bodyText !== undefined) {
      headers["Content-Type"] = "text/plain; charset=utf-8";
      body = o.bodyText;
    }
    Object.assign(headers, o.headers);
    const status = o.status;
    if (o.delayMs === 0) return sendRaw(res, status, headers, body);
    const pending = {
      res,
      timer: setTimeout(() => {
        delayed.delete(pending);
        if (!res.destroyed) sendRaw(res, status, headers, body);
      }, o.delayMs),
    };
    delayed.add(pending);
    res.on("close", () => {
      clearTimeout(pending.timer);
      delayed.delete(pending);
    });
  }

  /** Per-request facts the access log needs once the response is over. */
  interface Outcome {
    overrideId: number | null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, outcome: Outcome): Promise<void> {
    const method = req.method ?? "GET";
    const parsed = parseRequestTarget(req.url ?? "/");
    if (parsed.kind === "invalid") return sendGoBadRequest(res);
    if (parsed.kind === "asterisk") {
      // Go: OPTIONS * → 200 empty (general options handler); any other method → ServeMux's 400.
      return method === "OPTIONS"
        ? sendRaw(res, 200, {}, "")
        : sendRaw(res, 400, { Connection: "close" }, "");
    }
    const target = parsed.target;
    const body = await readBody(req, maxBodyBytes);

    let entry: JournalEntry | null = null;
    if (!isOwnPath(target.path)) {
      const recorded = state.journal.record({
        method,
        path: target.path,
        rawQuery: target.rawQuery,
        headers: req.headers,
        body: body.bytes,
        bodyBytes: body.total,
      });
      res.on("finish", () => {
        recorded.status = res.statusCode;
      });
      entry = recorded;
    }

    if (body.total > maxBodyBytes) {
      return sendGoJson(res, 413, {
        error: `cp-stub: request body of ${body.total} bytes is over the ${maxBodyBytes}-byte limit`,
      });
    }

    if (entry !== null) {
      const override = state.overrides.take(method, target.path);
      if (override !== undefined) {
        entry.overrideId = override.id;
        outcome.overrideId = override.id;
        return answerOverride(res, override);
      }
    }

    const routed = mux.route(target);
    if (routed.kind === "redirect") return sendGoRedirect(res, goRedirect(method, routed.location));
    if (routed.kind === "notFound") return sendGoNotFound(res);
    handlers[routed.pattern]({ method, target, body: body.bytes, res, state, publicUrl });
  }

  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_MS }, (req, res) => {
    const started = process.hrtime.bigint();
    const outcome: Outcome = { overrideId: null };
    res.on("close", () => {
      if (req.url === "/healthz") return;
      const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
      const status = res.writableFinished ? String(res.statusCode) : "aborted";
      const via = outcome.overrideId === null ? "" : ` override=${outcome.overrideId}`;
      log(`${new Date().toISOString()} ${req.method} ${req.url} ${status} ${ms}ms${via}`);
    });
    handle(req, res, outcome).catch((error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      if (res.headersSent || res.destroyed || req.destroyed) {
        res.destroy();
        return;
      }
      sendGoJson(res, 500, { error: `cp-stub: internal error: ${why}` });
    });
  });

  return {
    server,
    state,
    listen(port = 0, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const bound = (server.address() as AddressInfo).port;
          const urlHost =
            host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
          resolve({ port: bound, url: `http://${urlHost}:${bound}` });
        });
      });
    },
    close(graceMs = 5000) {
      for (const pending of delayed) {
        clearTimeout(pending.timer);
        pending.res.destroy();
      }
      delayed.clear();
      if (!server.listening) return Promise.resolve();
      return new Promise((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
