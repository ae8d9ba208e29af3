/**
 * docker.RemoteImage: an image the stack uses as is. The provider looks locally first and pulls only
 * what is missing; so does the driver (there is no registry on our machines: the e2e stack config
 * points at the local stand-ins from scripts/base-images.sh). Outputs: `imageId`, `repoDigest`, id
 * `<imageId><name>` as the provider's. Delete removes the image unless `keepLocally`.
 */
import { assertInputsEmulated, type Created, type OpContext } from "./context";
import { isNotFound } from "./errors";

async function pull(ctx: OpContext, name: string): Promise<void> {
  const stream = await ctx.docker.pull(name, { abortSignal: ctx.cancel.signal });
  await new Promise<void>((resolve, reject) =>
    ctx.docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

export async function createRemoteImage(inputs: Record<string, unknown>, ctx: OpContext): Promise<Created> {
  assertInputsEmulated(ctx, inputs, ["name", "keepLocally", "forceRemove"]);
  const name = String(inputs.name);
  let image;
  try {
    image = await ctx.docker.getImage(name).inspect();
  } catch (error) {
    if (!isNotFound(error)) throw error;
    ctx.log.info(`${name} is not present locally: pulling it`);
    try {
      await ctx.cancel.run(() => pull(ctx, name));
    } catch (pullError) {
      if (ctx.cancel.cancelled) throw pullError;
      throw new Error(
        `${ctx.name}: image ${name} is not present locally and pulling it failed (${(pullError as Error).message}). ` +
          "Without a registry, build the local stand-ins (`npm run base-images`) and point harness:baseImages at " +
          "them (Pulumi.e2e.yaml does)",
      );
    }
    image = await ctx.docker.getImage(name).inspect();
  }
  ctx.ledger.add({
    kind: "remote-image",
    type: ctx.type,
    name: ctx.name,
    imageName: name,
    imageId: image.Id,
    keepLocally: inputs.keepLocally === true,
    forceRemove: inputs.forceRemove === true,
  });
  return {
    id: `${image.Id}${name}`,
    state: { ...inputs, name, imageId: image.Id, repoDigest: image.RepoDigests?.[0] ?? "" },
  };
}
