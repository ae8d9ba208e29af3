/**
 * The GitHub step summary: a markdown table appended to $GITHUB_STEP_SUMMARY when it is set.
 */
import { appendFileSync } from "node:fs";
import { egressNotes } from "../egress";
import { summaryLine, type ReplayStatus, type ReplaySummary } from "../../program/contracts/summary";

const ICON: Record<ReplayStatus, string> = {
  PASS: "✅",
  FAIL: "❌",
  SKIP: "⏭️",
  XFAIL: "⚠️",
  XPASS: "❗",
};

/** A table cell: one line, pipes escaped, HTML-ish characters neutralised, length bounded. */
export function markdownCell(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const short = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return short.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderStepSummary(summary: ReplaySummary, stack: string): string {
  const lines = [
    `### Harness replays (${markdownCell(stack)}): ${summaryLine(summary)}`,
    "",
    "| | Replay | Status | Closes | Time | Message |",
    "|---|---|---|---|---:|---|",
  ];
  for (const r of summary.results) {
    lines.push(
      `| ${ICON[r.status]} | \`${r.name.replace(/`/g, "")}\` | ${r.status} | ${r.closes ? markdownCell(r.closes) : ""} | ${(r.durationMs / 1000).toFixed(1)}s | ${markdownCell(r.message)} |`,
    );
  }
  if (summary.reports.artifacts) lines.push("", `Failure artifacts: \`${summary.reports.artifacts}\``);
  const egress = egressNotes(summary.egress);
  if (egress.length > 0)
    lines.push(
      "",
      "Outbound attempts outside the replays (the sinkhole's journal):",
      "",
      ...egress.map((n) => `- ${markdownCell(n)}`),
    );
  return `${lines.join("\n")}\n\n`;
}

export function appendStepSummary(file: string, summary: ReplaySummary, stack: string): void {
  appendFileSync(file, renderStepSummary(summary, stack));
}
