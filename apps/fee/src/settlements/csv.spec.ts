import { describe, expect, it } from '@jest/globals';
import { toCsv } from './csv.js';

describe('toCsv (RFC 4180)', () => {
  it('quotes fields with commas, quotes or line breaks, doubles quotes, and ends every record with CRLF', () => {
    const sut = toCsv(['name', 'amount'], [['김밥천국, 강남점', 3000], ['"큰" 집', -500], ['두 줄\n주소', null], ['plain', 0]]);
    expect(sut).toBe('name,amount\r\n"김밥천국, 강남점",3000\r\n"""큰"" 집",-500\r\n"두 줄\n주소",\r\nplain,0\r\n');
  });
});
