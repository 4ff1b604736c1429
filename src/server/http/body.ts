/** Read a request body up to a limit without buffering more than that (SPEC §3.3: 16 MiB → 413). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export async function readBodyText(request: Request, limit = MAX_BODY_BYTES): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) return undefined;
  if (!request.body) return '';
  // Declared and within the limit (the usual case): let the runtime read it in one go.
  if (Number.isFinite(declared) && request.headers.has('content-length')) return request.text();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}
