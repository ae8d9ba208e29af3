/**
 * The config tables of README.md and docs/pulumi.md, rendered from the schema (schema.ts): one row
 * per key with its default and its documentation. `npm run docs:config` writes them between their
 * markers; a unit test fails when a table and the schema disagree.
 */
import { keyDocs, type KeyDoc } from "../contracts/problems";
import { CONFIG_KEYS, harnessSchema } from "./schema";

export type ConfigTable = "readme" | "docs";

export const TABLE_START =
  "<!-- config table: generated from program/config/schema.ts by `npm run docs:config` -->";
export const TABLE_END = "<!-- end of config table -->";

/** A default as YAML flow text: `{port: 8080, …}`, `[]`, `""`. */
export function flow(value: unknown): string {
  if (value === "") return '""';
  if (Array.isArray(value)) return `[${value.map(flow).join(", ")}]`;
  if (typeof value === "object" && value !== null)
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${flow(v)}`)
      .join(", ")}}`;
  return String(value);
}

function docOf(key: (typeof CONFIG_KEYS)[number]): KeyDoc {
  const doc = keyDocs.get(harnessSchema.shape[key]);
  if (!doc?.summary)
    throw new Error(`program/config/schema.ts: key ${key} has no summary to document it with`);
  return doc;
}

/** The default cell of a key: what the schema fills in, unless the key says how to show it. */
export function shownDefault(key: (typeof CONFIG_KEYS)[number]): string {
  const doc = docOf(key);
  if (doc.shownDefault !== undefined) return doc.shownDefault;
  return `\`${flow(harnessSchema.shape[key].parse(undefined))}\``;
}

const cell = (text: string) => text.replace(/\n/g, " ");

/** The markdown table (unformatted: prettier aligns it). */
export function configTable(which: ConfigTable): string {
  const header = which === "readme" ? "| key | default | what |" : "| key | default | meaning |";
  const rows = CONFIG_KEYS.map((key) => {
    const doc = docOf(key);
    const text = which === "readme" ? doc.summary! : (doc.details ?? doc.summary!);
    return `| \`${key}\` | ${cell(shownDefault(key))} | ${cell(text)} |`;
  });
  return [header, "| --- | --- | --- |", ...rows].join("\n");
}

/** `markdown` with its generated table replaced; fails when the markers are missing. */
export function withConfigTable(markdown: string, which: ConfigTable, file: string): string {
  const start = markdown.indexOf(TABLE_START);
  const end = markdown.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(
      `${file}: the config table markers are missing; put the two lines\n${TABLE_START}\n${TABLE_END}\nwhere the table goes`,
    );
  }
  return `${markdown.slice(0, start + TABLE_START.length)}\n\n${configTable(which)}\n\n${markdown.slice(end)}`;
}
