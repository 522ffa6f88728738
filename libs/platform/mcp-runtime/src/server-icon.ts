/** One icon of a server (MCP `Icon`). */
export interface ServerIcon {
  /** A `data:` URI or a URL on the server itself. */
  readonly src: string;
  readonly mimeType?: string;
  /** `WxH` or `any` (scalable). */
  readonly sizes?: readonly string[];
  readonly theme?: 'light' | 'dark';
}

/**
 * A server's icon as an SVG `data:` URI: a rounded square of `color` with `glyph` (one or two letters) on it. Inline,
 * so a client fetches nothing and no external host learns who uses which server.
 */
export function serverIcon(glyph: string, color: string): ServerIcon {
  if (!/^[A-Za-z]{1,2}$/.test(glyph) || !/^#[0-9a-fA-F]{6}$/.test(color)) throw new Error('serverIcon: glyph is one or two letters, color #rrggbb');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="${color}"/>` +
    `<text x="32" y="43" font-family="sans-serif" font-size="30" font-weight="700" fill="#ffffff" text-anchor="middle">${glyph}</text></svg>`;
  return Object.freeze({ src: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`, mimeType: 'image/svg+xml', sizes: Object.freeze(['any']) });
}
