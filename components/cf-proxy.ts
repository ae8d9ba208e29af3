/**
 * The edge imitating the CDN tunnel: nginx built from `cf-proxy/` (base image only; no config baked
 * in), with the config rendered from the tenant list and uploaded at container create — a tenant
 * list change replaces the container, never rebuilds the image. Boots after every tenant is healthy.
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import {
  EDGE_CONFIG_PATH,
  EDGE_CONTAINER_PORT,
  EDGE_HEALTHCHECK,
  renderNginxConf,
  type EdgeOptions,
} from "../cf-proxy";
import type { ImageBuilder } from "../config/schema";
import { healthcheck } from "../lib/docker";
import { ALIASES, type Naming } from "../lib/naming";
import { publishedPort, serviceContainer } from "./container";
import { localImage } from "./local-image";

export interface CfProxyArgs {
  naming: Naming;
  repoRoot: string;
  nginxBase: docker.RemoteImage;
  networkName: pulumi.Input<string>;
  options: EdgeOptions;
  /** Host port (0 = a free one) and bind address. */
  port: number;
  bindAddress: string;
  /** The tenant containers: the edge starts after all of them are healthy. */
  tenants: docker.Container[];
  builder: ImageBuilder;
  rebuildNonce: string;
  keepImages: boolean;
  waitTimeoutSeconds: number;
}

export class CfProxy extends pulumi.ComponentResource {
  public readonly image: docker.Image;
  public readonly container: docker.Container;
  public readonly containerName: string;
  /** The rendered nginx.conf (uploaded to /etc/nginx/nginx.conf). */
  public readonly nginxConf: string;
  public readonly hostPort: pulumi.Output<number>;

  constructor(name: string, args: CfProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("harness:index:CfProxy", name, {}, opts);
    this.containerName = args.naming.object("cf-proxy");
    this.nginxConf = renderNginxConf(args.options);
    const context = join(args.repoRoot, "cf-proxy");
    const built = localImage(
      name,
      {
        naming: args.naming,
        role: "cf-proxy",
        context,
        dockerfile: join(context, "Dockerfile"),
        args: { NGINX_BASE: args.nginxBase.name },
        builder: args.builder,
        rebuildNonce: args.rebuildNonce,
        keepImages: args.keepImages,
        base: args.nginxBase,
      },
      this,
    );
    this.image = built.image;
    this.container = serviceContainer(
      `${name}-container`,
      {
        naming: args.naming,
        role: "cf-proxy",
        containerName: this.containerName,
        image: this.image.repoDigest,
        networkName: args.networkName,
        aliases: [ALIASES.edge],
        healthcheck: healthcheck([...EDGE_HEALTHCHECK]),
        ports: [
          {
            internal: EDGE_CONTAINER_PORT,
            external: args.port === 0 ? undefined : args.port,
            ip: args.bindAddress,
          },
        ],
        uploads: [{ file: EDGE_CONFIG_PATH, content: this.nginxConf }],
        waitTimeoutSeconds: args.waitTimeoutSeconds,
      },
      { parent: this, dependsOn: [...args.tenants, ...(built.cleanup ? [built.cleanup] : [])] },
    );
    this.hostPort = publishedPort(this.container, EDGE_CONTAINER_PORT);
    this.registerOutputs({ containerName: this.containerName, hostPort: this.hostPort });
  }
}
