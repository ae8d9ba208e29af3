/**
 * The build context a `docker build` receives, as the docker CLI sends it: every file under the
 * context except what `.dockerignore` excludes (Docker's pattern semantics, exceptions included),
 * the Dockerfile and `.dockerignore` always (the daemon needs them). `contextHash` digests it: the
 * locally built images are tagged with it, so a changed context means a new image.
 */
import dockerignore from "@balena/dockerignore";
import fg from "fast-glob";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, readlinkSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

const toPosix = (p: string) => p.split(sep).join("/");

/**
 * Paths relative to the context (forward slashes), sorted, that a build of `dockerfilePath` receives.
 * Throws naming a missing context or Dockerfile.
 */
export function planBuildContext(contextDir: string, dockerfilePath: string): string[] {
  const context = resolve(contextDir);
  if (!existsSync(context)) throw new Error(`build context ${context} does not exist`);
  const dockerfile = isAbsolute(dockerfilePath) ? dockerfilePath : resolve(dockerfilePath);
  if (!existsSync(dockerfile)) throw new Error(`Dockerfile ${dockerfile} does not exist`);
  const rel = toPosix(relative(context, dockerfile));
  const inside = !rel.startsWith("../") && rel !== "..";
  const ignoreFile = join(context, ".dockerignore");
  const keep = existsSync(ignoreFile)
    ? dockerignore({ ignorecase: false }).add(readFileSync(ignoreFile, "utf8")).createFilter()
    : () => true;
  const always = new Set([".dockerignore", ...(inside ? [rel] : [])]);
  return allEntries(context).filter((p) => always.has(p) || keep(p));
}

function allEntries(context: string): string[] {
  return fg.sync("**", { cwd: context, dot: true, onlyFiles: false, followSymbolicLinks: false }).sort();
}

/**
 * sha256 of what a build of `dockerfile` in `contextDir` would receive: every planned entry (path,
 * type, mode, content or link target) and the Dockerfile's bytes. Same tree, same hash, whatever
 * the mtimes; any edit to a file that reaches the build changes it; a file `.dockerignore` excludes
 * never does. A `<Dockerfile>.dockerignore` (BuildKit's per-Dockerfile ignore file) is honoured too:
 * a file is left out only when every ignore file that applies leaves it out, so the hash never
 * misses a file some builder sends.
 */
export function contextHash(contextDir: string, dockerfilePath: string): string {
  const context = resolve(contextDir);
  const dockerfile = isAbsolute(dockerfilePath) ? dockerfilePath : resolve(dockerfilePath);
  let entries = planBuildContext(context, dockerfile);
  const perDockerfile = `${dockerfile}.dockerignore`;
  if (existsSync(perDockerfile)) {
    const keep = dockerignore({ ignorecase: false }).add(readFileSync(perDockerfile, "utf8")).createFilter();
    entries = [...new Set([...entries, ...allEntries(context).filter((p) => keep(p))])].sort();
  }
  const hash = createHash("sha256");
  for (const entry of entries) {
    const abs = join(context, entry);
    const stat = lstatSync(abs);
    const mode = (stat.mode & 0o7777).toString(8);
    if (stat.isDirectory()) hash.update(`d\0${entry}\0${mode}\0`);
    else if (stat.isSymbolicLink()) hash.update(`l\0${entry}\0${readlinkSync(abs)}\0`);
    else if (stat.isFile()) {
      const content = readFileSync(abs);
      hash.update(`f\0${entry}\0${mode}\0${content.length}\0`).update(content).update("\0");
    }
  }
  hash.update(`dockerfile\0`).update(readFileSync(dockerfile));
  return hash.digest("hex");
}
