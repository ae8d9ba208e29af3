/**
 * Host-side bundles for the images the harness builds (cp-stub, reference tenant): each service's
 * TypeScript entry points become single CommonJS files in `<service>/dist/`, which the service's
 * Dockerfile copies in. `docker build` therefore needs no network and no npm.
 *
 * Deterministic: same sources → byte-identical files, and a file is only rewritten when its bytes
 * change, so an unchanged harness yields an unchanged build context (no rebuild, no replaced container).
 */
import { buildSync, version as esbuildVersion } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { stampIsCurrent, writeIfChanged as writeFileIfChanged, writeStamp } from "../lib/build-stamp";

export const REPO_ROOT = join(__dirname, "..", "..");

export interface ServiceBundle {
  /** Folder holding the Dockerfile; it is the docker build context. */
  context: string;
  /** Output name (without .js) → entry point, relative to the repo root. */
  entries: Record<string, string>;
}

/** Every image the harness builds from this repo, and what goes into its dist/. */
export const SERVICE_BUNDLES = {
  "cp-stub": { context: "cp-stub", entries: { main: "cp-stub/src/main.ts" } },
  sinkhole: { context: "sinkhole", entries: { main: "sinkhole/src/main.ts" } },
  tenant: {
    context: "reference-tenant",
    entries: {
      main: "reference-tenant/src/main.ts",
      canvas: "reference-tenant/src/canvas-main.ts",
      entrypoint: "reference-tenant/src/entrypoint.ts",
    },
  },
} satisfies Record<string, ServiceBundle>;

export type ServiceName = keyof typeof SERVICE_BUNDLES;

// Optional native add-ons the bundled libraries probe for at run time; absent is fine.
const OPTIONAL_NATIVE = ["pg-native", "bufferutil", "utf-8-validate"];

// A changed file is written beside the build context's dist/ (outside what the .dockerignore lets
// in) and renamed over the old one: a reader, such as another stack's `docker build` bundling the
// same sources at the same time, sees the old file or the new one, never a half-written one.
function writeIfChanged(path: string, content: Uint8Array): void {
  writeFileIfChanged(
    path,
    content,
    join(dirname(dirname(path)), `.bundle-${process.pid}-${basename(path)}.tmp`),
  );
}

/** Changes when the build itself changes (its options, esbuild's version). */
const BUILD_KEY = JSON.stringify({ v: 1, esbuildVersion, OPTIONAL_NATIVE, node: "node20" });

/** The content hash of a service's dist/ as it is (what bundleService returns). */
function distHash(outDir: string, spec: ServiceBundle): string {
  const hash = createHash("sha256");
  for (const outName of Object.keys(spec.entries))
    hash.update(outName).update(readFileSync(join(outDir, `${outName}.js`)));
  return hash.update(readFileSync(join(outDir, "healthcheck.js"))).digest("hex");
}

/** Bundles one service into `<context>/dist/` and returns a content hash of what was produced. */
export function bundleService(name: ServiceName, root = REPO_ROOT): string {
  const spec: ServiceBundle = SERVICE_BUNDLES[name];
  const outDir = join(root, spec.context, "dist");
  // A stamp beside dist/ (not in it: the image copies dist/): an unchanged tree skips esbuild.
  const stamp = join(root, spec.context, ".dist-stamp.json");
  const outputs = [...Object.keys(spec.entries), "healthcheck"].map((o) => join(outDir, `${o}.js`));
  if (stampIsCurrent(root, stamp, BUILD_KEY, outputs)) return distHash(outDir, spec);
  mkdirSync(outDir, { recursive: true });
  const hash = createHash("sha256");
  const inputs: string[] = ["program/images/healthcheck.cjs"];
  for (const [outName, entry] of Object.entries(spec.entries)) {
    const result = buildSync({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      external: OPTIONAL_NATIVE,
      legalComments: "none",
      logLevel: "silent",
      metafile: true,
      write: false,
    });
    inputs.push(...Object.keys(result.metafile.inputs));
    const code = result.outputFiles[0].contents;
    writeIfChanged(join(outDir, `${outName}.js`), code);
    hash.update(outName).update(code);
  }
  const healthcheck = readFileSync(join(root, "program", "images", "healthcheck.cjs"));
  writeIfChanged(join(outDir, "healthcheck.js"), healthcheck);
  hash.update(healthcheck);
  writeStamp(root, stamp, BUILD_KEY, inputs, outputs);
  return hash.digest("hex");
}
