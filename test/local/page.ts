/** Reading the local update page as a browser would: its HTML text and the fields it sends. */

export const unescapeHtml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The fields a browser would send for the page as shown (its update form, not the one-click "no change"). */
export function formOf(page: string): Record<string, string> {
  const html = page.replace(/<form [^>]*class="nochange"[\s\S]*?<\/form>/, '');
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1]!;
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    if (!name || (/type="radio"/.test(attrs) && !/ checked/.test(attrs))) continue;
    out[unescapeHtml(name)] = unescapeHtml(/value="([^"]*)"/.exec(attrs)?.[1] ?? '');
  }
  for (const m of html.matchAll(/<textarea [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g))
    out[unescapeHtml(m[1]!)] = unescapeHtml(m[2]!);
  for (const m of html.matchAll(/<select [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g))
    out[unescapeHtml(m[1]!)] = unescapeHtml(/<option value="([^"]*)" selected>/.exec(m[2]!)?.[1] ?? '');
  return out;
}
