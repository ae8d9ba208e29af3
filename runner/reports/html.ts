/**
 * `<reportsDir>/report.html`: the page a person debugging a red run opens — the summary and the gate,
 * the stack and the images under test, the phase timings, each replay and suite case, and for each
 * failure its message, output tail, the container log lines and cp-stub journal entries of its time
 * window. One self-contained file: inline CSS, no script, no external asset (a Content-Security-Policy
 * forbids loading any), so it reads the same from a CI artifact, offline, with JavaScript off.
 * Everything shown is escaped here; secrets were removed when the data was built (report-data.ts).
 * Beside it, `report-data.json` keeps that data so `npm run harness` can render the page again with
 * the phase timings only it knows (`rerenderHtmlReport`).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  summaryLine,
  summaryPassed,
  type ReplayResult,
  type ReplayStatus,
} from "../../program/contracts/summary";
import { fileSafe } from "../artifacts";
import { isFailure, type FailureDetails, type HtmlReportData, type ReportPhases } from "./report-data";
import { xmlSafe } from "./xml-text";

export const DATA_FILE = "report-data.json";

/** Text for HTML content and attribute values: control characters visible, ANSI removed, markup escaped. */
export function escapeHtml(text: string): string {
  return xmlSafe(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const e = escapeHtml;

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const STATUS_TITLE: Record<ReplayStatus, string> = {
  PASS: "passed",
  FAIL: "failed",
  SKIP: "skipped",
  XFAIL: "expected failure (counts as skipped)",
  XPASS: "marked xfail but passed: the marker is stale (counts as failed)",
};

function badge(status: string): string {
  const title = STATUS_TITLE[status as ReplayStatus] ?? status;
  return `<span class="badge s-${e(status.toLowerCase())}" title="${e(title)}">${e(status)}</span>`;
}

const PHASES: [keyof ReportPhases, string][] = [
  ["bootToHealthyMs", "boot (build, start, every container healthy)"],
  ["seedMs", "seed"],
  ["replaysMs", "replays and suites (the replays Command)"],
  ["upMs", "whole up"],
  ["destroyMs", "destroy"],
];

function table(head: string[], rows: string[], cls = ""): string {
  return `<table${cls ? ` class="${cls}"` : ""}><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join("")}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

function pre(text: string): string {
  return `<pre>${e(text)}</pre>`;
}

function identities(data: HtmlReportData): string {
  const rows = [`<tr><th>stack</th><td><code>${e(data.stack)}</code></td></tr>`];
  if (data.expectedGitSha)
    rows.push(`<tr><th>expected git sha</th><td><code>${e(data.expectedGitSha)}</code></td></tr>`);
  for (const [role, id] of Object.entries(data.images ?? {}))
    rows.push(`<tr><th>image: ${e(role)}</th><td><code>${e(id)}</code></td></tr>`);
  if (!data.images) rows.push(`<tr><th>images</th><td class="muted">not known to the runner</td></tr>`);
  return `<section id="identities"><h2>Stack and images</h2><table class="kv"><tbody>${rows.join("")}</tbody></table></section>`;
}

function phases(data: HtmlReportData): string {
  const rows = PHASES.filter(([key]) => data.phases?.[key] !== undefined).map(
    ([key, label]) => `<tr><th>${e(label)}</th><td>${e(duration(data.phases![key]!))}</td></tr>`,
  );
  rows.push(
    `<tr><th>runner (from its start to its summary)</th><td>${e(duration(data.summary.durationMs))}</td></tr>`,
  );
  const note = data.phases
    ? ""
    : `<p class="muted">The boot, seed and up timings are added by <code>npm run harness</code>.</p>`;
  return `<section id="phases"><h2>Phase timings</h2><table class="kv"><tbody>${rows.join("")}</tbody></table>${note}</section>`;
}

function resultRows(results: ReplayResult[], anchors: Map<string, string>): string[] {
  return results.flatMap((r) => {
    const anchor = anchors.get(r.name);
    const name = anchor ? `<a href="#${anchor}">${e(r.name)}</a>` : e(r.name);
    const row = `<tr class="r-${e(r.status.toLowerCase())}"><td>${badge(r.status)}</td><td class="name">${name}</td><td>${e(r.kind ?? "replay")}</td><td class="num">${e(duration(r.durationMs))}</td><td>${e(r.closes ?? "")}</td><td class="msg">${e(r.message)}</td></tr>`;
    const cases = (r.cases ?? []).map(
      (c) =>
        `<tr class="case r-${e(c.status.toLowerCase())}"><td>${badge(c.status)}</td><td class="name">↳ ${c.classname ? `<span class="muted">${e(c.classname)} ›</span> ` : ""}${e(c.name)}</td><td>case</td><td class="num">${e(duration(c.durationMs))}</td><td></td><td class="msg">${e(c.message)}</td></tr>`,
    );
    return [row, ...cases];
  });
}

function failure(result: ReplayResult, details: FailureDetails | undefined, id: string): string {
  const parts = [
    `<article class="failure" id="${id}">`,
    `<h3>${badge(result.status)} ${e(result.name)}${result.kind === "suite" ? ` <span class="muted">(suite)</span>` : ""}</h3>`,
    `<p class="message">${e(result.message)}</p>`,
    `<p class="meta">${[
      result.closes ? `closes <strong>${e(result.closes)}</strong>` : "",
      `took ${e(duration(result.durationMs))}`,
      result.startedAt ? `started ${e(result.startedAt)}` : "",
      details?.window ? `logs and journal from ${e(details.window.from)} to ${e(details.window.to)}` : "",
    ]
      .filter(Boolean)
      .join(" · ")}</p>`,
  ];
  const failedCases = (result.cases ?? []).filter((c) => c.status === "FAIL");
  if (failedCases.length > 0) {
    parts.push(
      `<h4>Failed cases</h4><ul class="cases">${failedCases.map((c) => `<li><strong>${e(c.name)}</strong>: ${e(c.message)}</li>`).join("")}</ul>`,
    );
  }
  if (!details) {
    parts.push(`<p class="muted">No details were kept for this result.</p></article>`);
    return parts.join("\n");
  }
  // Where the runner wrote it (run-one.ts outputFileOf; suites.ts suiteOutputFile), from this file.
  const outputFile = `output/${result.kind === "suite" ? "suites/" : ""}${fileSafe(result.name)}.log`;
  parts.push(
    `<details open><summary>Output (the end${details.outputOmitted > 0 ? `, ${details.outputOmitted} earlier lines left out` : ""}; all of it in <a href="${e(outputFile)}">${e(outputFile)}</a>)</summary>`,
    details.output.trim() === "" ? `<p class="muted">It printed nothing.</p>` : pre(details.output),
    `</details>`,
  );
  const logs = !details.window
    ? `<p class="muted">No time window (the result has no start time): see artifacts/containers/.</p>`
    : details.logs.length === 0
      ? `<p class="muted">No container logged anything in this window.</p>`
      : details.logs
          .map(
            (l) =>
              `<h4>${e(l.source)}${l.omitted > 0 ? ` <span class="muted">(the last ${l.lines.length} lines; ${l.omitted} earlier left out)</span>` : ""}</h4>${pre(l.lines.join("\n"))}`,
          )
          .join("\n");
  parts.push(`<details open><summary>Container logs in its window</summary>`, logs, `</details>`);
  const journal = !details.window
    ? `<p class="muted">No time window: see artifacts/cp-stub-requests.json.</p>`
    : details.journal.length === 0
      ? `<p class="muted">The cp-stub received nothing in this window.</p>`
      : `<ol class="journal">${details.journal
          .map(
            (j) =>
              `<li><details><summary><code>${e(j.time)}</code> ${e(j.request)}</summary>${pre(j.detail)}</details></li>`,
          )
          .join(
            "",
          )}</ol>${details.journalOmitted > 0 ? `<p class="muted">${details.journalOmitted} earlier entries left out.</p>` : ""}`;
  parts.push(
    `<details open><summary>cp-stub journal in its window (${details.journal.length} ${details.journal.length === 1 ? "entry" : "entries"})</summary>`,
    journal,
    `</details>`,
    `</article>`,
  );
  return parts.join("\n");
}

const CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--code:#f6f8fa;
--pass:#1a7f37;--fail:#cf222e;--skip:#6e7781;--xfail:#9a6700;--xpass:#bc4c00}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--code:#161b22;
--pass:#3fb950;--fail:#f85149;--skip:#8d96a0;--xfail:#d29922;--xpass:#db6d28}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:80rem;padding:1.5rem;font:15px/1.5 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
h1{font-size:1.5rem;margin:0 0 .5rem}h1 code{font-size:inherit}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:0 0 .4rem}h4{font-size:.95rem;margin:.8rem 0 .3rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:.6rem;margin:.3rem 0;
white-space:pre-wrap;overflow-wrap:anywhere;max-height:32rem;overflow:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid var(--line)}
table.kv{width:auto}table.kv th{font-weight:600;padding-right:1.5rem}
td.num{white-space:nowrap;text-align:right}td.msg,td.name{overflow-wrap:break-word}td.name{font-weight:600;min-width:12rem}
tr.case td{font-size:.9rem}tr.case td.name{font-weight:400;padding-left:1.5rem}
.badge{display:inline-block;min-width:3.6rem;text-align:center;border-radius:1rem;padding:0 .5rem;font-size:.8rem;font-weight:700;color:#fff}
.s-pass{background:var(--pass)}.s-fail{background:var(--fail)}.s-skip{background:var(--skip)}.s-xfail{background:var(--xfail)}.s-xpass{background:var(--xpass)}
.s-allowed{background:var(--skip)}
.s-warn{background:var(--xfail)}
.verdict{font-size:1.1rem;font-weight:700;padding:.6rem .9rem;border-radius:6px;color:#fff;display:inline-block}
.verdict.ok{background:var(--pass)}.verdict.bad{background:var(--fail)}
.counts{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:.8rem 0;padding:0;list-style:none}.counts strong{font-size:1.2rem}
.muted{color:var(--muted)}.failure{border:1px solid var(--line);border-left:4px solid var(--fail);border-radius:6px;padding:.8rem 1rem;margin:1rem 0}
.message{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem;white-space:pre-wrap;overflow-wrap:anywhere;margin:.3rem 0}
.meta{color:var(--muted);font-size:.9rem;margin:.2rem 0 .6rem}
details>summary{cursor:pointer;font-weight:600;margin:.4rem 0}ol.journal{padding-left:1.5rem}ol.journal summary{font-weight:400}
footer{margin-top:2rem;color:var(--muted);font-size:.9rem}
`;

/**
 * The outbound attempts the egress sinkhole caught (issue 14): when, from which container, to what
 * name and port, in which phase (and replay), and whether the policy allowed it. Absent when no
 * sinkhole ran (the loopback tier); said when the journal could not be read.
 */
function egress(data: HtmlReportData): string {
  const report = data.summary.egress;
  if (!report) return "";
  const policy = `Policy: <code>${e(report.mode)}</code>${
    report.allow.length > 0 ? `, allowed: ${report.allow.map((a) => `<code>${e(a)}</code>`).join(", ")}` : ""
  }.`;
  const error = report.error
    ? `<p class="message">The journal could not be read: ${e(report.error)}</p>`
    : "";
  if (report.attempts.length === 0) {
    return `<section id="egress"><h2>Outbound attempts (0)</h2><p>No container tried to leave the harness. ${policy}</p>${error}</section>`;
  }
  const rows = report.attempts.map((a) => {
    const where =
      a.phase === "replay"
        ? `replay ${a.replays.join(", ")}`
        : a.phase === "boot"
          ? "boot or seed"
          : "between replays";
    const verdict = a.allowed
      ? badge("ALLOWED")
      : badge(report.mode === "fail" && a.phase === "replay" ? "FAIL" : "WARN");
    return `<tr><td>${verdict}</td><td>${e(a.time)}</td><td><code>${e(a.source)}</code></td><td><code>${e(a.host ?? "(no name)")}:${a.port}</code></td><td>${e(a.protocol)}</td><td>${e(where)}</td></tr>`;
  });
  return `<section id="egress"><h2>Outbound attempts (${report.attempts.length})</h2><p>No call may leave the harness: these were caught by the sinkhole. ${policy}</p>${error}${table(
    ["", "Time", "From", "To", "Protocol", "During"],
    rows,
  )}</section>`;
}

/** The page (pure). */
export function renderHtmlReport(data: HtmlReportData): string {
  const { summary } = data;
  const passed = summaryPassed(summary);
  const line = summaryLine(summary);
  const failures = summary.results.filter(isFailure);
  const anchors = new Map(failures.map((r, i) => [r.name, `failure-${i + 1}`]));
  const counts: [string, number][] = [
    ["total", summary.total],
    ["passed", summary.passed],
    ["failed", summary.failed],
    ["skipped", summary.skipped],
    ["expected failures", summary.xfailed],
    ["stale xfail", summary.xpassed],
  ];
  const body = [
    `<header>`,
    `<h1>Harness report: <code>${e(data.stack)}</code></h1>`,
    `<p><span class="verdict ${passed ? "ok" : "bad"}">${passed ? "Gate passed" : "Gate failed"}: ${e(line)}</span></p>`,
    `<ul class="counts">${counts.map(([label, n]) => `<li><strong>${n}</strong> ${e(label)}</li>`).join("")}<li><strong>${e(duration(summary.durationMs))}</strong> runner</li></ul>`,
    `<p class="muted">Generated ${e(data.generatedAt)}. The gate fails on any FAIL or XPASS.</p>`,
    `</header>`,
    failures.length > 0
      ? `<section id="failures"><h2>Failures (${failures.length})</h2>\n${failures
          .map((r) => failure(r, data.failures[r.name], anchors.get(r.name)!))
          .join("\n")}</section>`
      : "",
    `<section id="results"><h2>Replays and suites (${summary.results.length})</h2>`,
    table(["Status", "Name", "Kind", "Time", "Closes", "Proves / why"], resultRows(summary.results, anchors)),
    `</section>`,
    egress(data),
    identities(data),
    phases(data),
    data.notes.length > 0
      ? `<section id="notes"><h2>Not collected</h2><ul>${data.notes.map((n) => `<li>${e(n)}</li>`).join("")}</ul></section>`
      : "",
    `<footer>Beside this file: <a href="results.json">results.json</a>, <a href="junit.xml">junit.xml</a>, <a href="output/">output/</a>${
      summary.reports.artifacts
        ? `, <a href="artifacts/README.txt">artifacts/</a> (every container's full log, the whole journal)`
        : ""
    }.</footer>`,
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(`${passed ? "✓" : "✗"} Harness ${data.stack}: ${line}`)}</title>
<style>${CSS}</style>
</head>
<body>
${body.filter(Boolean).join("\n")}
</body>
</html>
`;
}

/** report.html, and beside it the data it was rendered from. */
export function writeHtmlReport(file: string, data: HtmlReportData): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(join(dirname(file), DATA_FILE), `${JSON.stringify(data, null, 2)}\n`);
  writeFileSync(file, renderHtmlReport(data));
}

/** Renders report.html again from its data with the phase timings; throws saying what is missing. */
export function rerenderHtmlReport(file: string, phases: ReportPhases): void {
  const dataFile = join(dirname(file), DATA_FILE);
  let data: HtmlReportData;
  try {
    data = JSON.parse(readFileSync(dataFile, "utf8")) as HtmlReportData;
  } catch (error) {
    throw new Error(`cannot read ${dataFile}, the data of ${file}: ${(error as Error).message}`);
  }
  writeHtmlReport(file, { ...data, phases: { ...data.phases, ...phases } });
}
