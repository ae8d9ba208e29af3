/** `<reportsDir>/results.json`: the ReplaySummary, exactly what the runner prints on stdout. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { ReplaySummary } from "../../program/contracts/summary";

export function renderJson(summary: ReplaySummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

export function writeJsonReport(file: string, summary: ReplaySummary): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderJson(summary));
}
