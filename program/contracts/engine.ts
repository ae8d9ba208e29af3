/**
 * How to reach the Docker engine a stack runs on (config `harness:engine`, docs/pulumi.md): what the
 * program's own API calls (the health gate), the runner's log collection, the preflight and the pool
 * use, with the same settings the docker provider gets. The program hands it to the runner inside
 * HARNESS_TARGET (secret: it may carry a client key).
 *
 * Absent `host`: Docker's own defaults (DOCKER_HOST, else the local socket), exactly as before the
 * engine was configurable. A `tcp://` engine always has mutual TLS: a CA, a client certificate and
 * its key, from a directory (`certPath`, as Docker's DOCKER_CERT_PATH) or as PEM text.
 */
import type Docker from "dockerode";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface EngineAccess {
  /** `unix:///path/to/docker.sock` or `tcp://<address>:<port>`; absent = Docker's defaults. */
  host?: string;
  /** A directory holding `ca.pem`, `cert.pem` and `key.pem`. */
  certPath?: string;
  /** PEM text (secret): the CA that signed the engine's certificate, the client certificate, its key. */
  ca?: string;
  cert?: string;
  key?: string;
}

/** Whether the engine is reached over TCP (mutual TLS), rather than through a local socket. */
export function isTcpEngine(access: EngineAccess | undefined): boolean {
  return access?.host?.startsWith("tcp://") ?? false;
}

/** For messages: the engine's address (never its key material). */
export function engineName(access: EngineAccess | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return access?.host ?? env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

/** The client certificate material: read from `certPath`, or given as text. */
export function tlsMaterial(
  access: EngineAccess,
  read: (path: string) => string = (path) => readFileSync(path, "utf8"),
): { ca: string; cert: string; key: string } | undefined {
  if (access.certPath) {
    return {
      ca: read(join(access.certPath, "ca.pem")),
      cert: read(join(access.certPath, "cert.pem")),
      key: read(join(access.certPath, "key.pem")),
    };
  }
  if (access.ca && access.cert && access.key) return { ca: access.ca, cert: access.cert, key: access.key };
  return undefined;
}

/**
 * dockerode's options for the engine. Every connection field is set explicitly: docker-modem starts
 * from DOCKER_HOST/DOCKER_CERT_PATH and only overrides what it is given, so an ambient DOCKER_HOST
 * must not leak into a configured engine.
 */
export function dockerOptions(
  access: EngineAccess | undefined,
  read?: (path: string) => string,
): Docker.DockerOptions {
  if (!access?.host) return {};
  const none = { socketPath: undefined, host: undefined, port: undefined, ca: undefined, cert: undefined };
  if (access.host.startsWith("unix://")) {
    return { ...none, key: undefined, socketPath: access.host.slice("unix://".length), protocol: "http" };
  }
  const url = new URL(access.host.replace(/^tcp:/, "https:"));
  const tls = tlsMaterial(access, read);
  if (!tls) throw new Error(`the engine ${access.host} has no TLS material (certPath, or ca, cert and key)`);
  return {
    ...none,
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port || "2376",
    protocol: "https",
    ...tls,
  };
}
