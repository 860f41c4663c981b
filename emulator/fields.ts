/**
 * Google's partial-response selector (`?fields=`): `a,b.c,d(e,f)`, `/` as a synonym of `.`,
 * `*` for every key at a level. Arrays are filtered element by element.
 */
import { badRequest } from './errors';

type Selection = Map<string, Selection | true>;

export function parseFields(text: string): Selection {
  let i = 0;
  const fail = (): never => {
    throw badRequest(`Invalid field selection ${text}`);
  };
  const list = (): Selection => {
    const sel: Selection = new Map();
    for (;;) {
      const path: string[] = [];
      for (;;) {
        const m = /^[A-Za-z0-9_*@$-]+/.exec(text.slice(i));
        const name = m?.[0] ?? '';
        if (name === '') fail();
        path.push(name);
        i += name.length;
        if (text[i] === '.' || text[i] === '/') {
          i++;
          continue;
        }
        break;
      }
      let leaf: Selection | true = true;
      if (text[i] === '(') {
        i++;
        leaf = list();
        if (text[i] !== ')') fail();
        i++;
      }
      let node = sel;
      path.forEach((name, k) => {
        const last = k === path.length - 1;
        const existing = node.get(name);
        if (last) {
          node.set(name, existing === true || leaf === true ? true : merge(existing, leaf));
          return;
        }
        if (existing === true) return;
        const next: Selection = existing ?? new Map();
        node.set(name, next);
        node = next;
      });
      if (text[i] === ',') {
        i++;
        continue;
      }
      return sel;
    }
  };
  const sel = list();
  if (i !== text.length) fail();
  return sel;
}

function merge(a: Selection | undefined, b: Selection): Selection {
  if (!a) return b;
  const out: Selection = new Map(a);
  for (const [k, v] of b) {
    const prev = out.get(k);
    out.set(k, prev === true || v === true ? true : merge(prev, v));
  }
  return out;
}

/** Keeps only the selected parts of a JSON value. */
export function applyFields(value: unknown, fields: string | undefined): unknown {
  if (fields === undefined || fields === '' || fields === '*') return value;
  return select(value, parseFields(fields));
}

function select(value: unknown, sel: Selection): unknown {
  if (Array.isArray(value)) return value.map((v) => select(v, sel));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const obj = value as Record<string, unknown>;
  const star = sel.get('*');
  for (const key of Object.keys(obj)) {
    const s = sel.get(key) ?? star;
    if (s === undefined) continue;
    out[key] = s === true ? obj[key] : select(obj[key], s);
  }
  return out;
}
