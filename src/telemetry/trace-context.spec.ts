import { callerTraceHeaders, parseTraceparent } from './trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent (W3C Trace Context)', () => {
  it('reads a valid version-00 header', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
    });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.sampled).toBe(true);
  });

  it('accepts a later version with more fields, as the spec asks', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-what-comes-next`)?.traceId).toBe(TRACE);
  });

  it.each([
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['extra fields in version 00', `00-${TRACE}-${SPAN}-01-extra`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['an all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['no flags', `00-${TRACE}-${SPAN}`],
    ['garbage', 'not a traceparent at all, but long enough to pass the length check'],
    ['an absurd length', `01-${TRACE}-${SPAN}-01-${'x'.repeat(1000)}`],
    ['nothing', undefined],
  ])('refuses %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});

describe('callerTraceHeaders', () => {
  it('passes traceparent and tracestate on unchanged', () => {
    expect(
      callerTraceHeaders({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'a=1,b=2' }),
    ).toEqual({
      parent: { traceId: TRACE, spanId: SPAN, sampled: true },
      headers: { traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'a=1,b=2' },
    });
  });

  it('passes nothing on for an invalid traceparent, whatever the tracestate', () => {
    expect(callerTraceHeaders({ traceparent: 'bogus', tracestate: 'a=1' })).toBeUndefined();
    expect(callerTraceHeaders({})).toBeUndefined();
  });
});
