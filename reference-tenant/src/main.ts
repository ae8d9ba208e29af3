/**
 * The tenant API process (bundled as dist/main.js). Exit codes: 0 after a clean shutdown on
 * SIGTERM/SIGINT, 1 when boot fails (the reason is the last line on stderr) or shutdown fails.
 */
import { join } from "node:path";
import { bootTenant } from "./boot";
import { readBakedGitSha } from "./build-info";

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  // The image writes GIT_SHA next to the bundle at build time; a source run has no such file.
  const booted = await bootTenant(process.env, { bakedGitSha: readBakedGitSha(join(__dirname, "GIT_SHA")) });
  booted.app.log.info({ url: booted.url, git_sha: booted.config.gitSha }, "tenant: listening");
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    booted.app.log.info({ signal }, "tenant: shutting down");
    // A long proxied stream must not keep the container from stopping.
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    booted.close().then(
      () => process.exit(0),
      (error: unknown) => {
        booted.app.log.error({ err: error }, "tenant: shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`tenant: boot failed: ${message}\n`);
  process.exit(1);
});
