/** Reads at most `limit` bytes of a response body as UTF-8 and discards the rest (CP bodies are untrusted). */
export async function readCapped(
  body: AsyncIterable<Buffer> & { destroy?: () => unknown },
  limit: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk.subarray(0, Math.max(0, limit - size)));
    size += chunk.length;
    if (size > limit) {
      body.destroy?.();
      break;
    }
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated: size > limit };
}
