/**
 * How the program's own `docker` CLI calls (the network Command, the port picks of a remote engine)
 * reach the stack's engine: the environment Docker's CLI reads (DOCKER_HOST, DOCKER_TLS_VERIFY,
 * DOCKER_CERT_PATH), set on the Command itself, so its `delete` — run from state, perhaps by a later
 * `pulumi destroy` with another environment — reaches the same engine. Certificates given as PEM
 * text travel as secret environment values and are written to a private temporary directory for
 * the one call. Pure.
 */
import type { EngineAccess } from "../contracts/engine";

/** Where PEM material travels to a Command (secret environment values, never on a command line). */
export const MATERIAL_ENV = {
  ca: "HARNESS_ENGINE_CA",
  cert: "HARNESS_ENGINE_CERT",
  key: "HARNESS_ENGINE_KEY",
} as const;

export interface DockerCli {
  /** The Command's environment; undefined for Docker's defaults (the Command inherits, as before). */
  environment?: Record<string, string>;
  /** The environment carries key material: it must be a secret in state. */
  secret: boolean;
  /** The shell script, run against the engine. */
  wrap(script: string): string;
}

export function dockerCli(access: EngineAccess): DockerCli {
  if (!access.host) return { secret: false, wrap: (script) => script };
  if (!access.host.startsWith("tcp://"))
    return { environment: { DOCKER_HOST: access.host }, secret: false, wrap: (s) => s };
  if (access.certPath) {
    return {
      environment: { DOCKER_HOST: access.host, DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: access.certPath },
      secret: false,
      wrap: (script) => script,
    };
  }
  const write = (Object.keys(MATERIAL_ENV) as (keyof typeof MATERIAL_ENV)[])
    .map((k) => `printf '%s' "$${MATERIAL_ENV[k]}" >"$DOCKER_CERT_PATH/${k}.pem"`)
    .join(" && ");
  const prelude =
    `DOCKER_CERT_PATH=$(mktemp -d) && trap 'rm -rf "$DOCKER_CERT_PATH"' EXIT && ` +
    `(umask 077 && ${write}) && export DOCKER_CERT_PATH && `;
  return {
    environment: {
      DOCKER_HOST: access.host,
      DOCKER_TLS_VERIFY: "1",
      [MATERIAL_ENV.ca]: access.ca ?? "",
      [MATERIAL_ENV.cert]: access.cert ?? "",
      [MATERIAL_ENV.key]: access.key ?? "",
    },
    secret: true,
    wrap: (script) => `${prelude}{ ${script}; }`,
  };
}

/** The range remote port picks come from: IANA's dynamic ports, above any service's. */
export const PICK_RANGE = { min: 49152, max: 65535 } as const;

/**
 * Shell command printing a host port that no container on the engine publishes (nothing else): the
 * remote counterpart of program/lib/docker.ts `freePortCommand`, which binds the port on this machine, where
 * a remote engine's address does not exist. Run once per published port and kept in state
 * (components/host-port.ts). A process on the engine's machine holding the port, or two stacks
 * picking at the same instant, fail the container's create with Docker's "port is already
 * allocated"; `destroy` and `up` again picks anew.
 */
export function enginePortCommand(): string {
  const js =
    `let t="";process.stdin.on("data",d=>t+=d).on("end",()=>{` +
    `const used=new Set([...t.matchAll(/:(\\d+)->/g)].map(m=>Number(m[1])));` +
    `for(;;){const p=${PICK_RANGE.min}+Math.floor(Math.random()*${PICK_RANGE.max - PICK_RANGE.min + 1});` +
    `if(!used.has(p)){process.stdout.write(String(p));break}}})`;
  // Not a pipe: sh has no pipefail, and an engine that does not answer must fail the pick.
  return `ports=$(docker ps --all --format '{{.Ports}}') && printf '%s' "$ports" | node -e '${js}'`;
}
