/** What `npm run harness` needs from the project files: the project name, and the edge and replays of `Pulumi.<stack>.yaml`. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseEngine, type EngineConfig } from "../../program/config/engine";
import { DEFAULT_EDGE } from "../../program/config/schema";

export function edgeOfStack(root: string, stack: string): { port: number; bindAddress: string } {
  const file = join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) return { port: DEFAULT_EDGE.port, bindAddress: DEFAULT_EDGE.bindAddress };
  const doc = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const edge = (doc.config?.["harness:edge"] ?? {}) as { port?: unknown; bindAddress?: unknown };
  return {
    port: typeof edge.port === "number" ? edge.port : Number(edge.port ?? DEFAULT_EDGE.port),
    bindAddress: typeof edge.bindAddress === "string" ? edge.bindAddress : DEFAULT_EDGE.bindAddress,
  };
}

/**
 * The stack file's `harness:replays` ({} when absent or not an object; a JSON string as the CLI may
 * store it is decoded): `npm run harness -- --only` overrides its `include` for one up, and
 * `npm run replays -- --stack` runs what it selects by default.
 */
export function replaysOfStack(root: string, stack: string): Record<string, unknown> {
  const file = join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) return {};
  const doc = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  let value = doc.config?.["harness:replays"];
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * The stack file's `harness:engine`, for the preflight's reachability check: undefined when absent,
 * or when it cannot be read here (certificates given as Pulumi secrets, which only the engine
 * decrypts; a config problem, which `up` reports with its fix).
 */
export function engineOfStack(root: string, stack: string): EngineConfig | undefined {
  const file = join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) return undefined;
  const doc = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const value = doc.config?.["harness:engine"];
  if (value === undefined) return undefined;
  const is = (kind: "isDirectory" | "isFile") => (p: string) => existsSync(p) && statSync(p)[kind]();
  const parsed = parseEngine(value, {
    key: "harness:engine",
    baseDir: root,
    isDirectory: is("isDirectory"),
    isFile: is("isFile"),
  });
  return parsed.problems.length === 0 ? parsed.engine : undefined;
}

/** The project name in Pulumi.yaml (the `harness.stack` label is `<project>/<stack>`). */
export function projectOf(root: string): string {
  const doc = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { name?: string };
  return doc.name ?? "harness";
}
