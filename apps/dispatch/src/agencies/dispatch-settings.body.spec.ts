import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateContract } from '#contracts';
import { loadConfig } from '#config';
import { DispatchSettingsBody } from './dto/dispatch-settings.body.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('broadcast size limits', () => {
  it('takes 1 to 50 riders from an agency and from DISPATCH_BROADCAST_SIZE alike', () => {
    for (const broadcastSize of [1, 50]) expect(validateContract(DispatchSettingsBody, { broadcastSize }).ok).toBe(true);
    for (const broadcastSize of [0, 51]) {
      expect(validateContract(DispatchSettingsBody, { broadcastSize })).toEqual({
        ok: false,
        errors: [{ field: 'broadcastSize', value: broadcastSize, reason: 'must be from 1 to 50' }],
      });
    }
    expect(loadConfig({ DISPATCH_BROADCAST_SIZE: '50' }).dispatch.broadcastSize).toBe(50);
    expect(() => loadConfig({ DISPATCH_BROADCAST_SIZE: '51' })).toThrow(/DISPATCH_BROADCAST_SIZE="51": must be an integer from 1 to 50/);
  });

  it('is stated as 1 to 50 wherever the docs state it', () => {
    const stated = ['README.md', 'docs/agency-api.md', 'docs/rider-protocol.md'].flatMap((file) =>
      [...readFileSync(path.join(root, file), 'utf8').matchAll(/(?:broadcastSize|BROADCAST_SIZE)`[^\n]{0,100}?\b(\d+)\s*(?:to|–)\s*(\d+)/g)].map((m) => [file, `${m[1]}–${m[2]}`]),
    );
    expect(stated.length).toBeGreaterThanOrEqual(3);
    for (const [file, range] of stated) expect([file, range]).toEqual([file, '1–50']);
  });
});
