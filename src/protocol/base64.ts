/**
 * Base64 of bytes for blob contents and binary tool results. Uses Node's Buffer when it is there
 * (fast, native) and `btoa` on other runtimes (Workers, Deno), so the core runs on both.
 */
export function toBase64(bytes: Uint8Array): string {
  const nodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  if (nodeBuffer) return nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
