/**
 * Compiles the TypeScript replays of a run once, with esbuild, before any of them runs: one CommonJS
 * module per replay with its own sources bundled in (its `../runner/api`, `./lib/*`), its packages left
 * to `require` at run time (they resolve from the replay's directory, as under tsx), and an inline
 * source map so stack traces name the .ts lines. A replay that does not compile gets its error (and
 * FAILs with it); the others are not affected.
 */
import { build as esbuild, type BuildFailure } from "esbuild";
import { dirname } from "node:path";
import { errorMessage } from "./errors";
import type { CompiledReplay } from "./host-protocol";

function build(files: readonly string[]) {
  const dir = dirname(files[0]);
  return esbuild({
    entryPoints: files.map((file, i) => ({ in: file, out: `replay-${i}` })),
    // Paths in messages relative to the replays directory; source maps relative to the replay.
    absWorkingDir: dir,
    outdir: dir,
    write: false,
    bundle: true,
    packages: "external",
    // `import()` becomes `require()` too: one module system in the worker (named exports of
    // CommonJS packages, and the child_process the worker tracks, replay-worker.ts).
    supported: { "dynamic-import": false },
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: "inline",
    sourcesContent: false,
    legalComments: "none",
    logLevel: "silent",
  });
}

function buildError(error: unknown): string {
  const failure = error as Partial<BuildFailure>;
  // "Build failed with 1 error:\nx.ts:2:50: ERROR: Unexpected end of file"
  return Array.isArray(failure.errors) ? errorMessage(error) : `esbuild: ${errorMessage(error)}`;
}

/** Compiles `files` (absolute paths); the result has one entry per file, in order. */
export async function compileReplays(files: readonly string[]): Promise<CompiledReplay[]> {
  if (files.length === 0) return [];
  try {
    const result = await build(files);
    const byOut = new Map(result.outputFiles.map((o) => [o.path, o.text]));
    return files.map((file, i) => {
      const code = byOut.get(`${dirname(files[0])}/replay-${i}.js`);
      return code === undefined ? { file, error: "esbuild produced no output for it" } : { file, code };
    });
  } catch (error) {
    // One broken replay fails the whole build: compile each alone so only the broken ones carry it.
    if (files.length === 1) return [{ file: files[0], error: buildError(error) }];
    return (await Promise.all(files.map((file) => compileReplays([file])))).flat();
  }
}
