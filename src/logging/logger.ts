import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * JSON logs on stdout. Headers and bodies are never logged; the redact list is a second
 * line of defence for anything that slips into a log object.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          'headers',
          '*.headers',
          'api_key',
          '*.api_key',
          'apiKey',
          '*.apiKey',
          'key',
          '*.key',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 }),
  );
}
