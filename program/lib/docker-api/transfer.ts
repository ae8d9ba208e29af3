/**
 * Images from one engine to another by `docker save | docker load` through the engines' APIs: how
 * the local base-image stand-ins reach a fresh remote engine (`npm run base-images -- --engine`),
 * which can pull nothing where no registry is reachable. One archive for every missing image, so
 * the layers they share (the Debian base) travel once.
 */
import type Docker from "dockerode";

/** The refs `to` lacks or holds as a different image than `from` (by image id). */
export async function missingImages(from: Docker, to: Docker, refs: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const ref of refs) {
    const source = await from.getImage(ref).inspect();
    const target = await to
      .getImage(ref)
      .inspect()
      .catch(() => undefined);
    if (target?.Id !== source.Id) missing.push(ref);
  }
  return missing;
}

/** Copies the refs `to` lacks from `from`; returns the ones it copied. */
export async function copyImages(from: Docker, to: Docker, refs: readonly string[]): Promise<string[]> {
  const missing = await missingImages(from, to, refs);
  if (missing.length === 0) return [];
  // GET /images/get?names=…: in dockerode, not in its types.
  const save = (from as unknown as { getImages(opts: { names: string[] }): Promise<NodeJS.ReadableStream> })
    .getImages;
  const archive = await save.call(from, { names: [...missing] });
  const answer = await to.loadImage(archive, { quiet: true });
  // The engine streams its progress as JSON lines; a failed load says so in an `error` line.
  let text = "";
  for await (const chunk of answer) text += String(chunk);
  const failure = text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { error?: string })
    .find((line) => line.error);
  if (failure) throw new Error(`loading ${missing.join(", ")} failed: ${failure.error}`);
  const still = await missingImages(from, to, missing);
  if (still.length > 0) throw new Error(`after the load, the engine still lacks ${still.join(", ")}`);
  return missing;
}
