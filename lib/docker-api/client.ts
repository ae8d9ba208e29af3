/**
 * The Docker engine the driver talks to: dockerode with Docker's own defaults (DOCKER_HOST, else the
 * local socket), and a reachability check whose message says how to get an engine running.
 */
import Docker from "dockerode";

export function dockerClient(): Docker {
  return new Docker();
}

export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

/** How to get a reachable engine, for messages (the same advice .ci/run follows). */
export const START_DOCKER_HINT =
  "start the Docker engine (`sudo systemctl start docker`, Docker Desktop, or on a machine without an init " +
  "system `sudo dockerd >/tmp/dockerd.log 2>&1 &`; install it with `sudo apt-get install -y docker.io`), " +
  "or point DOCKER_HOST at one; `docker info` must answer";

/** Throws a message saying what to do when the engine does not answer within `timeoutMs`. */
export async function assertDockerReachable(docker: Docker, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    throw new Error(
      `the Docker engine at ${dockerEndpoint()} is not reachable (${(error as Error).message}): ${START_DOCKER_HINT}`,
    );
  } finally {
    clearTimeout(timer);
  }
}
