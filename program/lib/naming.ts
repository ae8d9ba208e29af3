/**
 * Names, labels, aliases and ports of everything the harness puts on a Docker engine. Every object is
 * named after the stack (two stacks coexist on one engine) and labelled with the stack and its role
 * (`docker ps --filter label=harness.stack=<project>/<stack>` finds a stack's objects).
 */

export const LABEL_STACK = "harness.stack";
export const LABEL_ROLE = "harness.role";
export const LABEL_TENANT = "harness.tenant";

export type Role = "network" | "postgres" | "redis" | "cp-stub" | "tenant" | "cf-proxy" | "sinkhole";

/** Ports inside the containers (fixed by the images). */
export const PORTS = { postgres: 5432, redis: 6379, cpStub: 9090, tenant: 8080, edge: 8080 } as const;

/** In-network DNS names (network aliases, no stack prefix: every stack has its own network). */
export const ALIASES = {
  postgres: (tenant: string) => `postgres-${tenant}`,
  redis: "redis",
  cpStub: "cp-stub",
  tenant: (tenant: string) => `tenant-${tenant}`,
  edge: "cf-proxy",
} as const;

/** Postgres credentials inside the harness (the password is generated per stack). */
export const POSTGRES_USER = "harness";
export const POSTGRES_DB = "molecule";

export class Naming {
  constructor(
    readonly project: string,
    readonly stack: string,
  ) {}

  /** Value of the harness.stack label. */
  get stackLabel(): string {
    return `${this.project}/${this.stack}`;
  }

  /** Docker object name: `<stack>-<part>`, e.g. `harness-postgres-alpha`. */
  object(part: string): string {
    return `${this.stack}-${part}`;
  }

  /** Repository of an image the harness builds, e.g. `harness-harness/cp-stub` (tagged by content). */
  imageRepository(part: string): string {
    return `harness-${this.stack}/${part}`;
  }

  labels(role: Role, extra: Record<string, string> = {}): Record<string, string> {
    return { [LABEL_STACK]: this.stackLabel, [LABEL_ROLE]: role, ...extra };
  }
}

/** Labels in the docker provider's list shape, sorted so the input is stable. */
export function labelList(labels: Record<string, string>): { label: string; value: string }[] {
  return Object.keys(labels)
    .sort()
    .map((label) => ({ label, value: labels[label] }));
}
