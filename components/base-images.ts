/**
 * The base images the stack pulls (or finds locally: the provider looks locally first, so stand-ins
 * that exist only on this engine work). keepLocally: destroy never removes a shared base image.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { BaseImages as BaseImageRefs } from "../program/config/schema";
import type { Engine } from "./engine";
import { HarnessComponent } from "./component";

export type BaseImageName = keyof BaseImageRefs;

export interface BaseImagesArgs {
  /** Only the bases this stack needs (e.g. no node base when nothing is built from it). */
  refs: Partial<BaseImageRefs>;
  /** Pulled on (or found on) this engine. */
  engine: Engine;
}

export class BaseImages extends HarnessComponent {
  public readonly images: Partial<Record<BaseImageName, docker.RemoteImage>> = {};

  constructor(name: string, args: BaseImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("BaseImages", name, opts);
    for (const key of Object.keys(args.refs).sort() as BaseImageName[]) {
      const ref = args.refs[key];
      if (ref === undefined) continue;
      this.images[key] = new docker.RemoteImage(
        this.child(`${key}`),
        { name: ref, keepLocally: true },
        this.childOpts({ provider: args.engine.provider }),
      );
    }
    this.done();
  }

  /** The pulled image for `key`; the caller declared it in `refs`. */
  get(key: BaseImageName): docker.RemoteImage {
    const image = this.images[key];
    if (!image) throw new Error(`internal: base image ${key} was not declared`);
    return image;
  }
}
