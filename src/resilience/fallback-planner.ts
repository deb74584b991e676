const NONE: readonly string[] = [];

/**
 * The fallback targets configured for a request: by the model as requested (a model
 * name or alias), else by the `provider/model` it resolved to.
 */
export function fallbacksFor(
  fallbacks: Readonly<Record<string, readonly string[]>>,
  requested: string,
  resolved: () => string,
): readonly string[] {
  if (Object.hasOwn(fallbacks, requested)) return fallbacks[requested];
  const key = resolved();
  return Object.hasOwn(fallbacks, key) ? fallbacks[key] : NONE;
}
