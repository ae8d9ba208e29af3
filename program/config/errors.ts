/** One thing wrong with the configuration, and how to fix it. */
export interface ConfigProblem {
  /** Full key path, e.g. `harness:tenants[1].name`. */
  key: string;
  /** What is wrong (never echoes a secret value). */
  problem: string;
  /** What to do about it, as a command or the value to set. */
  fix: string;
}

/**
 * Thrown before any resource is registered when the configuration is invalid. The message lists
 * every problem at once, so one `pulumi up` shows everything to fix.
 */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(stack: string, problems: ConfigProblem[]) {
    super(formatProblems(stack, problems));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function formatProblems(stack: string, problems: ConfigProblem[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map((p) => `  - ${p.key}: ${p.problem}\n    fix: ${p.fix}`);
  return [
    `invalid harness configuration for stack "${stack}" (${count}); nothing was created:`,
    ...lines,
    `Config lives in Pulumi.${stack}.yaml; every key and its default is documented in docs/pulumi.md.`,
  ].join("\n");
}
