/**
 * The Docker engine the driver talks to: dockerode with Docker's own defaults (DOCKER_HOST, else the
 * local socket), and a reachability check whose message says how to get an engine running.
 */
import Docker from "dockerode";
import { dockerOptions, isTcpEngine, type EngineAccess } from "../../contracts/engine";

/** `engine` (harness:engine): its host and TLS material; absent: Docker's defaults. */
export function dockerClient(engine?: EngineAccess): Docker {
  return new Docker(dockerOptions(engine));
}

export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

/** How to get a reachable engine, for messages (the same advice .ci/run follows). */
export const START_DOCKER_HINT =
  "start the Docker engine (`sudo systemctl start docker`, Docker Desktop, or on a machine without an init " +
  "system `sudo dockerd >/tmp/dockerd.log 2>&1 &`; install it with `sudo apt-get install -y docker.io`), " +
  "or point DOCKER_HOST at one; `docker info` must answer";

/** How to get a configured remote engine (harness:engine) to answer, for messages. */
export function remoteEngineHint(host: string): string {
  return (
    `check that dockerd runs there with --tlsverify and listens on ${host}, that this machine reaches that address, ` +
    "and that harness:engine.tls holds a client certificate and key its CA signed " +
    `(\`DOCKER_HOST=${host} DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=<tls.certPath> docker info\` must answer)`
  );
}

/**
 * Throws a message saying what to do when the engine does not answer within `timeoutMs`; `engine`:
 * the configured one (harness:engine), named in the message.
 */
export async function assertDockerReachable(
  docker: Docker,
  timeoutMs = 5000,
  engine?: EngineAccess,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    // One line: the preflight splits "what: fix" at the first ": ".
    const why = (error as Error).message.split("\n")[0].replace(/: /g, " - ");
    if (engine?.host) {
      throw new Error(
        `the Docker engine at ${engine.host} (harness:engine) is not reachable (${why}): ` +
          (isTcpEngine(engine) ? remoteEngineHint(engine.host) : `start it, or fix harness:engine.host`),
      );
    }
    throw new Error(
      `the Docker engine at ${dockerEndpoint()} is not reachable (${why}): ${START_DOCKER_HINT}`,
    );
  } finally {
    clearTimeout(timer);
  }
}
