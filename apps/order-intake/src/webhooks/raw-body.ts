import type { IncomingMessage } from 'node:http';
import { DomainError } from '#platform';

function tooLarge(limit: number): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', `request body is larger than ${limit} bytes`, { limitBytes: limit });
}

/**
 * Reads the exact bytes of a request body, which the signature is computed over. A declared Content-Length
 * over the limit is refused before reading anything; a body that grows past the limit while streaming
 * (chunked) is refused as soon as it does; the rest is read and dropped, never buffered.
 */
export function readRawBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const fail = (error: unknown) => {
      cleanup();
      // Discard, without keeping, whatever the client still sends, so it finishes sending and reads the answer.
      request.resume();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) fail(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (error: Error) => fail(error);
    const onClose = () => {
      if (!request.complete) fail(new Error('client closed the connection before sending the whole body'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}
