// A request's whole body, up to a limit: past it the body is still drained (so the answer can be
// written) but not kept, and the promise rejects with the error `tooLarge` makes of its size.
import type { IncomingMessage } from 'node:http';

export function readBody(req: IncomingMessage, maxBytes: number, tooLarge: (size: number) => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBytes) reject(tooLarge(size));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}
