/**
 * The production tenant's environment, read from a file in one of the formats production keeps it
 * in. Auto-detected (`--format` overrides); each read with a well-kept parser (`yaml`, `dotenv`).
 *
 *   dotenv    KEY=value lines (dotenv's `parse`)
 *   json      a JSON map of names to values, or a list of names (`NAME` or `NAME=value`)
 *   yaml      the same in YAML
 *   k8s       a Kubernetes manifest (one or more documents; Deployment, StatefulSet, DaemonSet,
 *             ReplicaSet, Pod, Job or CronJob): the chosen container's `env`; `envFrom` is reported
 *             as not resolvable here, naming its ConfigMap or Secret
 *   ecs       an ECS task definition (as registered, or `aws ecs describe-task-definition` output):
 *             the chosen container's `environment` and `secrets`
 *   compose   a docker compose file: the chosen service's `environment` (map or list); `env_file`
 *             is reported as not resolvable here
 *
 * A file with several candidate containers and no `container` is a bad input listing them.
 */
import { parse as parseDotenv } from "dotenv";
import { readFileSync, statSync } from "node:fs";
import { basename, extname } from "node:path";
import { parseAllDocuments } from "yaml";
import { PRODUCTION_FORMATS, type ProductionFormat } from "../../program/config/schema";
import { ENV_NAME, envMap, type EnvMap, type EnvVar } from "./env";
import { BadInput } from "./errors";
import type { Note } from "./rules";

export { PRODUCTION_FORMATS, type ProductionFormat };

export interface ProductionEnv {
  file: string;
  format: ProductionFormat;
  /** The chosen container, e.g. `Deployment/tenant/tenant` (k8s), `tenant` (ecs, compose). */
  container?: string;
  env: EnvMap;
  /** What the file references but the lint cannot read (envFrom, env_file, environmentFiles). */
  unresolved: Note[];
}

export interface ProductionOptions {
  format?: ProductionFormat;
  container?: string;
}

const K8S_WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "CronJob"];
const FORMAT_HINT = `use --format ${PRODUCTION_FORMATS.join("|")} (or harness:production.format) to say which`;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `a ${typeof v}`;
}

/** Reads and parses `path`; every problem is a BadInput with what to do. `file`: the path as messages show it. */
export function readProduction(path: string, opts: ProductionOptions = {}, file = path): ProductionEnv {
  let text: string;
  try {
    if (statSync(path).isDirectory()) {
      throw new BadInput(
        `production file ${file} is a directory, not a file: point --production at the file itself`,
      );
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof BadInput) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new BadInput(
        `production file ${file} does not exist: check the path (relative paths start at the repository root)`,
      );
    }
    throw new BadInput(
      `production file ${file} cannot be read (${code ?? (error as Error).message}): check its permissions`,
    );
  }
  return parseProduction(text, file, opts);
}

/** Which syntax the file's name says, if any. */
function syntaxOfName(file: string): "dotenv" | "json" | "yaml" | undefined {
  const name = basename(file).toLowerCase();
  const ext = extname(name);
  if (name === ".env" || name.startsWith(".env.") || ext === ".env") return "dotenv";
  if (ext === ".json") return "json";
  if (ext === ".yaml" || ext === ".yml") return "yaml";
  return undefined;
}

/** V8's JSON error without the snippet of the file it quotes (it may hold a secret), with a line and column. */
export function jsonErrorText(text: string, error: Error): string {
  let message = error.message.replace(/, ".*"(?:\.\.\.)? is not valid JSON$/s, "");
  const at = /^(.*) in JSON at position (\d+)/s.exec(message);
  if (at) {
    const before = text.slice(0, Number(at[2]));
    const line = before.split("\n").length;
    message = `${at[1]} (line ${line}, column ${Number(at[2]) - before.lastIndexOf("\n")})`;
  }
  return message;
}

function parseJson(text: string, file: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    throw new BadInput(`production file ${file} is not valid JSON: ${jsonErrorText(text, error as Error)}`);
  }
}

function parseYamlDocs(text: string, file: string): Json[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    if (d.errors.length > 0) {
      const e = d.errors[0];
      const line = e.linePos?.[0]?.line;
      throw new BadInput(
        `production file ${file} is not valid YAML${line ? ` (line ${line})` : ""}: ${e.message.split("\n")[0]}`,
      );
    }
  }
  return list.map((d) => d.toJS() as Json).filter((d) => d !== null && d !== undefined);
}

/** The structured documents of a JSON or YAML file, or undefined when the text is neither. */
function structured(
  text: string,
  file: string,
  syntax: "json" | "yaml" | undefined,
): { docs: Json[]; syntax: "json" | "yaml" } | undefined {
  if (syntax === "json") return { docs: [parseJson(text, file)], syntax };
  if (syntax === "yaml") return { docs: parseYamlDocs(text, file), syntax };
  // No telling extension: JSON, else YAML when it is a map or a list, else not structured.
  try {
    return { docs: [JSON.parse(text) as Json], syntax: "json" };
  } catch {
    // not JSON
  }
  try {
    const docs = parseYamlDocs(text, file);
    return docs.length > 0 && docs.every((d) => typeof d === "object") ? { docs, syntax: "yaml" } : undefined;
  } catch {
    return undefined;
  }
}

type Shape = "k8s" | "ecs" | "compose" | "map";

function shapeOf(docs: Json[]): Shape | undefined {
  if (docs.some((d) => isObj(d) && typeof d.kind === "string" && typeof d.apiVersion === "string"))
    return "k8s";
  if (docs.length !== 1) return undefined;
  const d = docs[0];
  if (
    isObj(d) &&
    (Array.isArray(d.containerDefinitions) ||
      (isObj(d.taskDefinition) && Array.isArray(d.taskDefinition.containerDefinitions)))
  )
    return "ecs";
  if (isObj(d) && isObj(d.services) && Object.values(d.services).every(isObj)) return "compose";
  if (isObj(d) && Object.values(d).every((v) => v === null || typeof v !== "object")) return "map";
  if (Array.isArray(d) && d.every((v) => typeof v === "string")) return "map";
  return undefined;
}

/** Parses production's environment from `text` (the file's content). */
export function parseProduction(text: string, file: string, opts: ProductionOptions = {}): ProductionEnv {
  if (text.trim() === "") throw new BadInput(`production file ${file} is empty: it names no variable`);
  const byName = syntaxOfName(file);
  const format = opts.format;
  if (opts.container !== undefined && (format === "dotenv" || format === "json" || format === "yaml")) {
    throw new BadInput(
      `--container ${opts.container} applies to k8s, ecs and compose files; ${file} is read as ${format}`,
    );
  }

  if (format === "dotenv" || (format === undefined && byName === "dotenv")) {
    return fromDotenv(text, file);
  }
  const syntax =
    format === "json" ? "json" : format === "yaml" ? "yaml" : byName === "dotenv" ? undefined : byName;
  const parsed = structured(text, file, syntax);
  if (parsed === undefined) {
    if (format !== undefined) throw wrongFormat(file, format, "it is neither JSON nor YAML");
    return fromDotenv(text, file);
  }
  const docs = parsed.docs;
  const shape = shapeOf(docs);
  const chosen: Shape | undefined =
    format === undefined ? shape : format === "json" || format === "yaml" ? "map" : format;
  if (chosen === undefined) {
    throw new BadInput(
      `production file ${file} is not a format the lint reads: expected a map of variables, a list of names, ` +
        `a Kubernetes manifest, an ECS task definition or a compose file; ${FORMAT_HINT}`,
    );
  }
  if (format !== undefined && shape !== chosen && !(chosen === "map" && shape === undefined)) {
    throw wrongFormat(file, format, shape ? `it looks like ${shapeName(shape)}` : "its shape does not match");
  }
  if (opts.container !== undefined && chosen === "map") {
    throw new BadInput(
      `--container ${opts.container} applies to k8s, ecs and compose files; ${file} is a plain map of variables`,
    );
  }
  switch (chosen) {
    case "map":
      return fromMap(docs, file, parsed.syntax);
    case "k8s":
      return fromK8s(docs, file, opts.container);
    case "ecs":
      return fromEcs(docs[0] as Obj, file, opts.container);
    case "compose":
      return fromCompose(docs[0] as Obj, file, opts.container);
  }
}

function shapeName(shape: Shape): string {
  return {
    k8s: "a Kubernetes manifest",
    ecs: "an ECS task definition",
    compose: "a compose file",
    map: "a map of variables",
  }[shape];
}

function wrongFormat(file: string, format: ProductionFormat, why: string): BadInput {
  const what: Record<ProductionFormat, string> = {
    dotenv: "a dotenv file",
    json: "a JSON map of variables or list of names",
    yaml: "a YAML map of variables or list of names",
    k8s: "a Kubernetes manifest (no document has apiVersion and kind)",
    ecs: "an ECS task definition (no containerDefinitions)",
    compose: "a compose file (no services map)",
  };
  return new BadInput(
    `production file ${file} is not ${what[format]} as --format ${format} says: ${why}; drop --format to auto-detect`,
  );
}

function checkName(name: string, file: string, where: string): void {
  if (!ENV_NAME.test(name)) {
    throw new BadInput(
      `production file ${file}: ${where} ${JSON.stringify(name)} is not an environment variable name`,
    );
  }
}

function scalar(v: Json, file: string, where: string): string {
  if (v === null) return "";
  if (typeof v === "object") {
    throw new BadInput(
      `production file ${file}: ${where} must be a string, number or boolean, got ${describe(v)} (a value, not a structure, is needed here)`,
    );
  }
  return String(v);
}

function fromDotenv(text: string, file: string): ProductionEnv {
  const parsed = parseDotenv(text);
  const names = Object.keys(parsed);
  if (names.length === 0) {
    throw new BadInput(`production file ${file} has no KEY=value line: not a dotenv file; ${FORMAT_HINT}`);
  }
  const vars: EnvVar[] = names.map((name) => {
    checkName(name, file, "name");
    return { name, value: parsed[name], source: "dotenv" };
  });
  return { file, format: "dotenv", env: envMap(vars), unresolved: [] };
}

function fromMap(docs: Json[], file: string, format: ProductionFormat): ProductionEnv {
  if (docs.length !== 1)
    throw new BadInput(`production file ${file} has ${docs.length} documents; a map of variables is one`);
  const d = docs[0];
  const vars: EnvVar[] = [];
  if (Array.isArray(d)) {
    for (const [i, item] of d.entries()) {
      if (typeof item !== "string") {
        throw new BadInput(
          `production file ${file}: item ${i + 1} must be a name (or NAME=value), got ${describe(item)}`,
        );
      }
      const eq = item.indexOf("=");
      const name = eq === -1 ? item.trim() : item.slice(0, eq).trim();
      checkName(name, file, `item ${i + 1}`);
      // A bare name: production sets it, its value is not in this file.
      vars.push(
        eq === -1 ? { name, source: "list of names" } : { name, value: item.slice(eq + 1), source: "list" },
      );
    }
  } else if (isObj(d)) {
    for (const [name, v] of Object.entries(d)) {
      checkName(name, file, "key");
      vars.push({ name, value: scalar(v, file, `the value of ${name}`), source: "map" });
    }
  } else {
    throw new BadInput(
      `production file ${file} must be a map of variables or a list of names, got ${describe(d)}`,
    );
  }
  if (vars.length === 0) throw new BadInput(`production file ${file} names no variable`);
  return { file, format, env: envMap(vars), unresolved: [] };
}

interface Candidate {
  /** Full id, e.g. `Deployment/tenant/tenant`. */
  id: string;
  /** Ids a user may type: the container name, `<workload>/<container>`, the full id. */
  aliases: string[];
  read: () => Pick<ProductionEnv, "env" | "unresolved">;
}

function choose(
  candidates: Candidate[],
  file: string,
  container: string | undefined,
  noun: string,
): Candidate {
  const list = candidates.map((c) => c.id).join(", ");
  if (candidates.length === 0) throw new BadInput(`production file ${file} has no ${noun}`);
  if (container === undefined) {
    if (candidates.length === 1) return candidates[0];
    throw new BadInput(
      `production file ${file} has ${candidates.length} ${noun}s and no --container says which is the tenant: ${list}; ` +
        `run again with --container <name> (or set harness:production.container)`,
    );
  }
  const matches = candidates.filter((c) => c.aliases.includes(container));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new BadInput(`production file ${file} has no ${noun} "${container}"; its ${noun}s: ${list}`);
  }
  throw new BadInput(
    `--container ${container} matches ${matches.length} ${noun}s in ${file} (${matches.map((m) => m.id).join(", ")}): use the longer name`,
  );
}

function podSpecOf(doc: Obj): Obj | undefined {
  const spec = isObj(doc.spec) ? doc.spec : undefined;
  if (!spec) return undefined;
  switch (doc.kind) {
    case "Pod":
      return spec;
    case "CronJob": {
      const job = isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
      return job && isObj(job.template) && isObj(job.template.spec) ? job.template.spec : undefined;
    }
    default:
      return isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : undefined;
  }
}

function k8sEnv(c: Obj, file: string, id: string): Pick<ProductionEnv, "env" | "unresolved"> {
  const vars: EnvVar[] = [];
  const unresolved: Note[] = [];
  if (c.env !== undefined && c.env !== null) {
    if (!Array.isArray(c.env)) {
      throw new BadInput(
        `production file ${file}: ${id} \`env\` must be a list of {name, value | valueFrom}, got ${describe(c.env)}`,
      );
    }
    for (const [i, e] of c.env.entries()) {
      if (!isObj(e) || typeof e.name !== "string") {
        throw new BadInput(
          `production file ${file}: ${id} env[${i}] must be a map with a name, got ${describe(e)}`,
        );
      }
      checkName(e.name, file, `${id} env[${i}].name`);
      if (isObj(e.valueFrom)) {
        const from = e.valueFrom;
        const ref = (kind: string, r: Json) =>
          isObj(r)
            ? `${kind} ${String(r.name ?? "?")}/${String(r.key ?? r.fieldPath ?? r.resource ?? "?")}`
            : kind;
        if (isObj(from.secretKeyRef))
          vars.push({ name: e.name, source: ref("secretKeyRef", from.secretKeyRef), secret: true });
        else if (isObj(from.configMapKeyRef))
          vars.push({ name: e.name, source: ref("configMapKeyRef", from.configMapKeyRef) });
        else if (isObj(from.fieldRef))
          vars.push({ name: e.name, source: `fieldRef ${String(from.fieldRef.fieldPath ?? "?")}` });
        else if (isObj(from.resourceFieldRef))
          vars.push({
            name: e.name,
            source: `resourceFieldRef ${String(from.resourceFieldRef.resource ?? "?")}`,
          });
        else vars.push({ name: e.name, source: "valueFrom" });
      } else {
        vars.push({
          name: e.name,
          value: e.value === undefined ? "" : scalar(e.value, file, `${id} env ${e.name}`),
          source: "env",
        });
      }
    }
  }
  if (c.envFrom !== undefined && c.envFrom !== null) {
    if (!Array.isArray(c.envFrom)) {
      throw new BadInput(
        `production file ${file}: ${id} \`envFrom\` must be a list, got ${describe(c.envFrom)}`,
      );
    }
    for (const src of c.envFrom) {
      if (!isObj(src)) continue;
      const kind = isObj(src.configMapRef) ? "configMapRef" : isObj(src.secretRef) ? "secretRef" : "source";
      const ref = (src.configMapRef ?? src.secretRef) as Obj | undefined;
      const name = ref && typeof ref.name === "string" ? ref.name : "?";
      const prefix = typeof src.prefix === "string" && src.prefix !== "" ? ` (prefix ${src.prefix})` : "";
      unresolved.push({
        message: `envFrom ${kind} ${name}${prefix}: not resolvable here; the variables it adds are not compared`,
      });
    }
  }
  return { env: envMap(vars), unresolved };
}

function fromK8s(docs: Json[], file: string, container: string | undefined): ProductionEnv {
  const items = docs.flatMap((d) =>
    isObj(d) && d.kind === "List" && Array.isArray(d.items) ? d.items : [d],
  );
  const workloads = items.filter(
    (d): d is Obj => isObj(d) && typeof d.kind === "string" && K8S_WORKLOADS.includes(d.kind),
  );
  if (workloads.length === 0) {
    const kinds = items.filter(isObj).map((d) => String(d.kind ?? "?"));
    throw new BadInput(
      `production file ${file} has no ${K8S_WORKLOADS.join(", ")} (found: ${kinds.join(", ") || "nothing"}): the tenant runs in one of those`,
    );
  }
  const candidates: Candidate[] = [];
  for (const w of workloads) {
    const wname = isObj(w.metadata) && typeof w.metadata.name === "string" ? w.metadata.name : "?";
    const pod = podSpecOf(w);
    const containers = pod?.containers;
    if (!Array.isArray(containers)) {
      throw new BadInput(
        `production file ${file}: ${String(w.kind)}/${wname} has no containers list (spec…containers)`,
      );
    }
    for (const c of containers) {
      if (!isObj(c) || typeof c.name !== "string") continue;
      const id = `${String(w.kind)}/${wname}/${c.name}`;
      candidates.push({ id, aliases: [c.name, `${wname}/${c.name}`, id], read: () => k8sEnv(c, file, id) });
    }
  }
  const chosen = choose(candidates, file, container, "container");
  return { file, format: "k8s", container: chosen.id, ...chosen.read() };
}

function fromEcs(doc: Obj, file: string, container: string | undefined): ProductionEnv {
  const task = isObj(doc.taskDefinition) ? doc.taskDefinition : doc;
  const defs = task.containerDefinitions as Json[];
  const candidates: Candidate[] = defs.filter(isObj).map((c) => {
    const name = typeof c.name === "string" ? c.name : "?";
    return {
      id: name,
      aliases: [name],
      read: () => {
        const vars: EnvVar[] = [];
        const unresolved: Note[] = [];
        const list = (key: string): Obj[] => {
          const v = c[key];
          if (v === undefined || v === null) return [];
          if (!Array.isArray(v)) {
            throw new BadInput(
              `production file ${file}: container ${name} \`${key}\` must be a list of {name, ${key === "secrets" ? "valueFrom" : "value"}}, got ${describe(v)}`,
            );
          }
          return v.map((e, i) => {
            if (!isObj(e) || typeof e.name !== "string") {
              throw new BadInput(
                `production file ${file}: container ${name} ${key}[${i}] must be a map with a name, got ${describe(e)}`,
              );
            }
            checkName(e.name, file, `container ${name} ${key}[${i}].name`);
            return e;
          });
        };
        for (const e of list("environment")) {
          vars.push({
            name: String(e.name),
            value: e.value === undefined ? "" : scalar(e.value, file, `${name} ${String(e.name)}`),
            source: "environment",
          });
        }
        for (const e of list("secrets")) {
          vars.push({ name: String(e.name), source: "ECS secrets (valueFrom)", secret: true });
        }
        const files = c.environmentFiles;
        if (Array.isArray(files)) {
          for (const f of files) {
            if (isObj(f))
              unresolved.push({
                message: `environmentFiles ${String(f.value ?? "?")}: not resolvable here; its variables are not compared`,
              });
          }
        }
        return { env: envMap(vars), unresolved };
      },
    };
  });
  const chosen = choose(candidates, file, container, "container definition");
  return { file, format: "ecs", container: chosen.id, ...chosen.read() };
}

function fromCompose(doc: Obj, file: string, container: string | undefined): ProductionEnv {
  const services = doc.services as Obj;
  const candidates: Candidate[] = Object.entries(services).map(([name, svc]) => ({
    id: name,
    aliases: [name],
    read: () => {
      const s = svc as Obj;
      const vars: EnvVar[] = [];
      const unresolved: Note[] = [];
      const add = (key: string, value: string | undefined) => {
        checkName(key, file, `service ${name} environment`);
        // `${VAR}` is filled in from the shell that runs compose: its value is not in this file.
        const interpolated = value !== undefined && /\$\{?[A-Za-z_]/.test(value);
        vars.push({
          name: key,
          value: interpolated ? undefined : value,
          source:
            value === undefined
              ? "environment (from the shell)"
              : interpolated
                ? "environment (interpolated)"
                : "environment",
        });
      };
      const env = s.environment;
      if (Array.isArray(env)) {
        for (const item of env) {
          if (typeof item !== "string") {
            throw new BadInput(
              `production file ${file}: service ${name} environment items must be KEY=value strings, got ${describe(item)}`,
            );
          }
          const eq = item.indexOf("=");
          add(eq === -1 ? item : item.slice(0, eq), eq === -1 ? undefined : item.slice(eq + 1));
        }
      } else if (isObj(env)) {
        for (const [k, v] of Object.entries(env))
          add(k, v === null ? undefined : scalar(v, file, `service ${name} environment ${k}`));
      } else if (env !== undefined && env !== null) {
        throw new BadInput(
          `production file ${file}: service ${name} environment must be a map or a list, got ${describe(env)}`,
        );
      }
      const envFiles = s.env_file;
      const paths =
        envFiles === undefined || envFiles === null ? [] : Array.isArray(envFiles) ? envFiles : [envFiles];
      for (const p of paths) {
        const path = isObj(p) ? p.path : p;
        unresolved.push({
          message: `env_file ${String(path)}: not resolvable here; its variables are not compared`,
        });
      }
      return { env: envMap(vars), unresolved };
    },
  }));
  const chosen = choose(candidates, file, container, "service");
  return { file, format: "compose", container: chosen.id, ...chosen.read() };
}
