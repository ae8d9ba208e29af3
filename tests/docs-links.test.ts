/**
 * Every doc reference in the repository points at a doc in the repository (docs/README.md#how-to-cite-a-doc):
 * - `docs/<file>.md` and `docs/<file>.md#<anchor>`, in any file, from the repository root;
 * - relative Markdown links to `.md` files (and `#anchor` links within one), from the linking file;
 * - no bare `§` section number (an RFC's excepted) and no citation of the spec documents that live
 *   outside the repository.
 * A failure names file:line and what is wrong with the reference.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, posix, relative } from "node:path";
import { describe, test } from "node:test";
import fg from "fast-glob";

const ROOT = join(__dirname, "..");

/** Reads a repository file by its path from the root; undefined when there is no such file. */
type ReadDoc = (repoPath: string) => string | undefined;

/** A heading's anchor as GitHub renders it: lower case, punctuation dropped, each space a `-`. */
export function slug(heading: string): string {
  const text = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors a Markdown text defines: its headings (outside code fences, duplicates numbered) and `<a id|name>`. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const f = /^\s*(```|~~~)/.exec(line);
    if (f) {
      if (fence === undefined) fence = f[1];
      else if (f[1] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(a[1]);
  }
  return anchors;
}

// Built from parts so that this file does not itself match a grep for the names it forbids.
const OUTSIDE_SPECS = new RegExp(
  ["PROJECT", "ANCHOR", "FIDELITY", "PULUMI-FROM"]
    .map((p, i) => p + ["-SPEC", "-HARNESS", "-AUDIT", "-GO"][i])
    .join("|"),
);
const SECTION = /§+\s*\d/g;
const PLAIN_REF = /(?<![\w./-])(docs\/[\w./-]*?\.md)(?:#([\w-]*))?/g;
const MD_LINK = /\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;

/** Problems with the doc references in one file's text, each `file:line: what`. */
export function checkText(file: string, text: string, readDoc: ReadDoc): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string> | undefined>();
  const anchors = (repoPath: string): Set<string> | undefined => {
    if (!anchorCache.has(repoPath)) {
      const doc = readDoc(repoPath);
      anchorCache.set(repoPath, doc === undefined ? undefined : anchorsOf(doc));
    }
    return anchorCache.get(repoPath);
  };
  const checkTarget = (line: number, shown: string, repoPath: string, anchor: string | undefined): void => {
    const where = `${file}:${line}`;
    const found = anchors(repoPath);
    if (found === undefined) problems.push(`${where}: ${shown}: no such doc (${repoPath})`);
    else if (anchor !== undefined && !found.has(anchor))
      problems.push(`${where}: ${shown}: ${repoPath} has no heading with the anchor #${anchor}`);
  };
  const isMarkdown = file.endsWith(".md");
  const lines = text.split("\n");
  let fenced = false;
  lines.forEach((content, i) => {
    const line = i + 1;
    if (OUTSIDE_SPECS.test(content))
      problems.push(
        `${file}:${line}: cites a spec document outside the repository; cite docs/<file>.md#<anchor>`,
      );
    for (const m of content.matchAll(SECTION)) {
      const before = (lines[i - 1] ?? "") + "\n" + content.slice(0, m.index);
      if (!/RFC\s*\d+[^§]*$/.test(before))
        problems.push(
          `${file}:${line}: bare section number "${m[0]}…" points nowhere; cite docs/<file>.md#<anchor>`,
        );
    }
    for (const m of content.matchAll(PLAIN_REF)) checkTarget(line, m[0], posix.normalize(m[1]), m[2]);
    if (!isMarkdown) return;
    if (/^\s*(```|~~~)/.test(content)) fenced = !fenced;
    if (fenced) return;
    for (const m of content.matchAll(MD_LINK)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, mailto:, …
      const [path, anchor] = target.split("#", 2) as [string, string | undefined];
      if (path === "") {
        checkTarget(line, m[0], file, anchor);
        continue;
      }
      if (!path.endsWith(".md")) continue;
      const repoPath = posix.normalize(posix.join(posix.dirname(file), decodeURI(path)));
      if (repoPath.startsWith("../"))
        problems.push(`${file}:${line}: ${m[0]}: points outside the repository`);
      else checkTarget(line, m[0], repoPath, anchor);
    }
  });
  return problems;
}

/**
 * Every file of the repository as paths from the root: what git knows in the working tree (tracked, or
 * new and not ignored); without git (an exported tree), every file outside what .gitignore names.
 */
function repositoryFiles(): string[] {
  let files: string[];
  try {
    const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
    files = out.split("\0");
  } catch {
    files = fg.sync("**/*", {
      cwd: ROOT,
      dot: true,
      ignore: [
        ".git/**",
        "node_modules/**",
        "bin/**",
        ".harness/**",
        ".pulumi/**",
        "**/dist/**",
        ".engine-test-*/**",
      ],
    });
  }
  return [...new Set(files)].filter((f) => f !== "" && f !== "package-lock.json").sort();
}

function readRepoFile(repoPath: string): string | undefined {
  const abs = join(ROOT, normalize(repoPath));
  if (relative(ROOT, abs).startsWith("..") || !existsSync(abs) || !statSync(abs).isFile()) return undefined;
  return readFileSync(abs, "utf8");
}

describe("doc references", () => {
  test("every reference in the repository names a doc and an anchor that exist", () => {
    const files = repositoryFiles();
    assert.ok(files.includes("docs/anchor.md") && files.includes("docs/design.md"), "the docs are listed");
    const problems: string[] = [];
    let checked = 0;
    for (const file of files) {
      const abs = join(ROOT, file);
      if (!existsSync(abs) || !statSync(abs).isFile() || dirname(file).split("/").includes("node_modules"))
        continue;
      const bytes = readFileSync(abs);
      if (bytes.includes(0)) continue; // binary
      problems.push(...checkText(file, bytes.toString("utf8"), readRepoFile));
      checked++;
    }
    assert.ok(checked > 100, `scanned ${checked} files`);
    assert.deepEqual(problems, [], `broken doc references:\n${problems.join("\n")}`);
  });

  test("the checker reports a missing doc, a missing anchor, a bare section number and a broken link, by file:line", () => {
    // Spelled indirectly so that the repository scan above does not read these samples as references.
    const d = ["docs", ""].join("/");
    const sect = "\u00a7";
    const docs: Record<string, string> = {
      [`${d}a.md`]: "# A\n\n## The guard\n\n```\n## not a heading\n```\n\n## The guard\n",
      "reference-tenant/README.md": "# Tenant\n## Bodies and codes\n",
    };
    assert.deepEqual([...anchorsOf(docs[`${d}a.md`])], ["a", "the-guard", "the-guard-1"]);
    const read: ReadDoc = (p) => docs[p];
    const code = [
      `// fine: ${d}a.md#the-guard and ${d}a.md and RFC 9110 ${sect}15.5.20`,
      `// ${d}b.md#x`,
      `// ${d}a.md#not-a-heading`,
      `// as in ${sect}9.2`,
    ].join("\n");
    assert.deepEqual(checkText("x.ts", code, read), [
      `x.ts:2: ${d}b.md#x: no such doc (${d}b.md)`,
      `x.ts:3: ${d}a.md#not-a-heading: ${d}a.md has no heading with the anchor #not-a-heading`,
      `x.ts:4: bare section number "${sect}9…" points nowhere; cite docs/<file>.md#<anchor>`,
    ]);
    const up = ["..", d].join("/");
    const md = [
      `[ok](${up}a.md#the-guard), [ok](README.md#bodies-and-codes), [web](https://x.test/y.md#z)`,
      `[bad](${up}a.md#guard) [gone](nothing.md) [self](#tenant)`,
      "```",
      "[inside a fence](nowhere.md)",
      "```",
    ].join("\n");
    assert.deepEqual(checkText("reference-tenant/README.md", md, read), [
      `reference-tenant/README.md:2: [bad](${up}a.md#guard): ${d}a.md has no heading with the anchor #guard`,
      "reference-tenant/README.md:2: [gone](nothing.md): no such doc (reference-tenant/nothing.md)",
    ]);
    assert.equal(
      slug("Config coherence with production (`npm run lint:config`)"),
      "config-coherence-with-production-npm-run-lintconfig",
    );
    assert.equal(slug("Against a stack that is up: `--stack`"), "against-a-stack-that-is-up---stack");
  });
});
