/**
 * Docker objects labelled for one stack (`harness.stack=<project>/<stack>`): containers (stopped ones
 * too), networks, volumes, images. Used to prove a destroy left nothing, and by `npm run e2e:down` to
 * remove whatever a crashed run left. Only ever looks at — and removes — objects carrying exactly
 * this stack's label: other stacks, the base images (labelled `harness.base=local`, never
 * `harness.stack`) and everything else on the engine are untouched.
 */
import type Docker from "dockerode";
import { LABEL_STACK } from "../lib/naming";
import { ignoreGone } from "./docker-ops/errors";
import type { Log } from "./log";

export interface Labelled {
  containers: { id: string; name: string }[];
  networks: { id: string; name: string }[];
  volumes: { name: string }[];
  images: { id: string; tags: string[] }[];
}

export function stackFilter(stackLabel: string): { label: string[] } {
  return { label: [`${LABEL_STACK}=${stackLabel}`] };
}

export async function findLabelled(docker: Docker, stackLabel: string): Promise<Labelled> {
  const filters = stackFilter(stackLabel);
  const [containers, networks, volumes, images] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
    docker.listImages({ all: true, filters }),
  ]);
  return {
    containers: containers.map((c) => ({ id: c.Id, name: (c.Names?.[0] ?? c.Id).replace(/^\//, "") })),
    networks: networks.map((n) => ({ id: n.Id, name: n.Name })),
    volumes: (volumes.Volumes ?? []).map((v) => ({ name: v.Name })),
    images: images.map((i) => ({ id: i.Id, tags: i.RepoTags ?? [] })),
  };
}

export function countLabelled(l: Labelled): number {
  return l.containers.length + l.networks.length + l.volumes.length + l.images.length;
}

export function describeLabelled(l: Labelled): string[] {
  return [
    ...l.containers.map((c) => `container ${c.name}`),
    ...l.networks.map((n) => `network ${n.name}`),
    ...l.volumes.map((v) => `volume ${v.name}`),
    ...l.images.map((i) => `image ${i.tags.join(",") || i.id}`),
  ];
}

/** Removes everything labelled for the stack (dependents first); returns what it found. */
export async function sweep(
  docker: Docker,
  stackLabel: string,
  log: Log,
  volumes: string[] = [],
  options: { keepImages?: boolean } = {},
): Promise<Labelled> {
  const all = await findLabelled(docker, stackLabel);
  const found = options.keepImages ? { ...all, images: [] } : all;
  for (const c of found.containers) {
    log.info(`sweep: removing container ${c.name}`);
    await ignoreGone(() => docker.getContainer(c.id).remove({ force: true, v: true }));
  }
  for (const n of found.networks) {
    log.info(`sweep: removing network ${n.name}`);
    await ignoreGone(() => docker.getNetwork(n.id).remove());
  }
  for (const v of [...found.volumes.map((x) => x.name), ...volumes]) {
    await ignoreGone(() => docker.getVolume(v).remove());
  }
  for (const i of found.images) {
    log.info(`sweep: removing image ${i.tags.join(",") || i.id}`);
    // 409: a child image (a later build of this stack) still uses it; it goes with the child.
    await ignoreGone(() => docker.getImage(i.id).remove({ force: true }), [409]);
  }
  return found;
}

/** Volumes (by name) that still exist. */
export async function existingVolumes(docker: Docker, names: string[]): Promise<string[]> {
  const left: string[] = [];
  for (const name of names) {
    try {
      await docker.getVolume(name).inspect();
      left.push(name);
    } catch {
      // gone
    }
  }
  return left;
}
