/**
 * The build context a `docker build` receives, as the docker CLI (and the Pulumi docker provider)
 * sends it: every file under the context except what `.dockerignore` excludes (Docker's pattern
 * semantics, exceptions included), the Dockerfile and `.dockerignore` always (the daemon needs them),
 * owner root:root, and a Dockerfile from outside the context added under a generated name.
 */
import dockerignore from "@balena/dockerignore";
import fg from "fast-glob";
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, readFileSync, readlinkSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { pack, type Pack } from "tar-stream";

export interface BuildContext {
  /** Paths relative to the context (forward slashes), sorted, that go into the tar. */
  entries: string[];
  /** What to pass as the build's `dockerfile` parameter. */
  dockerfile: string;
  /** A Dockerfile from outside the context, added to the tar under `dockerfile`. */
  externalDockerfile?: Buffer;
}

const toPosix = (p: string) => p.split(sep).join("/");

/** Decides what goes into the context (pure apart from reading the tree). */
export function planBuildContext(contextDir: string, dockerfilePath: string): BuildContext {
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
  const all = fg.sync("**", { cwd: context, dot: true, onlyFiles: false, followSymbolicLinks: false });
  const entries = all.filter((p) => always.has(p) || keep(p)).sort();

  if (inside) return { entries, dockerfile: rel };
  return {
    entries,
    dockerfile: `.dockerfile.${randomBytes(10).toString("hex")}`,
    externalDockerfile: readFileSync(dockerfile),
  };
}

function addEntry(tar: Pack, header: Parameters<Pack["entry"]>[0], content?: Buffer): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolvePromise());
    if (content === undefined) tar.entry(header, done);
    else tar.entry(header, content, done);
  });
}

/** Streams the planned context as a tar (uncompressed; the daemon accepts both). */
export function packBuildContext(contextDir: string, plan: BuildContext): Pack {
  const context = resolve(contextDir);
  const tar = pack();
  const owner = { uid: 0, gid: 0, uname: "", gname: "" };
  void (async () => {
    try {
      for (const entry of plan.entries) {
        const abs = join(context, entry);
        const stat = lstatSync(abs);
        const base = { name: entry, mode: stat.mode & 0o7777, mtime: stat.mtime, ...owner };
        if (stat.isDirectory()) await addEntry(tar, { ...base, type: "directory" });
        else if (stat.isSymbolicLink())
          await addEntry(tar, { ...base, type: "symlink", linkname: readlinkSync(abs) });
        else if (stat.isFile()) await addEntry(tar, { ...base, type: "file" }, readFileSync(abs));
        // sockets, fifos, devices: the docker CLI skips them too
      }
      if (plan.externalDockerfile) {
        await addEntry(
          tar,
          { name: plan.dockerfile, mode: 0o644, mtime: new Date(0), type: "file", ...owner },
          plan.externalDockerfile,
        );
      }
      tar.finalize();
    } catch (error) {
      tar.destroy(error as Error);
    }
  })();
  return tar;
}
