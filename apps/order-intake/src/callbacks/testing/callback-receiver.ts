import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the restaurant's server got it, and whether its signature held. */
export interface ReceivedCallback {
  webhookId: string;
  timestamp: string;
  signature: string;
  contentType: string | undefined;
  body: string;
  json: Record<string, unknown>;
  /** Checked with the restaurant's secret, by this file's own HMAC, as a restaurant would check it. */
  verified: boolean;
  /** What the server answered: a status, or `hang` for never. */
  answer: number | 'hang';
}

/** How the server answers the next request. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  /** Decides each answer; 204 unless replaced. May be async (e.g. to look at the database mid-request). */
  respond: (callback: ReceivedCallback) => Answer | Promise<Answer>;
  close(): Promise<void>;
}

/**
 * Standard Webhooks verification, written out here rather than borrowed from the code under test: the key is the
 * base64 after `whsec_`, the content `{id}.{timestamp}.{body}`, and one `v1,<base64>` entry must match.
 */
export function verifies(secret: string, id: string, timestamp: string, body: string, signatureHeader: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatureHeader.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** A restaurant's callback endpoint on a free loopback port (node:http), verifying with `secret`. */
export async function startCallbackReceiver(secret: string): Promise<CallbackReceiver> {
  const receiver: CallbackReceiver = {
    url: '',
    received: [],
    respond: () => ({ status: 204 }),
    close: async () => undefined,
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => String(request.headers[name] ?? '');
        const callback: ReceivedCallback = {
          webhookId: header('webhook-id'),
          timestamp: header('webhook-timestamp'),
          signature: header('webhook-signature'),
          contentType: request.headers['content-type'],
          body,
          json: JSON.parse(body) as Record<string, unknown>,
          verified: verifies(secret, header('webhook-id'), header('webhook-timestamp'), body, header('webhook-signature')),
          answer: 204,
        };
        const answer = await receiver.respond(callback);
        callback.answer = answer === 'hang' ? 'hang' : answer.status;
        receiver.received.push(callback);
        if (answer === 'hang') return;
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body ?? '');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/baecha/callbacks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
