/**
 * The stack's PostgreSQL image, shared by every tenant's database: the configured postgres base with
 * the cluster initialised at build time and durability off (program/images/postgres/), so a container is
 * ready in about half a second. Built like the harness's other images (content-addressed tag,
 * labelled, removed on destroy unless the stack keeps its images).
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { POSTGRES_DB, POSTGRES_USER } from "../program/lib/naming";
import type { Engine } from "./engine";
import { localImage, type ImageBuilds } from "./local-image";
import { HarnessComponent } from "./component";

export interface PostgresImageArgs {
  engine: Engine;
  repoRoot: string;
  /** The configured postgres base (official image or local stand-in). */
  base: docker.RemoteImage;
  builds: ImageBuilds;
}

export class PostgresImage extends HarnessComponent {
  public readonly image: docker.RemoteImage;

  constructor(name: string, args: PostgresImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("PostgresImage", name, opts);
    const context = join(args.repoRoot, "program", "images", "postgres");
    this.image = localImage(
      name,
      {
        naming: this.naming,
        engine: args.engine,
        role: "postgres",
        context,
        dockerfile: join(context, "Dockerfile"),
        args: { POSTGRES_BASE: args.base.name, POSTGRES_USER, POSTGRES_DB },
        builds: args.builds,
        base: args.base,
      },
      this,
    );
    this.done({ imageId: this.image.imageId });
  }
}
