import { readFileSync } from "node:fs";

/**
 * The GIT_SHA baked into the image at build time (Dockerfile: `ARG GIT_SHA` written to a file next to
 * the bundle). Read once at boot; a missing file means a source run. A file, unlike an ENV, cannot be
 * silently overridden by whoever starts the container — which is the bug class /buildinfo exists for.
 */
export function readBakedGitSha(file: string): string | null {
  try {
    const value = readFileSync(file, "utf8").trim();
    return value === "" ? null : value;
  } catch {
    return null;
  }
}

/** Baked value wins; a source run may take GIT_SHA from the environment; otherwise `dev`. */
export function resolveGitSha(baked: string | null, env: NodeJS.ProcessEnv): string {
  if (baked) return baked;
  const fromEnv = env.GIT_SHA?.trim();
  return fromEnv ? fromEnv : "dev";
}
