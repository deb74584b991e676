import fc from 'fast-check';
import { parseCsv } from '../../test/support/csv.js';
import { usageRecord } from '../../test/support/usage.js';
import {
  acceptsCsv,
  csvCell,
  USAGE_CSV_COLUMNS,
  USAGE_CSV_HEADER,
  usageCsvLine,
} from './usage-csv.js';
import { toEntry } from './usage.service.js';

describe('csvCell', () => {
  it.each([
    [null, ''],
    [true, 'true'],
    [false, 'false'],
    [0, '0'],
    [1234, '1234'],
    [8.4e-7, '0.00000084'],
    [1e-9, '0.000000001'],
    [12.5, '12.5'],
    [Number.NaN, ''],
    ['gpt-4o', 'gpt-4o'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rlf', '"cr\rlf"'],
    ['=1+2', "'=1+2"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['a=b', 'a=b'],
  ])('writes %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('reads back as the text, with a leading quote where a formula could start (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.string(), (a, b) => {
        const [row] = parseCsv(`${csvCell(a)},${csvCell(b)}\r\n`);
        const expected = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
        expect(row).toEqual([expected(a), expected(b)]);
      }),
    );
  });
});

describe('usage CSV lines', () => {
  it('has one column per entry field, header and rows alike', () => {
    const entry = toEntry(usageRecord({ model: 'x,"y"\n=z', user: '@me' }));
    expect(USAGE_CSV_COLUMNS).toEqual(Object.keys(entry));
    const [header, row] = parseCsv(USAGE_CSV_HEADER + usageCsvLine(entry));
    expect(header).toEqual(Object.keys(entry));
    expect(row[header.indexOf('model')]).toBe('x,"y"\n=z');
    expect(row[header.indexOf('user')]).toBe("'@me");
    expect(row[header.indexOf('cost_usd')]).toBe('0.0000084');
  });
});

describe('acceptsCsv', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['application/json', false],
    ['*/*', false],
    ['text/csv', true],
    ['Text/CSV; charset=utf-8', true],
    ['application/json, text/csv;q=0.5', true],
    ['text/csv;q=0', false],
    ['text/csv; q=0.000, application/json', false],
    ['text/csvx', false],
  ])('%j → %j', (accept, expected) => {
    expect(acceptsCsv(accept)).toBe(expected);
  });
});
