/**
 * For the config-lint tests: a scratch checkout the lint can run on (Pulumi.yaml, a stack file, the
 * replays folder the config needs, the reference tenant's Dockerfile), and the fixtures.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { stringify } from "yaml";

export const REPO_ROOT = resolve(__dirname, "..", "..");
export const FIXTURES = join(__dirname, "fixtures");
export const fixture = (path: string): string => join(FIXTURES, path);

export interface ScratchRoot {
  root: string;
  /** Writes a file under the root (creating folders). */
  write(path: string, text: string): string;
  /** Writes Pulumi.<stack>.yaml with this `config:` (full keys, e.g. `harness:tenants`). */
  stack(config: Record<string, unknown>, stack?: string): void;
  dispose(): void;
}

export function scratchRoot(config: Record<string, unknown> = {}, stack = "harness"): ScratchRoot {
  const root = mkdtempSync(join(tmpdir(), "config-lint-"));
  const write = (path: string, text: string) => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  write("Pulumi.yaml", "name: harness\nruntime: nodejs\n");
  mkdirSync(join(root, "replays"));
  mkdirSync(join(root, "reference-tenant"));
  copyFileSync(
    join(REPO_ROOT, "reference-tenant", "Dockerfile"),
    join(root, "reference-tenant", "Dockerfile"),
  );
  const s: ScratchRoot = {
    root,
    write,
    stack: (cfg, name = stack) => void write(`Pulumi.${name}.yaml`, stringify({ config: cfg })),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
  s.stack(config);
  return s;
}

/** Production's env for the default two-tenant stack, coherent with the harness (as a dotenv file). */
export const COHERENT_DOTENV = [
  "PORT=8080",
  "PLATFORM_URL=https://acme.moleculesai.app",
  "DATABASE_URL=postgres://tenant:prodpass@db.prod.internal:5432/molecule",
  "REDIS_URL=redis://redis.prod.internal:6379",
  "MOLECULE_ENV=production",
  "MOLECULE_ORG_ID=acme",
  "ADMIN_TOKEN=prod-admin-token-0123456789",
  "SECRETS_ENCRYPTION_KEY=prod-encryption-key-0123456789ab",
  "CP_UPSTREAM_URL=https://api.moleculesai.app",
  "MOLECULE_CP_URL=https://api.moleculesai.app",
  "CP_PROVISION_URL=https://api.moleculesai.app",
  "CANVAS_PROXY_URL=http://localhost:3000",
  "MOLECULE_LLM_USAGE_URL=https://api.moleculesai.app/llm/usage",
  "MOLECULE_LLM_BASE_URL=https://api.moleculesai.app/llm/openai/v1",
  "MOLECULE_LLM_ANTHROPIC_BASE_URL=https://api.moleculesai.app/llm/anthropic/v1",
  "MOLECULE_LLM_USAGE_TOKEN=prod-llm-usage-token-0123",
].join("\n");
