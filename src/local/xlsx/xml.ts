/**
 * The little XML the package layer needs: attributes of one start tag, text with entities and
 * OOXML's `_xHHHH_` escapes decoded, and text escaped for writing. Parts are scanned, not parsed
 * into trees, so that everything we do not change is copied as it was.
 */

const ATTRIBUTE = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** The attributes of a start tag's text (`<c r="A1" s="3">` or just `r="A1" s="3"`). */
export function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(ATTRIBUTE)) out[m[1]!] = unescapeXml(m[2] ?? m[3] ?? '');
  return out;
}

/** An attribute whose local name is `local`, whatever its prefix (`r:id`, `relationships:id`). */
export function attributeByLocalName(attrs: Record<string, string>, local: string): string | undefined {
  for (const [k, v] of Object.entries(attrs)) if (k === local || k.endsWith(`:${local}`)) return v;
  return undefined;
}

const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(
    ENTITY,
    (whole, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
      if (name) return NAMED[name]!;
      const code = dec ? Number(dec) : Number.parseInt(hex!, 16);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

/**
 * ECMA-376 Part 1, 22.9.2.19 ST_Xstring: characters XML cannot carry are written `_xHHHH_`, and a
 * literal `_xHHHH_` is written with its underscore escaped (`_x005F_xHHHH_`).
 */
export function decodeXstring(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Cell text as element content: entities for markup, `_xHHHH_` for what XML 1.0 cannot hold. */
export function escapeText(s: string): string {
  return s
    .replace(/_x(?=[0-9A-Fa-f]{4}_)/g, '_x005F_x')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(
      // Control characters other than tab, newline and carriage return; lone surrogates; U+FFFE/F.
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      (ch) => `_x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`,
    );
}

export function escapeAttribute(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

/**
 * The text of a string item (`<si>` or `<is>`): its `<t>` runs joined, phonetic guides
 * (`<rPh>`) left out. `p` is the namespace prefix of the part ('' or 'x:').
 */
export function stringItemText(xml: string, p: string): string {
  const body = xml.includes('rPh')
    ? xml.replace(new RegExp(`<${p}rPh\\b[\\s\\S]*?</${p}rPh>`, 'g'), '')
    : xml;
  let out = '';
  const run = new RegExp(`<${p}t(?:\\s[^>]*)?>([\\s\\S]*?)</${p}t>`, 'g');
  for (const m of body.matchAll(run)) out += m[1];
  return decodeXstring(unescapeXml(out));
}

/** The namespace prefix (`''` or `'x:'`) of a part's root element named `local`. */
export function prefixOf(xml: string, local: string): string {
  const m = new RegExp(`<(\\w+:)?${local}[\\s>]`).exec(xml);
  return m?.[1] ?? '';
}

/** A1 column letters → 1-based column number. */
export function columnNumber(letters: string): number {
  let n = 0;
  for (let i = 0; i < letters.length; i++) n = n * 26 + (letters.charCodeAt(i) - 64);
  return n;
}

/** 1-based column number → A1 letters. */
export function columnLetters(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}
