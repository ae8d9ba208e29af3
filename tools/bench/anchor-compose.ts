/**
 * The anchor-semantics baseline's compose file (pure): the harness's own containers, on the same
 * images, put in the anchor's compose shape (docs/anchor.md#compose-topology): postgres per tenant, the
 * shared redis and cp-stub first; each tenant once its postgres, redis and cp-stub are `service_healthy`; the
 * cf-proxy edge once every tenant is `service_healthy`; the anchor's probe timing (2 s for postgres,
 * redis and cp-stub, 5 s for the tenants; timeout 5 s; 10 and 20 retries; no start period). Service
 * names are the harness's network aliases, so the tenants' environment and the rendered nginx.conf
 * work unchanged.
 *
 * What differs from the anchor, and why:
 * - cp-stub and tenant probes: the anchor's `wget …` needs busybox, which these Node images lack, so
 *   the image's own HEALTHCHECK command runs (same URL), at the anchor's timing;
 * - the edge gets the harness's rendered nginx.conf bind-mounted (the anchor's final shape bakes its
 *   own into the image); its image's HEALTHCHECK is disabled: the anchor's edge has none. The bench
 *   instead polls /health through the edge for every tenant (see baseline.ts);
 * - published ports are free loopback ports (the anchor's fixed 8080/9090 could collide);
 * - every container and the network carry the `harness.stack` label of the baseline, so the bench
 *   finds and removes whatever is left.
 */
import {
  ALIASES,
  LABEL_ROLE,
  LABEL_STACK,
  POSTGRES_DB,
  POSTGRES_USER,
  PORTS,
  type Role,
} from "../../program/lib/naming";

/** A Docker healthcheck's timing, as compose writes it. */
export interface ProbeTiming {
  interval: string;
  timeout: string;
  retries: number;
}

/**
 * The anchor's probe timing (docs/anchor.md#services-and-probes): infra 2 s/5 s/10, tenants 5 s/5 s/20, no
 * start period.
 */
export const ANCHOR_TIMING: { infra: ProbeTiming; tenant: ProbeTiming } = {
  infra: { interval: "2s", timeout: "5s", retries: 10 },
  tenant: { interval: "5s", timeout: "5s", retries: 20 },
};

/**
 * The anchor's probes where they run on these images (docs/anchor.md#services-and-probes: `-d molecule` since
 * b5bb3559).
 */
export const ANCHOR_PROBES = {
  postgres: ["CMD-SHELL", `pg_isready -U ${POSTGRES_USER} -d ${POSTGRES_DB}`],
  redis: ["CMD", "redis-cli", "ping"],
} as const;

/** Label marking the baseline's objects (besides `harness.stack`). */
export const LABEL_BASELINE = "harness.bench-baseline";

export interface AnchorImages {
  postgres: string;
  redis: string;
  cpStub: string;
  tenant: string;
  cfProxy: string;
}

export interface AnchorTenant {
  name: string;
  /** The tenant's environment, values resolved (program/lib/tenant-env.ts `tenantEnvVars`). */
  env: Record<string, string>;
  postgresPassword: string;
}

export interface AnchorComposeInput {
  /** The `harness.stack` label value of every baseline object. */
  label: string;
  /** The network's Docker name. */
  networkName: string;
  images: AnchorImages;
  /** Docker test arrays (the images' own HEALTHCHECK) for cp-stub and the tenants. */
  probes: { cpStub: string[]; tenant: string[] };
  tenants: AnchorTenant[];
  /** Host address and port the edge and the cp-stub are published on. */
  bindAddress: string;
  edgePort: number;
  cpStubPort: number;
  /** Host path of the rendered nginx.conf and where the edge reads it. */
  nginxConf: { hostPath: string; containerPath: string; containerPort: number };
}

/** Service names: the harness's network aliases, which the tenants' env and nginx.conf use. */
export const SERVICE = ALIASES;

/** Compose interpolates `$` in values; `$$` is a literal one. */
function literal(value: string): string {
  return value.replace(/\$/g, "$$$$");
}

function env(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(vars)
      .sort()
      .map((k) => [k, literal(vars[k])]),
  );
}

const healthy = (services: string[]) =>
  Object.fromEntries(services.map((s) => [s, { condition: "service_healthy" }]));

/** The compose file (version 2.4: `depends_on` conditions, which docker-compose 1.29 and v2 both honour). */
export function anchorCompose(input: AnchorComposeInput): Record<string, unknown> {
  const labels = (role: Role) => ({
    [LABEL_STACK]: input.label,
    [LABEL_ROLE]: role,
    [LABEL_BASELINE]: "anchor",
  });
  const check = (test: readonly string[], timing: ProbeTiming) => ({ test: [...test], ...timing });
  const common = (role: Role, image: string) => ({ image, labels: labels(role), networks: ["harness-net"] });
  const services: Record<string, unknown> = {};
  for (const t of input.tenants) {
    services[SERVICE.postgres(t.name)] = {
      ...common("postgres", input.images.postgres),
      environment: env({
        POSTGRES_USER,
        POSTGRES_PASSWORD: t.postgresPassword,
        POSTGRES_DB,
      }),
      healthcheck: check(ANCHOR_PROBES.postgres, ANCHOR_TIMING.infra),
    };
  }
  services[SERVICE.redis] = {
    ...common("redis", input.images.redis),
    healthcheck: check(ANCHOR_PROBES.redis, ANCHOR_TIMING.infra),
  };
  services[SERVICE.cpStub] = {
    ...common("cp-stub", input.images.cpStub),
    environment: env({ PORT: String(PORTS.cpStub) }),
    ports: [`${input.bindAddress}:${input.cpStubPort}:${PORTS.cpStub}`],
    healthcheck: check(input.probes.cpStub, ANCHOR_TIMING.infra),
  };
  for (const t of input.tenants) {
    services[SERVICE.tenant(t.name)] = {
      ...common("tenant", input.images.tenant),
      environment: env(t.env),
      healthcheck: check(input.probes.tenant, ANCHOR_TIMING.tenant),
      depends_on: healthy([SERVICE.postgres(t.name), SERVICE.redis, SERVICE.cpStub]),
    };
  }
  services[SERVICE.edge] = {
    ...common("cf-proxy", input.images.cfProxy),
    ports: [`${input.bindAddress}:${input.edgePort}:${input.nginxConf.containerPort}`],
    volumes: [`${input.nginxConf.hostPath}:${input.nginxConf.containerPath}:ro`],
    healthcheck: { disable: true },
    depends_on: healthy(input.tenants.map((t) => SERVICE.tenant(t.name))),
  };
  return {
    version: "2.4",
    services,
    networks: {
      "harness-net": {
        name: input.networkName,
        labels: { [LABEL_STACK]: input.label, [LABEL_ROLE]: "network", [LABEL_BASELINE]: "anchor" },
      },
    },
  };
}

/** The waves the anchor's `depends_on` makes, for the README and the test: service names per wave. */
export function anchorWaves(compose: Record<string, unknown>): string[][] {
  const services = compose.services as Record<string, { depends_on?: Record<string, unknown> }>;
  const wave = new Map<string, number>();
  const depth = (name: string): number => {
    const known = wave.get(name);
    if (known !== undefined) return known;
    const deps = Object.keys(services[name]?.depends_on ?? {});
    const d = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(depth));
    wave.set(name, d);
    return d;
  };
  const waves: string[][] = [];
  for (const name of Object.keys(services)) (waves[depth(name)] ??= []).push(name);
  return waves.map((w) => w.sort());
}
