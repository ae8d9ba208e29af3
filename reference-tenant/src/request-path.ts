/** The percent-decoded path of a raw request URL (what Go's URL.Path holds), or null if undecodable. */
export function decodedPath(rawUrl: string): string | null {
  const path = rawUrl.split("?", 1)[0] ?? "";
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}
