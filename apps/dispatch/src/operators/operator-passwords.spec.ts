import { describe, expect, it } from '@jest/globals';
import { hashPassword, verifyPassword } from './operator-passwords.js';

describe('operator passwords', () => {
  it('verifies the password a hash was made from and no other, with a new salt every time', async () => {
    const first = await hashPassword('한강-야간-배차-2026');
    const second = await hashPassword('한강-야간-배차-2026');
    expect(first).toMatch(/^scrypt\$17\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(second).not.toBe(first);
    expect(await verifyPassword('한강-야간-배차-2026', first)).toBe(true);
    expect(await verifyPassword('한강-야간-배차-2027', first)).toBe(false);
    expect(await verifyPassword('한강-야간-배차-2026', 'sha256$abc')).toBe(false);
  });
});
