/**
 * report.html in a real browser: Debian's headless Chromium driven by playwright-core (never a
 * downloaded browser). A report with one failure, opened with JavaScript off and on: the failure —
 * its name, message and a container log line of its window — is visible on screen, the page asks the
 * network for nothing but itself, and logs no console error (a Content-Security-Policy violation
 * would be one). A full-page screenshot per mode goes to .harness/test-artifacts/report-html/, its
 * path printed in the test log for CI to keep.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { REPO_ROOT } from "../test-support/fixtures";
import { FAIL_MESSAGE, FAIL_NAME, LOG_LINE, reportInputs } from "../test-support/report-fixture";
import { renderHtmlReport } from "./html";
import { buildReportData } from "./report-data";

/** Debian's chromium; HARNESS_CHROMIUM points elsewhere. */
const CHROMIUM = process.env.HARNESS_CHROMIUM ?? "/usr/bin/chromium";
/** The flags known to work on these machines (ENVIRONMENT.md). */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];
const OUT = join(REPO_ROOT, ".harness", "test-artifacts", "report-html");

describe("report.html in headless Chromium", () => {
  let browser: Promise<Browser> | undefined;
  let file: string;

  /** Fails (never skips) without the browser: the report's promise is that it reads in one. */
  function launch(): Promise<Browser> {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: install Debian's chromium (\`apt-get install -y chromium\`; .ci/run does). ` +
        "This test never downloads a browser.",
    );
    return (browser ??= chromium.launch({ executablePath: CHROMIUM, args: FLAGS }));
  }

  before(() => {
    mkdirSync(OUT, { recursive: true });
    file = join(OUT, "report.html");
    writeFileSync(file, renderHtmlReport(buildReportData(reportInputs())));
  });
  after(async () => (await browser?.catch(() => undefined))?.close());

  for (const javaScriptEnabled of [false, true]) {
    const mode = javaScriptEnabled ? "js-on" : "js-off";
    test(`JavaScript ${javaScriptEnabled ? "on" : "off"}: the failure is on screen, no request, no console error`, async (t) => {
      const context = await (
        await launch()
      ).newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
      try {
        const page = await context.newPage();
        const url = pathToFileURL(file).href;
        const requests: string[] = [];
        const errors: string[] = [];
        page.on("request", (request) => requests.push(request.url()));
        page.on("console", (message) => {
          if (message.type() === "error") errors.push(message.text());
        });
        page.on("pageerror", (error) => errors.push(error.message));
        // Anything but the file itself is refused before it leaves.
        await page.route("**/*", (route) =>
          route.request().url() === url ? route.continue() : route.abort("blockedbyclient"),
        );
        await page.goto(url, { waitUntil: "load" });

        const failure = page.locator("#failure-1");
        assert.ok(await failure.locator("h3").isVisible(), "the failure's heading is visible");
        assert.equal((await failure.locator("h3").innerText()).replace(/^FAIL\s+/, ""), FAIL_NAME);
        const message = failure.locator(".message");
        assert.ok(await message.isVisible(), "its message is visible");
        assert.match(
          await message.innerText(),
          new RegExp(`^${escapeRe(FAIL_MESSAGE.replace("\u0007", "\\x07"))}`),
        );
        const log = failure.locator("pre", { hasText: LOG_LINE });
        assert.ok(await log.isVisible(), "the container log line of its window is visible");
        assert.ok(await page.getByText("Gate failed: 2 passed, 1 failed, 2 skipped").isVisible());
        assert.equal(await page.locator("script").count(), 0, "no script on the page");

        assert.deepEqual(requests, [url], "the page asked for nothing but itself");
        assert.deepEqual(errors, [], "no console error");

        const png = join(OUT, `report-${mode}.png`);
        await page.screenshot({ path: png, fullPage: true });
        t.diagnostic(`screenshot (CI artifact): ${png}`);
      } finally {
        await context.close();
      }
    });
  }
});

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
