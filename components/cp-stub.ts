/**
 * The control-plane stub, built from `cp-stub/` (host-side bundle + Node base), shared by every
 * tenant: every CP URL a tenant knows points here, so no call leaves the harness. Published on a
 * random loopback port (never all interfaces) so replays on the host can call it directly.
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import type { ImageBuilder } from "../config/schema";
import { HEALTHCHECKS, healthcheck } from "../lib/docker";
import { ALIASES, PORTS, type Naming } from "../lib/naming";
import { publishedPort, serviceContainer } from "./container";
import { localImage } from "./local-image";

export interface CpStubArgs {
  naming: Naming;
  repoRoot: string;
  nodeBase: docker.RemoteImage;
  networkName: pulumi.Input<string>;
  publish: boolean;
  builder: ImageBuilder;
  rebuildNonce: string;
  keepImages: boolean;
  waitTimeoutSeconds: number;
}

export class CpStub extends pulumi.ComponentResource {
  public readonly image: docker.Image;
  public readonly container: docker.Container;
  public readonly containerName: string;
  /** Base URL inside the network. */
  public readonly internalUrl: string;
  /** Published loopback port, or undefined when not published. */
  public readonly hostPort: pulumi.Output<number | undefined>;

  constructor(name: string, args: CpStubArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:index:CpStub", name, {}, opts);
    this.containerName = args.naming.object("cp-stub");
    this.internalUrl = `http://${ALIASES.cpStub}:${PORTS.cpStub}`;
    const context = join(args.repoRoot, "cp-stub");
    const built = localImage(
      name,
      {
        naming: args.naming,
        role: "cp-stub",
        context,
        dockerfile: join(context, "Dockerfile"),
        args: { NODE_BASE: args.nodeBase.name },
        builder: args.builder,
        rebuildNonce: args.rebuildNonce,
        keepImages: args.keepImages,
        base: args.nodeBase,
      },
      this,
    );
    this.image = built.image;
    this.container = serviceContainer(
      `${name}-container`,
      {
        naming: args.naming,
        role: "cp-stub",
        containerName: this.containerName,
        image: this.image.repoDigest,
        networkName: args.networkName,
        aliases: [ALIASES.cpStub],
        envs: [`PORT=${PORTS.cpStub}`],
        healthcheck: healthcheck([...HEALTHCHECKS.cpStub]),
        ports: args.publish ? [{ internal: PORTS.cpStub, ip: "127.0.0.1" }] : [],
        waitTimeoutSeconds: args.waitTimeoutSeconds,
      },
      { parent: this, dependsOn: built.cleanup ? [built.cleanup] : [] },
    );
    this.hostPort = args.publish ? publishedPort(this.container, PORTS.cpStub) : pulumi.output(undefined);
    this.registerOutputs({ containerName: this.containerName, hostPort: this.hostPort });
  }
}
