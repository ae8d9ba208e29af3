/**
 * One tenant with every production layer switched on (docs/anchor.md#layer-switches): TenantGuard
 * (MOLECULE_ORG_ID), the /cp/* proxy (CP_UPSTREAM_URL), the canvas proxy (CANVAS_PROXY_URL), strict
 * auth (ADMIN_TOKEN + MOLECULE_ENV=production) and strict crypto (SECRETS_ENCRYPTION_KEY). Every CP
 * and LLM URL points at the cp-stub: no call leaves the harness. Its own Postgres, the shared Redis.
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { tenantHost } from "../program/contracts/hosts";
import type { TenantConfig } from "../program/config/schema";
import type { Healthcheck } from "../program/lib/docker";
import { ALIASES, LABEL_TENANT } from "../program/lib/naming";
import { tenantEnv } from "../program/lib/tenant-env";
import type { CpStub } from "./cp-stub";
import { serviceContainer } from "./container";
import type { Engine } from "./engine";
import { GeneratedSecret } from "./generated-secret";
import type { Postgres } from "./postgres";
import type { Redis } from "./redis";
import { HarnessComponent } from "./component";

/** Label carrying the id of the tenant's postgres container: a new database means a new tenant (migrations run at boot). */
export const LABEL_POSTGRES_ID = "harness.postgres-id";

export interface TenantArgs {
  engine: Engine;
  tenant: TenantConfig;
  image: pulumi.Input<string>;
  networkName: pulumi.Input<string>;
  /** The sinkhole's address: the upstream of the tenant's DNS, where every outside name leads (issue 14). */
  sinkholeAddress: pulumi.Input<string>;
  postgres: Postgres;
  redis: Redis;
  cpStub: CpStub;
  encryptionKey: pulumi.Input<string>;
  rateLimit: number;
  /** Extra non-secret env from config. */
  extraEnv: Record<string, string>;
  /** undefined = the image's own HEALTHCHECK. */
  healthcheck: Healthcheck | undefined;
  waitTimeoutSeconds: number;
}

export class Tenant extends HarnessComponent {
  public readonly name: string;
  public readonly host: string;
  public readonly orgId: string;
  public readonly alias: string;
  public readonly containerName: string;
  public readonly adminToken: pulumi.Output<string>;
  public readonly container: docker.Container;
  /** The container once healthy (the health gate): what dependents wait for. */
  public readonly ready: pulumi.Output<docker.Container>;

  constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("Tenant", name, opts);
    const t = args.tenant;
    this.name = t.name;
    this.host = tenantHost(t.name);
    this.orgId = t.orgId;
    this.alias = ALIASES.tenant(t.name);
    this.containerName = this.naming.object(`tenant-${t.name}`);
    // Per tenant: adding a tenant never rotates another one's token.
    this.adminToken = new GeneratedSecret(
      this.child("admin-token"),
      { kind: "token", configured: t.adminToken },
      this.childOpts(),
    ).value;
    const envs = pulumi
      .all([args.postgres.internalUrl, this.adminToken, args.encryptionKey])
      .apply(([databaseUrl, adminToken, encryptionKey]) =>
        tenantEnv({
          alias: this.alias,
          databaseUrl,
          redisUrl: args.redis.internalUrl,
          cpStubUrl: args.cpStub.internalUrl,
          orgId: t.orgId,
          adminToken,
          encryptionKey,
          rateLimit: args.rateLimit,
          extraEnv: args.extraEnv,
        }),
      );
    ({ container: this.container, ready: this.ready } = serviceContainer(
      this.child("container"),
      {
        naming: this.naming,
        engine: args.engine,
        role: "tenant",
        containerName: this.containerName,
        image: args.image,
        networkName: args.networkName,
        aliases: [this.alias],
        dns: [args.sinkholeAddress],
        envs: pulumi.secret(envs),
        healthcheck: args.healthcheck,
        labels: { [LABEL_TENANT]: t.name, [LABEL_POSTGRES_ID]: args.postgres.container.id },
        waitTimeoutSeconds: args.waitTimeoutSeconds,
      },
      // Starts with everything else (no health-gated waves): production does not gate a tenant on
      // its database's health either, and the tenant retries Postgres and Redis at boot. The seed
      // waits until every container is healthy.
      this.childOpts(),
    ));
    this.done({ host: this.host, orgId: this.orgId, containerName: this.containerName });
  }
}
