/**
 * `npm run docs:config [-- --check]`: writes the config tables of README.md and docs/pulumi.md from
 * the schema (program/config/schema.ts), formatted as prettier formats the rest of the file. With
 * `--check`, writes nothing and exits 1 naming each file whose table is out of date.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as prettier from "prettier";
import { withConfigTable, type ConfigTable } from "../program/config/docs";

export const REPO_ROOT = resolve(__dirname, "..");
export const TABLE_FILES: [string, ConfigTable][] = [
  ["README.md", "readme"],
  ["docs/pulumi.md", "docs"],
];

/** Each file as it is, and as it should be. */
export async function configDocs(
  root = REPO_ROOT,
): Promise<{ file: string; current: string; wanted: string }[]> {
  return Promise.all(
    TABLE_FILES.map(async ([file, which]) => {
      const path = join(root, file);
      const current = readFileSync(path, "utf8");
      const options = (await prettier.resolveConfig(path)) ?? {};
      const wanted = await prettier.format(withConfigTable(current, which, file), {
        ...options,
        filepath: path,
      });
      return { file, current, wanted };
    }),
  );
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const stale = (await configDocs()).filter((d) => d.current !== d.wanted);
  if (check) {
    for (const d of stale)
      console.error(
        `${d.file}: the config table differs from program/config/schema.ts; run: npm run docs:config`,
      );
    process.exit(stale.length > 0 ? 1 : 0);
  }
  for (const d of stale) {
    writeFileSync(join(REPO_ROOT, d.file), d.wanted);
    console.log(`wrote the config table of ${d.file}`);
  }
  if (stale.length === 0) console.log("the config tables are up to date");
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
