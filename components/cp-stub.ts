/**
 * The control-plane stub, built from `cp-stub/` (host-side bundle + Node base), shared by every
 * tenant: every CP URL a tenant knows points here, so no call leaves the harness. Published on a
 * random port of the engine's publish address (loopback by default; never all interfaces) so
 * replays on the host can call it directly.
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { HEALTHCHECKS, healthcheck } from "../program/lib/docker";
import { ALIASES, PORTS } from "../program/lib/naming";
import { serviceContainer } from "./container";
import type { Engine } from "./engine";
import { HostPort } from "./host-port";
import { repoServiceImage, type ImageBuilds } from "./local-image";
import { HarnessComponent } from "./component";

export interface CpStubArgs {
  engine: Engine;
  repoRoot: string;
  nodeBase: docker.RemoteImage;
  networkName: pulumi.Input<string>;
  /** The bridge its published ports are on (it is dual-homed; components/container.ts). */
  publishNetworkName: pulumi.Input<string>;
  publish: boolean;
  builds: ImageBuilds;
  waitTimeoutSeconds: number;
}

export class CpStub extends HarnessComponent {
  public readonly image: docker.RemoteImage;
  public readonly container: docker.Container;
  /** The container once healthy (the health gate): what dependents wait for. */
  public readonly ready: pulumi.Output<docker.Container>;
  public readonly containerName: string;
  /** Base URL inside the network. */
  public readonly internalUrl: string;
  /** Published port (on the engine's publish address), or undefined when not published. */
  public readonly hostPort: pulumi.Output<number | undefined>;

  constructor(name: string, args: CpStubArgs, opts?: pulumi.ComponentResourceOptions) {
    super("CpStub", name, opts);
    this.containerName = this.naming.object("cp-stub");
    this.internalUrl = `http://${ALIASES.cpStub}:${PORTS.cpStub}`;
    const hostPort = args.publish
      ? new HostPort(
          this.child("port"),
          { bindAddress: args.engine.publishAddress, engine: args.engine },
          this.childOpts(),
        ).port
      : undefined;
    this.image = repoServiceImage(
      name,
      {
        naming: this.naming,
        engine: args.engine,
        role: "cp-stub",
        repoRoot: args.repoRoot,
        base: args.nodeBase,
        baseArg: "NODE_BASE",
        builds: args.builds,
      },
      this,
    );
    ({ container: this.container, ready: this.ready } = serviceContainer(
      this.child("container"),
      {
        naming: this.naming,
        engine: args.engine,
        role: "cp-stub",
        containerName: this.containerName,
        image: this.image.imageId,
        networkName: args.networkName,
        publishNetworkName: args.publishNetworkName,
        aliases: [ALIASES.cpStub],
        envs: [`PORT=${PORTS.cpStub}`],
        healthcheck: healthcheck([...HEALTHCHECKS.cpStub]),
        ports: hostPort
          ? [{ internal: PORTS.cpStub, external: hostPort, ip: args.engine.publishAddress }]
          : [],
        waitTimeoutSeconds: args.waitTimeoutSeconds,
      },
      this.childOpts(),
    ));
    this.hostPort = hostPort ?? pulumi.output(undefined);
    this.done({ containerName: this.containerName, hostPort: this.hostPort });
  }
}
