/**
 * The image under test, built once per stack and shared by every tenant: the reference tenant
 * (`reference-tenant/`, host-side bundle on the Node base), a user's build context + Dockerfile (e.g. the real
 * monorepo's workspace-server/Dockerfile.tenant), or a prebuilt image. GIT_SHA is a build arg of
 * every built variant, so /buildinfo proves which build is running.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import type { TenantImageSource } from "../program/config/schema";
import type { Engine } from "./engine";
import { localImage, type ImageBuilds } from "./local-image";
import { HarnessComponent } from "./component";

export interface TenantImageArgs {
  engine: Engine;
  repoRoot: string;
  source: TenantImageSource;
  gitSha: string;
  /** Required for the reference tenant (its Dockerfile builds FROM it). */
  nodeBase?: docker.RemoteImage;
  builds: ImageBuilds;
}

export class TenantImage extends HarnessComponent {
  /** What tenant containers run: the built or pulled image's id. */
  public readonly ref: pulumi.Output<string>;

  constructor(name: string, args: TenantImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("TenantImage", name, opts);
    const source = args.source;
    if (source.kind === "image") {
      const pulled = new docker.RemoteImage(
        this.child("pulled"),
        { name: source.image, keepLocally: true },
        this.childOpts({ provider: args.engine.provider }),
      );
      this.ref = pulled.imageId;
    } else {
      const common = {
        naming: this.naming,
        engine: args.engine,
        role: "tenant" as const,
        builds: args.builds,
      };
      let built: docker.RemoteImage;
      if (source.kind === "reference") {
        if (!args.nodeBase) throw new Error("internal: the reference tenant needs the node base image");
        const context = join(args.repoRoot, "reference-tenant");
        built = localImage(
          name,
          {
            ...common,
            context,
            dockerfile: join(context, "Dockerfile"),
            args: { NODE_BASE: args.nodeBase.name, GIT_SHA: args.gitSha },
            base: args.nodeBase,
          },
          this,
        );
      } else {
        built = localImage(
          name,
          {
            ...common,
            context: source.context,
            dockerfile: source.dockerfile,
            args: { ...source.args, GIT_SHA: args.gitSha },
            target: source.target,
          },
          this,
        );
      }
      this.ref = built.imageId;
    }
    this.done({ ref: this.ref });
  }
}
