/**
 * The edge imitating the CDN tunnel: nginx built from `cf-proxy/` (base image only; no config baked
 * in), with the config rendered from the tenant list and uploaded at container create — a tenant
 * list change replaces the container, never rebuilds the image. Boots with everything else: it
 * resolves the tenants per request, so it needs none of them up to start.
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import {
  EDGE_CONFIG_PATH,
  EDGE_CONTAINER_PORT,
  EDGE_HEALTHCHECK,
  renderNginxConf,
  type EdgeOptions,
} from "../cf-proxy";
import { healthcheck } from "../program/lib/docker";
import { ALIASES } from "../program/lib/naming";
import { serviceContainer } from "./container";
import type { Engine } from "./engine";
import { HostPort } from "./host-port";
import { repoServiceImage, type ImageBuilds } from "./local-image";
import { HarnessComponent } from "./component";

export interface CfProxyArgs {
  engine: Engine;
  repoRoot: string;
  nginxBase: docker.RemoteImage;
  networkName: pulumi.Input<string>;
  /** The bridge its published ports are on (it is dual-homed; components/container.ts). */
  publishNetworkName: pulumi.Input<string>;
  options: EdgeOptions;
  /** Host port (0 = a free one) and bind address. */
  port: number;
  bindAddress: string;
  builds: ImageBuilds;
  waitTimeoutSeconds: number;
}

export class CfProxy extends HarnessComponent {
  public readonly image: docker.RemoteImage;
  public readonly container: docker.Container;
  /** The container once healthy (the health gate): what dependents wait for. */
  public readonly ready: pulumi.Output<docker.Container>;
  public readonly containerName: string;
  /** The rendered nginx.conf (uploaded to /etc/nginx/nginx.conf). */
  public readonly nginxConf: string;
  public readonly hostPort: pulumi.Output<number>;

  constructor(name: string, args: CfProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("CfProxy", name, opts);
    this.containerName = this.naming.object("cf-proxy");
    this.nginxConf = renderNginxConf(args.options);
    this.hostPort = new HostPort(
      this.child("port"),
      { bindAddress: args.bindAddress, port: args.port, engine: args.engine },
      this.childOpts(),
    ).port;
    this.image = repoServiceImage(
      name,
      {
        naming: this.naming,
        engine: args.engine,
        role: "cf-proxy",
        repoRoot: args.repoRoot,
        base: args.nginxBase,
        baseArg: "NGINX_BASE",
        builds: args.builds,
      },
      this,
    );
    ({ container: this.container, ready: this.ready } = serviceContainer(
      this.child("container"),
      {
        naming: this.naming,
        engine: args.engine,
        role: "cf-proxy",
        containerName: this.containerName,
        image: this.image.imageId,
        networkName: args.networkName,
        publishNetworkName: args.publishNetworkName,
        aliases: [ALIASES.edge],
        healthcheck: healthcheck([...EDGE_HEALTHCHECK]),
        ports: [
          {
            internal: EDGE_CONTAINER_PORT,
            external: this.hostPort,
            ip: args.bindAddress,
          },
        ],
        uploads: [{ file: EDGE_CONFIG_PATH, content: this.nginxConf }],
        waitTimeoutSeconds: args.waitTimeoutSeconds,
      },
      // No wait for the tenants: nginx resolves each upstream through Docker's DNS per request.
      this.childOpts(),
    ));
    this.done({ containerName: this.containerName, hostPort: this.hostPort });
  }
}
