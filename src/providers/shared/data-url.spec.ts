import fc from 'fast-check';
import { parseDataUrl } from './data-url.js';

describe('parseDataUrl', () => {
  it.each([
    ['data:Image/PNG;base64,AAAA', 'image/png', true, 'AAAA'],
    ['data:text/plain;charset=utf-8,hi', 'text/plain', false, 'hi'],
    // parameters before ;base64 are skipped
    ['data:Application/PDF;name=a.pdf;base64,JVBERi0=', 'application/pdf', true, 'JVBERi0='],
    // RFC 2397: ;base64 counts only as the last parameter, in any case
    ['data:image/png;base64;name=a,AAAA', 'image/png', false, 'AAAA'],
    ['data:image/png;BASE64,AAAA', 'image/png', true, 'AAAA'],
    // a missing type and an empty payload are kept for the caller to judge
    ['data:;base64,AAAA', '', true, 'AAAA'],
    ['data:image/png;base64,', 'image/png', true, ''],
  ])('splits %s', (url, mediaType, base64, data) => {
    expect(parseDataUrl(url)).toEqual({ mediaType, base64, data });
  });

  it('is null for anything that is not a data: URL', () => {
    expect(parseDataUrl('https://example.com/a.png')).toBeNull();
    expect(parseDataUrl('data:image/png;base64')).toBeNull();
  });

  it('returns the payload unchanged, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string(), fc.boolean(), (data, base64) => {
        const url = `data:image/png${base64 ? ';base64' : ''},${data}`;
        expect(parseDataUrl(url)).toEqual({ mediaType: 'image/png', base64, data });
      }),
    );
  });
});
