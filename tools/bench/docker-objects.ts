/**
 * The bench stack's Docker objects, found by their `harness.stack` label: the sizes of the images it
 * built, what a destroy left, and the removal of the images `harness:keepImages` kept (and of
 * anything a failed run left) once the bench is done.
 */
import type Docker from "dockerode";
import { LABEL_STACK } from "../../program/lib/naming";
import type { Labelled } from "../../program/lib/docker-api/labelled";

/** `harness-<stack>/<role>:<tag>` → `<role>` (the image's name in the bench's JSON). */
export function imageRole(tag: string): string {
  return tag.replace(/^harness-[^/]+\//, "").replace(/:[^:/]+$/, "");
}

/** Role → size in bytes of the tagged images labelled for the stack (untagged ones are older builds). */
export async function imageSizes(docker: Docker, label: string): Promise<Record<string, number>> {
  const images = await docker.listImages({ filters: { label: [`${LABEL_STACK}=${label}`] } });
  const sizes: [string, number][] = [];
  for (const image of images) {
    const tag = (image.RepoTags ?? []).find((t) => t !== "<none>:<none>");
    if (tag) sizes.push([imageRole(tag), image.Size]);
  }
  return Object.fromEntries(sizes.sort(([a], [b]) => a.localeCompare(b)));
}

/** Removes every object labelled for the stack; returns what could not be removed. */
export async function removeLabelled(docker: Docker, found: Labelled): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, remove: () => Promise<unknown>) => {
    try {
      await remove();
    } catch (error) {
      problems.push(`${what}: ${(error as Error).message.split("\n")[0]}`);
    }
  };
  for (const c of found.containers)
    await attempt(`container ${c.Names[0]}`, () =>
      docker.getContainer(c.Id).remove({ force: true, v: true }),
    );
  for (const n of found.networks) await attempt(`network ${n.Name}`, () => docker.getNetwork(n.Id).remove());
  for (const i of found.images)
    await attempt(`image ${(i.RepoTags ?? [i.Id]).join(",")}`, () =>
      docker.getImage(i.Id).remove({ force: true }),
    );
  for (const v of found.volumes) await attempt(`volume ${v.Name}`, () => docker.getVolume(v.Name).remove());
  return problems;
}
