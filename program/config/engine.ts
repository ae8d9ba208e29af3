/**
 * `harness:engine`: the Docker engine a stack runs on, and the addresses its published ports bind on
 * and are dialled at (docs/pulumi.md, README "Remote engines"). The same shape is an entry of an
 * engine pool file (scripts/one-shot/pool.ts) and the file `npm run base-images -- --engine` reads.
 *
 * Security rules, enforced here: a `tcp://` engine has mutual TLS (an open Docker API is root on its
 * machine for anyone who reaches the port); a client key given as text is a Pulumi secret; nothing
 * publishes on all interfaces (the databases, with their passwords, would be open to the network).
 */
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import type { EngineAccess } from "../contracts/engine";
import { describe } from "../contracts/problems";

export interface EngineConfig extends EngineAccess {
  /** The engine's address its published ports bind on (never all interfaces). */
  publishAddress: string;
  /** What the runner, the seed and the outputs dial for those ports. */
  clientAddress: string;
}

/** No `harness:engine`: Docker's defaults, ports on loopback (as before engines were configurable). */
export const DEFAULT_ENGINE: EngineConfig = { publishAddress: "127.0.0.1", clientAddress: "127.0.0.1" };

export const ENGINE_KEYS = ["host", "tls", "publishAddress", "clientAddress"] as const;
const TLS_KEYS = ["certPath", "ca", "cert", "key"] as const;
const TLS_FILES = ["ca.pem", "cert.pem", "key.pem"] as const;

/** `tcp://<IPv4, [IPv6] or DNS name>:<port>` */
const TCP_HOST = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;
const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const ALL_INTERFACES = ["0.0.0.0", "::", "0:0:0:0:0:0:0:0"];

export interface EngineProblem {
  /** Below the engine's key, e.g. `.tls.certPath` (empty for the key itself). */
  path: string;
  problem: string;
  fix: string;
}

export interface EngineParseContext {
  /** The full key the value came from, for fixes (`harness:engine`, or `engines[2]` of a pool file). */
  key: string;
  /** Relative `tls.certPath`s start here. */
  baseDir: string;
  isDirectory: (path: string) => boolean;
  isFile: (path: string) => boolean;
  /** Whether the value is a Pulumi secret; undefined: unknown (not checked). */
  secret?: boolean;
  /** More keys the caller reads itself (a pool entry's `name`, `maxStacks`). */
  extraKeys?: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The address part of a `tcp://` host (brackets of an IPv6 address removed), or undefined. */
export function tcpHostAddress(host: string | undefined): string | undefined {
  const m = host === undefined ? null : TCP_HOST.exec(host);
  return m ? m[1].replace(/^\[(.*)\]$/, "$1") : undefined;
}

export function isAllInterfaces(address: string): boolean {
  return ALL_INTERFACES.includes(address);
}

/**
 * Validates an engine (`undefined`: none configured, the defaults). Every problem is collected;
 * with problems, the returned engine is the defaults (nothing is created anyway).
 */
export function parseEngine(
  value: unknown,
  ctx: EngineParseContext,
): { engine: EngineConfig; configured: boolean; problems: EngineProblem[] } {
  const problems: EngineProblem[] = [];
  const add = (path: string, problem: string, fix: string) => problems.push({ path, problem, fix });
  if (value === undefined) return { engine: { ...DEFAULT_ENGINE }, configured: false, problems };
  const example = `${ctx.key}: {host: tcp://10.0.0.5:2376, tls: {certPath: /etc/harness/engine}, publishAddress: 10.0.0.5}`;
  if (!isObject(value)) {
    add("", `must be an object, got ${describe(value)}`, `e.g. ${example}`);
    return { engine: { ...DEFAULT_ENGINE }, configured: true, problems };
  }
  const known = [...ENGINE_KEYS, ...(ctx.extraKeys ?? [])];
  for (const key of Object.keys(value).filter((k) => !known.includes(k))) {
    add(`.${key}`, "unknown key", `remove it; known keys: ${known.join(", ")}`);
  }

  // host
  let host: string | undefined;
  let tcp = false;
  if (value.host !== undefined) {
    const h = value.host;
    const port = typeof h === "string" ? TCP_HOST.exec(h)?.[2] : undefined;
    if (typeof h === "string" && /^unix:\/\/\/./.test(h)) {
      host = h;
    } else if (typeof h === "string" && port !== undefined && Number(port) >= 1 && Number(port) <= 65535) {
      host = h;
      tcp = true;
    } else {
      add(
        ".host",
        `must be unix:///<path to docker.sock> or tcp://<address>:<port>, got ${describe(h)}` +
          (typeof h === "string" && /^ssh:/.test(h) ? " (ssh:// is not supported: mutual TLS only)" : ""),
        `e.g. tcp://10.0.0.5:2376 (with tls), or unix:///var/run/docker.sock; omit host for Docker's defaults`,
      );
    }
  }

  // tls
  const access: EngineAccess = host === undefined ? {} : { host };
  const tls = value.tls;
  if (tls === undefined) {
    if (tcp) {
      add(
        ".tls",
        "is required for a tcp:// engine: Docker's API over TCP without mutual TLS is root on the engine's machine for anyone who reaches the port",
        `set ${ctx.key}.tls.certPath to a directory with ca.pem, cert.pem and key.pem (as DOCKER_CERT_PATH), or tls.ca, tls.cert and tls.key as secrets`,
      );
    }
  } else if (!isObject(tls)) {
    add(".tls", `must be an object, got ${describe(tls)}`, "e.g. tls: {certPath: /etc/harness/engine}");
  } else if (!tcp) {
    // An invalid host is reported above; TLS is checked once the host is a tcp:// one.
    if (value.host === undefined || host !== undefined) {
      add(
        ".tls",
        "applies to tcp:// engines only (a unix socket has no TLS)",
        `remove ${ctx.key}.tls, or set ${ctx.key}.host to tcp://<address>:2376`,
      );
    }
  } else {
    for (const key of Object.keys(tls).filter((k) => !(TLS_KEYS as readonly string[]).includes(k))) {
      add(`.tls.${key}`, "unknown key", `remove it; known keys: ${TLS_KEYS.join(", ")}`);
    }
    const material = (["ca", "cert", "key"] as const).filter((k) => tls[k] !== undefined);
    if (tls.certPath !== undefined && material.length > 0) {
      add(
        ".tls",
        `sets both certPath and ${material.join(", ")}: the client certificate comes from exactly one of them`,
        "keep certPath (a directory with ca.pem, cert.pem, key.pem), or remove it and keep ca, cert and key",
      );
    } else if (tls.certPath !== undefined) {
      if (typeof tls.certPath !== "string" || tls.certPath.trim() === "") {
        add(
          ".tls.certPath",
          `must be a directory path, got ${describe(tls.certPath)}`,
          "e.g. /etc/harness/engine",
        );
      } else {
        const dir = resolve(ctx.baseDir, tls.certPath);
        if (!ctx.isDirectory(dir)) {
          add(
            ".tls.certPath",
            `directory ${dir} does not exist`,
            "point it at the directory holding ca.pem, cert.pem and key.pem",
          );
        } else {
          const missing = TLS_FILES.filter((f) => !ctx.isFile(join(dir, f)));
          if (missing.length > 0) {
            add(
              ".tls.certPath",
              `${dir} lacks ${missing.join(", ")}`,
              "put the engine's CA (ca.pem), the client certificate (cert.pem) and its key (key.pem) there, as for DOCKER_CERT_PATH",
            );
          } else {
            access.certPath = dir;
          }
        }
      }
    } else {
      const missing = (["ca", "cert", "key"] as const).filter((k) => tls[k] === undefined);
      const notPem = material.filter(
        (k) => typeof tls[k] !== "string" || !String(tls[k]).includes("-----BEGIN "),
      );
      if (missing.length > 0) {
        add(
          ".tls",
          material.length === 0
            ? "sets neither certPath nor ca, cert and key"
            : `lacks ${missing.join(", ")}: mutual TLS needs the engine's CA (without it the engine's certificate would go unchecked), the client certificate and its key`,
          `pulumi config set --path --secret '${ctx.key}.tls.<ca|cert|key>' "$(cat <file>.pem)" for each, or use tls.certPath`,
        );
      }
      for (const k of notPem) {
        add(
          `.tls.${k}`,
          "is not PEM text (value not shown)",
          `pulumi config set --path --secret '${ctx.key}.tls.${k}' "$(cat ${k}.pem)"`,
        );
      }
      if (ctx.secret === false && material.length > 0) {
        add(
          ".tls",
          "is not a secret: the client key would sit in plain text in the stack file",
          `set each as a secret: pulumi config set --path --secret '${ctx.key}.tls.key' "$(cat key.pem)" (and tls.ca, tls.cert), or use tls.certPath`,
        );
      }
      if (missing.length === 0 && notPem.length === 0) {
        Object.assign(access, { ca: tls.ca as string, cert: tls.cert as string, key: tls.key as string });
      }
    }
  }

  // publishAddress
  const hostAddress = tcpHostAddress(host);
  let publishAddress: string | undefined;
  const publish = value.publishAddress;
  if (publish !== undefined) {
    if (typeof publish !== "string" || isIP(publish) === 0) {
      add(
        ".publishAddress",
        `must be an IP address of the engine's machine, got ${describe(publish)}`,
        "e.g. 10.0.0.5, or 127.0.0.1 for a local engine",
      );
    } else if (isAllInterfaces(publish)) {
      add(
        ".publishAddress",
        `${publish} binds every published port (the databases with their passwords, the cp-stub, the edge) on all of the engine's interfaces`,
        "use the engine's address on the network the runner shares with it (e.g. the address in host), or 127.0.0.1 for a local engine",
      );
    } else {
      publishAddress = publish;
    }
  } else if (tcp && hostAddress !== undefined && isIP(hostAddress) === 0) {
    add(
      ".publishAddress",
      `is required: host names the engine by DNS name (${hostAddress}), and Docker binds ports on an IP address`,
      `set ${ctx.key}.publishAddress to the engine's IP address on the network the runner shares with it`,
    );
  } else {
    publishAddress = hostAddress ?? DEFAULT_ENGINE.publishAddress;
  }

  // clientAddress
  let clientAddress: string | undefined;
  const client = value.clientAddress;
  if (client !== undefined) {
    if (
      typeof client !== "string" ||
      (isIP(client) === 0 && !DNS_NAME.test(client)) ||
      isAllInterfaces(client)
    ) {
      add(
        ".clientAddress",
        `must be an address or DNS name the runner can dial, got ${describe(client)}`,
        "e.g. 10.0.0.5 or engine-1.ci.internal; default: the address in host",
      );
    } else {
      clientAddress = client;
    }
  } else {
    clientAddress = tcp ? hostAddress : publishAddress;
  }

  if (problems.length > 0) return { engine: { ...DEFAULT_ENGINE }, configured: true, problems };
  return {
    engine: { ...access, publishAddress: publishAddress!, clientAddress: clientAddress! },
    configured: true,
    problems,
  };
}
