/**
 * Docker details shared by the components: healthchecks, waiting, the random-secret command.
 * Plain data, so the L1/L2 tests can compare against it.
 */

/**
 * Healthcheck timing: probe every half second, so the health gate sees a container healthy within
 * half a second of it being ready (Docker's first probe runs one interval after start, and engines
 * before 25 have no faster start interval). Failures during the start period do not count; after
 * it, `retries` consecutive failures mark it unhealthy. Explicit values everywhere: the provider's 0
 * means "inherit 30 s".
 */
export const HEALTH_TIMING = { interval: "500ms", timeout: "3s", retries: 30, startPeriod: "30s" } as const;

export interface Healthcheck {
  tests: string[];
  interval: string;
  timeout: string;
  retries: number;
  startPeriod: string;
}

export function healthcheck(tests: string[]): Healthcheck {
  return { tests, ...HEALTH_TIMING };
}

/**
 * A healthcheck that GETs `path` on 127.0.0.1:`port` inside the container and passes on a 200, in
 * bash (its /dev/tcp), for the images built on the Node base (Debian, so bash is there). A `node`
 * probe cost about 120 ms of CPU each time; with three of them every half second, that was most of a
 * core on a two-core machine, taken from the boot and the replays. This costs well under one.
 */
export function httpProbe(port: number, path: string): string[] {
  const request = `GET ${path} HTTP/1.0\\r\\nHost: 127.0.0.1:${port}\\r\\n\\r\\n`;
  return [
    "CMD",
    "bash",
    "-c",
    `exec 3<>/dev/tcp/127.0.0.1/${port} && printf '${request}' >&3 && read -r status <&3 && [[ $status == "HTTP/1."?" 200 "* ]]`,
  ];
}

export const HEALTHCHECKS = {
  /** -h 127.0.0.1: during initdb the entrypoint's temporary server listens on the socket only. */
  postgres: (user: string, db: string) => ["CMD", "pg_isready", "-U", user, "-d", db, "-h", "127.0.0.1"],
  redis: ["CMD", "redis-cli", "ping"],
  cpStub: httpProbe(9090, "/healthz"),
  /** The reference tenant (reference-tenant/): its /health, on the guard's allowlist. */
  tenant: httpProbe(8080, "/health"),
} as const;

/** Seconds Docker waits after SIGTERM before SIGKILL on destroy/replace (throwaway state: keep it short). */
export const DESTROY_GRACE_SECONDS = 5;

export type SecretKind = "token" | "key32" | "password";

/**
 * Shell command printing a fresh random secret on stdout (nothing else, no newline). Run once by a
 * local.Command whose output is kept in state, so it is generated on the first `up` only.
 * token: 32 random bytes, base64url (43 chars); key32: 32 random bytes, base64 (what
 * SECRETS_ENCRYPTION_KEY requires); password: 24 random bytes, hex.
 */
export function randomSecretCommand(kind: SecretKind): string {
  const expr = {
    token: "require('crypto').randomBytes(32).toString('base64url')",
    key32: "require('crypto').randomBytes(32).toString('base64')",
    password: "require('crypto').randomBytes(24).toString('hex')",
  }[kind];
  return `node -e "process.stdout.write(${expr})"`;
}

/**
 * Shell command printing a port that is free on `host` right now (nothing else). Run once per
 * published port by a local.Command kept in state (components/host-port.ts), so the port stays the
 * stack's for its lifetime: a replaced container gets the same one back.
 */
export function freePortCommand(host: string): string {
  const js = `const s=require('net').createServer();s.listen(0,${JSON.stringify(host)},()=>{process.stdout.write(String(s.address().port));s.close()})`;
  return `node -e ${shellSingleQuote(js)}`;
}

function shellSingleQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
