import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Where Debian's postgresql package keeps its server binaries (/usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => existsSync(join(root, d, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) {
    throw new Error(
      "PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin. " +
        "Install them with `apt-get install -y postgresql` (tests start throwaway servers from them).",
    );
  }
  return join(root, majors[0], "bin");
}

/** Finds an executable on PATH or in the usual sbin folders, or explains how to install it. */
export function requireBinary(name: string, aptPackage: string): string {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin", "/sbin"];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(`\`${name}\` not found. Install it with \`apt-get install -y ${aptPackage}\`.`);
}
