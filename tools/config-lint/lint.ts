/**
 * The config coherence lint, end to end: the harness tenants' environment for a stack
 * (tools/config-lint/harness-env.ts) against the production tenant's (tools/config-lint/production.ts), through
 * the rules (tools/config-lint/rules.ts) and the allow file (tools/config-lint/allow.ts), to a report rendered
 * as a table grouped by rule or as JSON. `npm run lint:config` (scripts/lint-config.ts) and the
 * preflight of `npm run harness` call `runLint`.
 *
 * Exit codes: 0 coherent, 1 drift, 2 bad input. No output ever carries the value of a secret-looking
 * variable: the rules never put one in a message, and every rendering is redacted besides.
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { ProductionFormat } from "../../program/config/schema";
import { applyAllow, DEFAULT_ALLOW_FILE, parseAllowFile, type AllowEntry } from "./allow";
import { redact, secretValues } from "./env";
import { BadInput } from "./errors";
import { harnessConfigOf, harnessTenantEnvs, tenantEnvOf } from "./harness-env";
import { readProduction } from "./production";
import { coherenceFindings, exitCodeOf, RULES, type Finding, type Note, type Rule } from "./rules";

export interface LintOptions {
  /** The repository root: Pulumi.yaml, Pulumi.<stack>.yaml, the default allow file. */
  root: string;
  stack: string;
  /** The production file (absolute, or relative to `root`); default `harness:production.path`. */
  production?: string;
  format?: ProductionFormat;
  container?: string;
  /** An allow file that must exist; default `harness:production.allow`, else `harness.drift.yaml` if present. */
  allow?: string;
  /** Where Pulumi.yaml and the stack file are, when not in `root` (a scratch work dir). */
  stackDir?: string;
  /**
   * The env a tenant's container really gets (the policy pack reads it from the preview), when
   * known; otherwise it is computed from the stack config as the program computes it.
   */
  containerEnv?: (tenant: string) => Record<string, string> | undefined;
}

export interface LintReport {
  stack: string;
  tenants: string[];
  production: { file: string; format: ProductionFormat; container?: string };
  image: { dockerfile?: string; variables: string[] };
  allowFile?: string;
  findings: Finding[];
  notes: Note[];
}

export type LintResult =
  { code: 0 | 1; report: LintReport; secrets: string[] } | { code: 2; error: string; secrets: string[] };

/** Whether the stack's config sets `harness:production` (without validating the rest). */
export function productionConfigured(root: string, stack: string): boolean {
  const file = join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) return false;
  const text = readFileSync(file, "utf8");
  try {
    const doc = (parseYaml(text) ?? {}) as { config?: Record<string, unknown> };
    return doc.config?.["harness:production"] !== undefined;
  } catch {
    // Not YAML: say so through the lint (the up would fail on it too).
    return /harness:production/.test(text);
  }
}

function shown(root: string, path: string): string {
  const rel = relative(root, path);
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

export function runLint(opts: LintOptions): LintResult {
  let secrets: string[] = [];
  try {
    const cfg = harnessConfigOf(opts.root, opts.stack, opts.stackDir);
    const configured = cfg.production;
    const productionPath = opts.production ?? configured?.path;
    if (productionPath === undefined) {
      throw new BadInput(
        `no production file: pass --production <file>, or set harness:production in Pulumi.${opts.stack}.yaml`,
      );
    }
    const fromConfig = opts.production === undefined;
    const format = opts.format ?? (fromConfig ? configured?.format : undefined);
    const container = opts.container ?? (fromConfig ? configured?.container : undefined);
    const prodFile = resolve(opts.root, productionPath);
    const production = readProduction(prodFile, { format, container }, shown(opts.root, prodFile));
    const computed = harnessTenantEnvs(cfg);
    const image = computed.image;
    const tenants = cfg.tenants.map((t, i) => {
      const real = opts.containerEnv?.(t.name);
      return real ? tenantEnvOf(t.name, real, cfg, image, "the tenant container") : computed.tenants[i];
    });
    secrets = secretValues(production.env, ...tenants.map((t) => t.env));

    let allowFile: string | undefined;
    const explicitAllow = opts.allow ?? configured?.allow;
    if (explicitAllow !== undefined) {
      allowFile = resolve(opts.root, explicitAllow);
      if (!existsSync(allowFile)) throw new BadInput(`allow file ${explicitAllow} does not exist`);
    } else if (existsSync(join(opts.root, DEFAULT_ALLOW_FILE))) {
      allowFile = join(opts.root, DEFAULT_ALLOW_FILE);
    }
    let entries: AllowEntry[] = [];
    if (allowFile !== undefined) {
      let text: string;
      try {
        text = readFileSync(allowFile, "utf8");
      } catch (error) {
        throw new BadInput(
          `allow file ${shown(opts.root, allowFile)} cannot be read: ${(error as Error).message}`,
        );
      }
      entries = parseAllowFile(text, shown(opts.root, allowFile));
    }

    const coherence = coherenceFindings(tenants, production.env);
    // What production adds from sources the lint cannot read may be what an `extra` misses.
    const sources = production.unresolved.map((n) => n.message.split(":")[0]);
    if (sources.length > 0) {
      for (const f of coherence.findings) {
        if (f.rule === "extra" && f.severity === "error") {
          f.message += ` (unless ${sources.join(" or ")}, not resolvable here, sets it)`;
        }
      }
    }
    const findings = applyAllow(
      coherence.findings,
      entries,
      allowFile ? shown(opts.root, allowFile) : DEFAULT_ALLOW_FILE,
    );
    const report: LintReport = {
      stack: opts.stack,
      tenants: tenants.map((t) => t.tenant),
      production: {
        file: production.file,
        format: production.format,
        ...(production.container ? { container: production.container } : {}),
      },
      image: {
        ...(image.dockerfile ? { dockerfile: image.dockerfile } : {}),
        variables: [...image.env.keys()].sort(),
      },
      ...(allowFile ? { allowFile: shown(opts.root, allowFile) } : {}),
      findings,
      notes: [...production.unresolved, ...image.notes, ...coherence.notes],
    };
    return { code: exitCodeOf(findings), report, secrets };
  } catch (error) {
    if (error instanceof BadInput) return { code: 2, error: error.message, secrets };
    throw error;
  }
}

const RULE_TITLES: Record<Rule, string> = {
  missing: "missing — production sets it, the harness does not",
  extra: "extra — the harness sets it, production does not",
  value: "value — the values disagree in kind",
  "stale-allow": "stale-allow — an allow entry that matches nothing",
};

function table(header: string[], rows: string[][], indent = "  "): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function tenantsCell(f: Finding, all: string[]): string {
  if (f.tenants.length === 0) return "-";
  return f.tenants.length === all.length && all.length > 1 ? "all" : f.tenants.join(", ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The human report: a table per rule, then what is allowed, documented and not checked. */
export function renderText(result: LintResult): string {
  if (result.code === 2)
    return redact(`config coherence: bad input (exit 2)\n  ${result.error}\n`, result.secrets);
  const r = result.report;
  const out: string[] = [];
  const prod = `${r.production.file} (${r.production.format}${r.production.container ? `, container ${r.production.container}` : ""})`;
  out.push(`config coherence: stack ${r.stack} (tenants ${r.tenants.join(", ")}) vs production ${prod}`);
  out.push(
    `  tenant image ENV: ${r.image.dockerfile ? `${r.image.dockerfile} (${plural(r.image.variables.length, "variable")})` : "not read (prebuilt image)"}` +
      `; allow file: ${r.allowFile ?? "none"}`,
  );
  const errors = r.findings.filter((f) => f.severity === "error");
  for (const rule of RULES) {
    const group = errors.filter((f) => f.rule === rule);
    if (group.length === 0) continue;
    out.push("", `${RULE_TITLES[rule]} (${plural(group.length, "error")})`);
    out.push(
      ...table(
        ["VARIABLE", "TENANTS", "FINDING", "FIX"],
        group.map((f) => [f.variable, tenantsCell(f, r.tenants), f.message, f.fix]),
      ),
    );
  }
  const allowed = r.findings.filter((f) => f.severity === "allowed");
  if (allowed.length > 0) {
    out.push("", `allowed — intended differences in ${r.allowFile} (${allowed.length})`);
    out.push(
      ...table(
        ["VARIABLE", "RULE", "REASON"],
        allowed.map((f) => [f.variable, f.rule, f.reason ?? ""]),
      ),
    );
  }
  const documented = r.findings.filter((f) => f.severity === "documented");
  if (documented.length > 0) {
    out.push("", `documented — the harness's own variables (${documented.length})`);
    out.push(
      ...table(
        ["VARIABLE", "RULE", "REASON"],
        documented.map((f) => [f.variable, f.rule, f.reason ?? ""]),
      ),
    );
  }
  if (r.notes.length > 0) {
    out.push("", `not checked here (${r.notes.length})`);
    for (const n of r.notes) out.push(`  - ${n.variable ? `${n.variable}: ` : ""}${n.message}`);
  }
  out.push(
    "",
    errors.length > 0
      ? `drift: ${plural(errors.length, "error")}, ${allowed.length} allowed, ${documented.length} documented (exit 1)`
      : `coherent: 0 errors, ${allowed.length} allowed, ${documented.length} documented (exit 0)`,
  );
  return redact(`${out.join("\n")}\n`, result.secrets);
}

/** The machine format (stable: `version` changes if a field's meaning does). */
export function renderJson(result: LintResult): string {
  if (result.code === 2) {
    return redact(
      `${JSON.stringify({ version: 1, result: "bad-input", exitCode: 2, error: result.error }, null, 2)}\n`,
      result.secrets,
    );
  }
  const r = result.report;
  const count = (s: Finding["severity"]) => r.findings.filter((f) => f.severity === s).length;
  const json = {
    version: 1,
    result: result.code === 0 ? "coherent" : "drift",
    exitCode: result.code,
    stack: r.stack,
    tenants: r.tenants,
    production: r.production,
    image: r.image,
    allowFile: r.allowFile ?? null,
    counts: { error: count("error"), allowed: count("allowed"), documented: count("documented") },
    findings: r.findings.map((f) => ({
      rule: f.rule,
      variable: f.variable,
      tenants: f.tenants,
      severity: f.severity,
      message: f.message,
      fix: f.fix,
      ...(f.reason !== undefined ? { reason: f.reason } : {}),
    })),
    notes: r.notes,
  };
  return redact(`${JSON.stringify(json, null, 2)}\n`, result.secrets);
}

/** What `npm run harness`'s preflight needs: the exit code, the table, and its last line. */
export interface PreflightLint {
  code: 0 | 1 | 2;
  text: string;
  summary: string;
}

/**
 * The lint for `npm run harness`'s preflight: undefined when the stack does not set
 * `harness:production` (nothing to check), else the lint of that stack as `npm run lint:config`
 * runs it.
 */
export function preflightLint(root: string, stack: string, stackDir = root): PreflightLint | undefined {
  if (!productionConfigured(stackDir, stack)) return undefined;
  const result = runLint({ root, stack, stackDir });
  const text = renderText(result);
  const summary = result.code === 2 ? result.error : (text.trimEnd().split("\n").at(-1) ?? "");
  return { code: result.code, text, summary };
}
