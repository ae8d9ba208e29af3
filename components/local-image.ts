/**
 * An image built locally from a build context (docker.Image, skipPush): the provider hashes the
 * context (honouring its .dockerignore) at every preview/up, so an unchanged context is not rebuilt
 * and an unchanged `repoDigest` (the local image id) keeps its containers. Never built on preview.
 *
 * docker.Image never removes what it built; unless the stack keeps its images, a companion
 * local.Command removes the stack's tag and its dangling earlier builds on destroy. Containers depend
 * on that command, so Pulumi deletes them first. The command is created BEFORE the image (the image
 * depends on it): an `up` interrupted while the image builds (Pulumi lets the build finish, then
 * starts nothing new) still has the command in its state, so `destroy` removes what was built.
 */
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ImageBuilder } from "../config/schema";
import { LABEL_ROLE, LABEL_STACK, type Naming, type Role } from "../lib/naming";
import { shellQuote } from "../lib/runner";

/** Build arg the Dockerfiles declare right after FROM: a new value invalidates every later layer. */
export const REBUILD_ARG = "HARNESS_REBUILD";
/** Build args the Dockerfiles turn into LABELs (docker.Image has no labels input). */
export const STACK_LABEL_ARG = "HARNESS_STACK";
export const ROLE_LABEL_ARG = "HARNESS_ROLE";

export interface LocalImageArgs {
  naming: Naming;
  role: Role;
  /** Absolute build context and Dockerfile. */
  context: string;
  dockerfile: string;
  args: Record<string, pulumi.Input<string>>;
  target?: string;
  builder: ImageBuilder;
  rebuildNonce: string;
  keepImages: boolean;
  /** The pulled base the Dockerfile builds FROM, when the harness provides it. */
  base?: docker.RemoteImage;
}

export interface LocalImage {
  image: docker.Image;
  /** What containers depend on so they are deleted before the image is removed. */
  cleanup?: command.local.Command;
}

export function imageCleanupCommand(imageName: string, stackLabel: string, role: Role): string {
  const filters = [`label=${LABEL_STACK}=${stackLabel}`, `label=${LABEL_ROLE}=${role}`]
    .map((f) => `--filter ${shellQuote(f)}`)
    .join(" ");
  // Best effort: a missing image or docker CLI must not fail the destroy.
  return `docker image rm ${shellQuote(imageName)} >/dev/null 2>&1; docker image prune --force ${filters} >/dev/null 2>&1; true`;
}

export function localImage(name: string, args: LocalImageArgs, parent: pulumi.Resource): LocalImage {
  const imageName = args.naming.image(args.role);
  const buildArgs: Record<string, pulumi.Input<string>> = {
    ...args.args,
    [STACK_LABEL_ARG]: args.naming.stackLabel,
    [ROLE_LABEL_ARG]: args.role,
  };
  if (args.rebuildNonce !== "") buildArgs[REBUILD_ARG] = args.rebuildNonce;
  const cleanup = args.keepImages
    ? undefined
    : new command.local.Command(
        `${name}-image-cleanup`,
        {
          delete: imageCleanupCommand(imageName, args.naming.stackLabel, args.role),
          addPreviousOutputInEnv: false,
        },
        { parent },
      );
  const image = new docker.Image(
    `${name}-image`,
    {
      imageName,
      skipPush: true,
      buildOnPreview: false,
      build: {
        context: args.context,
        dockerfile: args.dockerfile,
        args: buildArgs,
        builderVersion: args.builder,
        ...(args.target ? { target: args.target } : {}),
      },
    },
    { parent, dependsOn: [...(args.base ? [args.base] : []), ...(cleanup ? [cleanup] : [])] },
  );
  return cleanup ? { image, cleanup } : { image };
}
