/**
 * The allow file (`harness.drift.yaml` by default, optional): the intended differences between the
 * harness tenant's environment and production's, each with its reason.
 *
 *   allow:
 *     - name: OTEL_EXPORTER_OTLP_ENDPOINT
 *       rule: missing
 *       reason: the harness has no trace collector; the tenant runs the same without one
 *
 * An entry covers the findings of its rule for that variable. An entry that covers nothing is a
 * stale-allow error (the difference is gone: remove the entry). A malformed file, or an entry
 * without a reason, is a bad input.
 */
import { parseDocument } from "yaml";
import { BadInput } from "./errors";
import { ALLOWABLE_RULES, sortFindings, type AllowableRule, type Finding } from "./rules";

export const DEFAULT_ALLOW_FILE = "harness.drift.yaml";

export interface AllowEntry {
  name: string;
  rule: AllowableRule;
  reason: string;
  /** 0-based position in the file, for messages. */
  index: number;
}

const EXAMPLE =
  "allow:\n  - name: SOME_VARIABLE\n    rule: missing\n    reason: why the harness may differ here";

function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Parses the allow file's text; throws BadInput naming the file, the entry and what to write. */
export function parseAllowFile(text: string, file: string): AllowEntry[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    throw new BadInput(
      `allow file ${file} is not valid YAML${line ? ` (line ${line})` : ""}: ${e.message.split("\n")[0]}`,
    );
  }
  const root = doc.toJS() as unknown;
  if (root === null || root === undefined) return [];
  if (typeof root !== "object" || Array.isArray(root)) {
    throw new BadInput(
      `allow file ${file} must be a map with an \`allow\` list, got ${describe(root)}; write:\n${EXAMPLE}`,
    );
  }
  const obj = root as Record<string, unknown>;
  const unknownKeys = Object.keys(obj).filter((k) => k !== "allow");
  if (unknownKeys.length > 0) {
    throw new BadInput(
      `allow file ${file}: unknown key(s) ${unknownKeys.join(", ")}; the only key is \`allow\``,
    );
  }
  const list = obj.allow;
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) {
    throw new BadInput(
      `allow file ${file}: \`allow\` must be a list of {name, rule, reason}, got ${describe(list)}`,
    );
  }
  const entries: AllowEntry[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw: unknown, index) => {
    const where = `allow file ${file}, entry ${index + 1}`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new BadInput(`${where} must be a map {name, rule, reason}, got ${describe(raw)}`);
    }
    const e = raw as Record<string, unknown>;
    const extra = Object.keys(e).filter((k) => !["name", "rule", "reason"].includes(k));
    if (extra.length > 0) {
      throw new BadInput(`${where}: unknown key(s) ${extra.join(", ")}; an entry has name, rule and reason`);
    }
    if (typeof e.name !== "string" || e.name.trim() === "") {
      throw new BadInput(`${where} has no \`name\`: give the variable it allows`);
    }
    if (typeof e.rule !== "string" || !(ALLOWABLE_RULES as readonly string[]).includes(e.rule)) {
      throw new BadInput(
        `${where} (${e.name}): \`rule\` must be one of ${ALLOWABLE_RULES.join(", ")}, got ${describe(e.rule)}`,
      );
    }
    if (typeof e.reason !== "string" || e.reason.trim() === "") {
      throw new BadInput(
        `${where} (${e.name}, ${e.rule}) has no reason: every allowed difference says why it is intended (\`reason: …\`)`,
      );
    }
    const key = `${e.name}\0${e.rule}`;
    if (seen.has(key)) {
      throw new BadInput(`${where} repeats entry ${seen.get(key)! + 1} (${e.name}, ${e.rule}): keep one`);
    }
    seen.set(key, index);
    entries.push({ name: e.name, rule: e.rule as AllowableRule, reason: e.reason.trim(), index });
  });
  return entries;
}

/**
 * Marks the findings an entry covers as allowed (with its reason) and adds a stale-allow error for
 * every entry that covers nothing.
 */
export function applyAllow(
  findings: readonly Finding[],
  entries: readonly AllowEntry[],
  file: string,
): Finding[] {
  const used = new Set<AllowEntry>();
  const out = findings.map((f) => {
    const entry = entries.find((e) => e.name === f.variable && e.rule === f.rule);
    if (!entry) return f;
    used.add(entry);
    return { ...f, severity: "allowed" as const, reason: entry.reason };
  });
  for (const e of entries) {
    if (used.has(e)) continue;
    out.push({
      rule: "stale-allow",
      variable: e.name,
      tenants: [],
      severity: "error",
      message: `entry ${e.index + 1} of ${file} allows a \`${e.rule}\` difference that no longer exists`,
      fix: `remove the entry from ${file} (the harness and production agree on ${e.name} now)`,
    });
  }
  return sortFindings(out);
}
