/** The shared Redis (production's Redis is one shared cluster), reachable in the network as `redis`. */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { HEALTHCHECKS, healthcheck } from "../program/lib/docker";
import { ALIASES, PORTS } from "../program/lib/naming";
import { serviceContainer } from "./container";
import type { Engine } from "./engine";
import { HarnessComponent } from "./component";

export interface RedisArgs {
  engine: Engine;
  image: pulumi.Input<string>;
  networkName: pulumi.Input<string>;
  waitTimeoutSeconds: number;
}

export class Redis extends HarnessComponent {
  public readonly container: docker.Container;
  /** The container once healthy (the health gate): what dependents wait for. */
  public readonly ready: pulumi.Output<docker.Container>;
  public readonly containerName: string;
  /** REDIS_URL inside the network. */
  public readonly internalUrl: string;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("Redis", name, opts);
    this.containerName = this.naming.object("redis");
    this.internalUrl = `redis://${ALIASES.redis}:${PORTS.redis}`;
    ({ container: this.container, ready: this.ready } = serviceContainer(
      this.child("container"),
      {
        naming: this.naming,
        engine: args.engine,
        role: "redis",
        containerName: this.containerName,
        image: args.image,
        networkName: args.networkName,
        aliases: [ALIASES.redis],
        healthcheck: healthcheck([...HEALTHCHECKS.redis]),
        waitTimeoutSeconds: args.waitTimeoutSeconds,
      },
      this.childOpts(),
    ));
    this.done({ containerName: this.containerName });
  }
}
