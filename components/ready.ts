/**
 * The health gate: an Output that resolves to the container once Docker reports it healthy, checked
 * on every `up` (not on preview), in the program rather than in the provider. Dependents list it in
 * `dependsOn`, so they start only after it. Why not the provider's `wait`: it polls once a second,
 * never stops on an exited or unhealthy container, fails after its whole timeout without the
 * container's logs, and a later `up` accepts the container it gave up on. Here an exited or unhealthy
 * container fails the `up` at once, the failure carries its last probes and log lines, and the next
 * `up` checks the same container again, so it fails again until the container is healthy.
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type Docker from "dockerode";
import { dockerOptions, type EngineAccess } from "../program/contracts/engine";
import { waitHealthy } from "../program/lib/docker-api/health";

const clients = new Map<string, Promise<Docker>>();

/**
 * The engine's API client (the stack's engine: the provider's host and TLS material), loaded on
 * first use: a preview, or a program run by a test, never needs it.
 */
function engineClient(access: EngineAccess): Promise<Docker> {
  const key = JSON.stringify(access);
  let client = clients.get(key);
  if (!client) {
    client = import("dockerode").then(({ default: Dockerode }) => new Dockerode(dockerOptions(access)));
    clients.set(key, client);
  }
  return client;
}

/** `engine`: how to reach the container's engine (absent: Docker's defaults). */
export function containerReady(
  container: docker.Container,
  name: string,
  timeoutSeconds: number,
  engine: EngineAccess = {},
): pulumi.Output<docker.Container> {
  return container.id.apply(async (id) => {
    if (pulumi.runtime.isDryRun()) return container;
    try {
      await waitHealthy((await engineClient(engine)).getContainer(id), name, { timeoutSeconds });
    } catch (error) {
      throw new pulumi.RunError(
        `${(error as Error).message}\n  to recreate it: fix the cause, or \`pulumi up --replace '${await urnOf(container)}'\``,
      );
    }
    return container;
  });
}

function urnOf(resource: pulumi.Resource): Promise<string> {
  return new Promise((resolve) => resource.urn.apply(resolve));
}
