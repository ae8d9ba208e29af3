/**
 * An image built locally from a build context: a `docker.RemoteImage` with a `build` block (the
 * docker provider's own build, through the engine's API). Its tag is content-addressed —
 * `harness-<stack>/<role>:<12 hex>` over the context (honouring `.dockerignore`), the Dockerfile,
 * the build args, the target, the builder and the rebuild nonce — so an unchanged tree keeps the
 * image and its containers, and any change is a new tag: a new image, then new containers, then the
 * old image removed (create before delete never collides). Never built on preview.
 *
 * The build labels the image with the stack and role. On destroy the provider removes the image
 * unless the stack keeps its images (`keepImages`).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { isAbsolute, join, relative, sep } from "node:path";
import type { ImageBuilder } from "../program/config/schema";
import { contextHash } from "../program/lib/build-context";
import type { Naming, Role } from "../program/lib/naming";
import type { Engine } from "./engine";

/** Build arg the Dockerfiles declare right after FROM: a new value invalidates every later layer. */
export const REBUILD_ARG = "HARNESS_REBUILD";

/** How the stack builds its images: `harness:imageBuilder`, `rebuildNonce` and `keepImages`. */
export interface ImageBuilds {
  builder: ImageBuilder;
  /** Non-empty: the REBUILD_ARG build arg, so every layer after FROM is rebuilt. */
  rebuildNonce: string;
  /** Keep the image on destroy. */
  keepImages: boolean;
}

export interface LocalImageArgs {
  naming: Naming;
  /** The engine that builds and keeps the image (its provider). */
  engine: Engine;
  role: Role;
  /** Absolute build context and Dockerfile. */
  context: string;
  dockerfile: string;
  args: Record<string, pulumi.Input<string>>;
  target?: string;
  builds: ImageBuilds;
  /** The pulled base the Dockerfile builds FROM, when the harness provides it. */
  base?: docker.RemoteImage;
}

/**
 * The tag's content part: the context's content hash and every input of the `build` block. The
 * provider replaces the image when any of them changes and removes the old one by name, so each must
 * change the name too, or the removal would hit the new image.
 */
export function imageTag(contextHash: string, build: Record<string, unknown>): string {
  return createHash("sha256")
    .update(contextHash)
    .update("\0")
    .update(stableJson(build))
    .digest("hex")
    .slice(0, 12);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The build's `dockerfile`: relative to the context when inside it, as the docker CLI sends it (only
 * then does the provider keep a Dockerfile that `.dockerignore` excludes, as Docker does); absolute
 * otherwise (the provider adds an outside Dockerfile to the context).
 */
export function dockerfileParameter(context: string, dockerfile: string): string {
  const rel = relative(context, dockerfile);
  return rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)
    ? dockerfile
    : rel.split(sep).join("/");
}

export function localImage(name: string, args: LocalImageArgs, parent: pulumi.Resource): docker.RemoteImage {
  const hash = contextHash(args.context, args.dockerfile);
  const build = pulumi.output(args.args).apply((resolved) => {
    const buildArgs: Record<string, string> = { ...resolved };
    if (args.builds.rebuildNonce !== "") buildArgs[REBUILD_ARG] = args.builds.rebuildNonce;
    return {
      context: args.context,
      dockerfile: dockerfileParameter(args.context, args.dockerfile),
      buildArgs,
      labels: args.naming.labels(args.role),
      useLegacyBuilder: args.builds.builder === "BuilderV1",
      ...(args.target ? { target: args.target } : {}),
    };
  });
  return new docker.RemoteImage(
    `${name}-image`,
    {
      name: build.apply((b) => `${args.naming.imageRepository(args.role)}:${imageTag(hash, b)}`),
      build,
      keepLocally: args.builds.keepImages,
    },
    { parent, dependsOn: args.base ? [args.base] : [], provider: args.engine.provider },
  );
}

/**
 * A service of this repository built from its own folder (`<repoRoot>/<role>/Dockerfile`) on a base
 * image the harness pulled, handed to the Dockerfile as the build arg `baseArg` (the cp-stub, the
 * sinkhole and the edge are built this way).
 */
export function repoServiceImage(
  name: string,
  args: Omit<LocalImageArgs, "context" | "dockerfile" | "args" | "base"> & {
    repoRoot: string;
    base: docker.RemoteImage;
    baseArg: string;
  },
  parent: pulumi.Resource,
): docker.RemoteImage {
  const { repoRoot, base, baseArg, ...rest } = args;
  const context = join(repoRoot, args.role);
  return localImage(
    name,
    { ...rest, context, dockerfile: join(context, "Dockerfile"), args: { [baseArg]: base.name }, base },
    parent,
  );
}
