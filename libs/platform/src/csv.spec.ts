import { describe, expect, it } from '@jest/globals';
import { csvRecord, parseCsv, toCsv } from './csv.js';

describe('toCsv (RFC 4180)', () => {
  it('quotes fields with commas, quotes or line breaks, doubles quotes, and ends every record with CRLF', () => {
    const sut = toCsv(['name', 'amount'], [['김밥천국, 강남점', 3000], ['"큰" 집', -500], ['두 줄\n주소', null], ['plain', 0]]);
    expect(sut).toBe('name,amount\r\n"김밥천국, 강남점",3000\r\n"""큰"" 집",-500\r\n"두 줄\n주소",\r\nplain,0\r\n');
  });
});

describe('csvRecord with formulaSafe', () => {
  it("prefixes text a spreadsheet would run with ', and leaves numbers and other text alone", () => {
    const sut = csvRecord(['=SUM(A1)', '+82', '-1', '@cmd', '\tx', '\ry', 'a=b', -500, 0], { formulaSafe: true });
    expect(sut).toBe(`'=SUM(A1),'+82,'-1,'@cmd,'\tx,"'\ry",a=b,-500,0\r\n`);
  });
});

describe('parseCsv', () => {
  it('reads a BOM, CRLF and LF, quoted commas, doubled quotes and line breaks, giving the line each record starts on', () => {
    const sut = parseCsv('\ufeffname,address\r\n"김밥, 본점","서울 ""중구""\n2층"\nplain,x\n\n"",\n');
    expect(sut).toEqual([
      { line: 1, fields: ['name', 'address'] },
      { line: 2, fields: ['김밥, 본점', '서울 "중구"\n2층'] },
      { line: 4, fields: ['plain', 'x'] },
      { line: 6, fields: ['', ''] },
    ]);
  });

  it('reads a last record without a line end', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([{ line: 1, fields: ['a', 'b'] }, { line: 2, fields: ['1', '2'] }]);
  });

  it('names the line of an unclosed quote or text after a closing quote', () => {
    expect(() => parseCsv('a\n"open\n')).toThrow('line 2: a quoted field is never closed');
    expect(() => parseCsv('a\n"x"y\n')).toThrow('line 2: text after a closing quote');
  });
});
