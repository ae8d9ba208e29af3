/**
 * Host-side bundles the locally built images copy in (program/images/bundle.ts): produced before the images
 * are declared, so a fresh clone's `pulumi up` needs no separate build step. Deterministic and only
 * rewriting changed bytes: unchanged sources → byte-identical build context → no rebuild.
 * Runs on preview too (host files only, nothing touches Docker), so the provider's context hash —
 * and therefore the previewed diff — matches what `up` will do.
 */
import { bundleService, type ServiceName } from "./bundle";
import type { TenantImageSource } from "../config/schema";

export function servicesToBundle(tenant: TenantImageSource): ServiceName[] {
  return tenant.kind === "reference" ? ["cp-stub", "sinkhole", "tenant"] : ["cp-stub", "sinkhole"];
}

/** Bundles what the stack builds; returns service → content hash. Throws with the service named. */
export function prepareBundles(tenant: TenantImageSource, repoRoot: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const service of servicesToBundle(tenant)) {
    try {
      hashes[service] = bundleService(service, repoRoot);
    } catch (error) {
      throw new Error(`bundling ${service} for its image failed: ${(error as Error).message}`);
    }
  }
  return hashes;
}
