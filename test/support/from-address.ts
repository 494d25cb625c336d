import http from 'node:http';

export interface AddressedAnswer {
  status: number;
  retryAfter?: string;
  body: { error?: { code: string; details?: { retryAfterSeconds?: number } } };
}

/**
 * A GET sent from one address of this machine's loopback range (127.0.0.0/8), so that tests limiting clients by
 * address can each play a client of their own.
 */
export function getFrom(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<AddressedAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.get(new URL(url), { localAddress, headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, retryAfter: response.headers['retry-after'], body: JSON.parse(text) }));
    });
    request.on('error', reject);
  });
}
