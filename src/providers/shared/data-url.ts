/** A `data:` URL split into its parts (RFC 2397). */
export interface DataUrl {
  /** Lower-cased, without parameters; `''` when the URL names none. */
  mediaType: string;
  /** True when the URL says `;base64` just before the comma. */
  base64: boolean;
  /** The payload after the comma, as it is (still encoded). */
  data: string;
}

/**
 * `data:[<media type>][;param=value…][;base64],<data>` → its parts; null when the URL is
 * not a `data:` URL at all. Whether a translator can use it (base64 only, which types)
 * is each translator's own rule.
 */
export function parseDataUrl(url: string): DataUrl | null {
  const m = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!m) return null;
  const params = m[2].split(';');
  return {
    mediaType: m[1].trim().toLowerCase(),
    base64: params[params.length - 1].trim().toLowerCase() === 'base64',
    data: m[3],
  };
}
