import { connect, type Socket } from 'node:net';
import { eventually } from './eventually.js';

/** A raw connection that sends a request's head and part of its body, then as little as it likes. */
export interface SlowClient {
  socket: Socket;
  /** Everything the server sent back so far. */
  readonly received: string;
  /** True once the server closed the connection (or it failed). */
  readonly closed: boolean;
  /** Sends more of the body. */
  send(bytes: string): void;
  destroy(): void;
}

/**
 * Opens a connection to `port` and sends `POST path` (or another method) announcing `contentLength` bytes of body and `headers`, then
 * `firstBytes` of it, the way a client on a dying link (or an attacker) holds a request open. With `headersOnly`
 * it stops halfway through the head instead.
 */
export function slowClient(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; contentLength?: number; firstBytes?: string; headersOnly?: boolean } = {},
): Promise<SlowClient> {
  return new Promise((resolve, reject) => {
    let received = '';
    let closed = false;
    const socket = connect(port, '127.0.0.1', () => {
      const head = [`${options.method ?? 'POST'} ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Content-Length: ${options.contentLength ?? 1000}`, ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`)];
      socket.write(options.headersOnly ? `${head.join('\r\n')}\r\n` : `${head.join('\r\n')}\r\n\r\n${options.firstBytes ?? '{'}`);
      resolve({
        socket,
        get received() {
          return received;
        },
        get closed() {
          return closed;
        },
        send: (bytes) => socket.write(bytes),
        destroy: () => socket.destroy(),
      });
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => (closed = true));
    socket.on('error', (error) => (closed ? undefined : reject(error)));
  });
}

/** Sends what `next` gives (nothing once it gives undefined) every `everyMs` until the server closes the connection. */
export async function trickleUntilClosed(client: SlowClient, next: () => string | undefined, everyMs = 100): Promise<void> {
  const timer = setInterval(() => {
    const bytes = client.closed ? undefined : next();
    if (bytes !== undefined) client.send(bytes);
  }, everyMs);
  try {
    await eventually(async () => (client.closed ? true : undefined), 'the server to close the connection', 10_000);
  } finally {
    clearInterval(timer);
  }
}
