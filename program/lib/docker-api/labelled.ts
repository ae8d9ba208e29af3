/**
 * A stack's Docker objects, found by their `harness.stack` label (every object the harness creates
 * carries it): what a destroy must leave nothing of.
 */
import type Docker from "dockerode";
import { LABEL_STACK } from "../naming";

export interface Labelled {
  containers: Docker.ContainerInfo[];
  networks: Docker.NetworkInspectInfo[];
  images: Docker.ImageInfo[];
  volumes: Docker.VolumeInspectInfo[];
}

export async function findLabelled(docker: Docker, label: string): Promise<Labelled> {
  const filters = { label: [`${LABEL_STACK}=${label}`] };
  const [containers, networks, images, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listImages({ all: true, filters }),
    docker.listVolumes({ filters }),
  ]);
  return { containers, networks, images, volumes: volumes.Volumes ?? [] };
}

/** One line per object, e.g. `container /bench-1a2b3c-redis`. */
export function describeLabelled(found: Labelled, options: { images?: boolean } = {}): string[] {
  return [
    ...found.containers.map((c) => `container ${c.Names[0]}`),
    ...found.networks.map((n) => `network ${n.Name}`),
    ...(options.images === false ? [] : found.images.map((i) => `image ${(i.RepoTags ?? [i.Id]).join(",")}`)),
    ...found.volumes.map((v) => `volume ${v.Name}`),
  ].sort();
}
