import { diagMessage } from './otel-tracing.js';

describe('diagMessage', () => {
  it('keeps the message and code of a serialised export error, never its stack', () => {
    const serialised = JSON.stringify({
      stack: 'Error: connect ECONNREFUSED 127.0.0.1:4318\n    at TCPConnectWrap.afterConnect',
      message: 'connect ECONNREFUSED 127.0.0.1:4318',
      code: 'ECONNREFUSED',
    });
    expect(diagMessage(serialised)).toBe('connect ECONNREFUSED 127.0.0.1:4318 (ECONNREFUSED)');
  });

  it('keeps one short line of anything else', () => {
    expect(diagMessage('Export failed\n    at somewhere')).toBe('Export failed');
    expect(diagMessage('{not json')).toBe('{not json');
    expect(diagMessage('x'.repeat(1000))).toHaveLength(301);
  });
});
