/**
 * Where the Pulumi toolchain built by `npm run pulumi:toolchain` lives, and how to find it: a cache
 * directory outside the repository, one subdirectory per build key. The key digests what decides the
 * binaries (the wrapper modules' go.mod, go.sum and Go files, and the SDK versions the plugins are
 * installed under), so a changed input is a new directory and an old one is never half-reused. (The
 * Go version is recorded in the stamp, not the key: finding a build needs no Go.) A build is complete only when its stamp (`toolchain.json`) exists: the build
 * writes into a scratch directory and renames it into place last.
 *
 *   <cache>/<key>/bin/pulumi                      the CLI
 *   <cache>/<key>/bin/pulumi-resource-{docker,command}
 *   <cache>/<key>/home                            a PULUMI_HOME with both plugins installed under
 *                                                 the versions the npm SDKs request
 *   <cache>/<key>/toolchain.json                  the stamp
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative } from "node:path";

/** The Go wrapper modules under tools/toolchain/, in build order. */
export const MODULES = ["cli", "command", "docker"] as const;

export interface ToolchainSpec {
  /** Directory name under the cache: `<cli version>-<12 hex>`. */
  key: string;
  /** The CLI version (the pkg/v3 module version), e.g. `v3.276.0`. */
  cliVersion: string;
  /** Plugin name → the version the npm SDK requests (what the plugin is installed under). */
  plugins: { docker: string; command: string };
}

export interface Toolchain extends ToolchainSpec {
  dir: string;
  bin: string;
  pulumi: string;
  /** PULUMI_HOME holding the installed plugins. */
  pulumiHome: string;
}

export interface Stamp extends ToolchainSpec {
  builtAt: string;
  goVersion: string;
  steps: { name: string; seconds: number }[];
}

export function toolchainCacheRoot(env: NodeJS.ProcessEnv): string {
  if (env.HARNESS_TOOLCHAIN_DIR) return env.HARNESS_TOOLCHAIN_DIR;
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  return join(cache, "harness", "pulumi-toolchain");
}

/** The version a module requires in a go.mod (`<path> vX.Y.Z`), or throws naming the file. */
export function requiredVersion(goMod: string, modulePath: string, file = "go.mod"): string {
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goMod);
  if (!match) throw new Error(`${file} does not require ${modulePath}`);
  return match[1];
}

function sdkVersion(repoRoot: string, pkg: string): string {
  const file = join(repoRoot, "node_modules", "@pulumi", pkg, "package.json");
  if (!existsSync(file)) throw new Error(`@pulumi/${pkg} is not installed (${file}): run npm ci first`);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    // Sources and module files; tests do not change the binaries.
    else if (/\.(go|mod|sum)$/.test(entry) && !entry.endsWith("_test.go")) out.push(path);
  }
  return out;
}

/** What the build produces for this checkout (reads a few small files). */
export function toolchainSpec(repoRoot: string): ToolchainSpec {
  const toolchain = join(repoRoot, "tools", "toolchain");
  const cliMod = readFileSync(join(toolchain, "cli", "go.mod"), "utf8");
  const cliVersion = requiredVersion(cliMod, "github.com/pulumi/pulumi/pkg/v3", "tools/toolchain/cli/go.mod");
  const plugins = { docker: sdkVersion(repoRoot, "docker"), command: sdkVersion(repoRoot, "command") };
  const hash = createHash("sha256").update(`plugins=${JSON.stringify(plugins)}\0`);
  for (const mod of MODULES) {
    for (const file of sourceFiles(join(toolchain, mod))) {
      hash
        .update(`${relative(toolchain, file)}\0`)
        .update(readFileSync(file))
        .update("\0");
    }
  }
  return { key: `${cliVersion}-${hash.digest("hex").slice(0, 12)}`, cliVersion, plugins };
}

export function toolchainAt(root: string, spec: ToolchainSpec): Toolchain {
  const dir = join(root, spec.key);
  const bin = join(dir, "bin");
  return { ...spec, dir, bin, pulumi: join(bin, "pulumi"), pulumiHome: join(dir, "home") };
}

/** The complete build for `spec`, or undefined. */
export function findToolchain(root: string, spec: ToolchainSpec): Toolchain | undefined {
  const t = toolchainAt(root, spec);
  const complete =
    existsSync(join(t.dir, "toolchain.json")) &&
    [t.pulumi, join(t.bin, "pulumi-resource-docker"), join(t.bin, "pulumi-resource-command")].every((f) =>
      existsSync(f),
    );
  return complete ? t : undefined;
}

/**
 * The environment that makes a CLI use the toolchain's plugins and only them: its PULUMI_HOME, no
 * plugin from $PATH, no download.
 */
export function toolchainEnv(t: Toolchain): Record<string, string> {
  return {
    PULUMI_HOME: t.pulumiHome,
    PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}
