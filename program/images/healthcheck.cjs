// Docker HEALTHCHECK for Node images: exits 0 when the URL answers 2xx within 2 s, else 1.
// Plain CommonJS with no dependencies, so it runs on any Node base image as-is.
const url = process.argv[2];
if (!url) {
  console.error("usage: node healthcheck.js <url>");
  process.exit(2);
}
fetch(url, { signal: AbortSignal.timeout(2000) })
  .then((res) => process.exit(res.ok ? 0 : 1))
  .catch(() => process.exit(1));
