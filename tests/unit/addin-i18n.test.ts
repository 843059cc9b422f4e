// Every language has exactly the Danish keys, and no string is empty.
import { da } from '../../addin/src/i18n/da';
import { en } from '../../addin/src/i18n/en';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const languages: Record<string, Map<string, string>> = { da: flatten(da), en: flatten(en) };

describe('add-in translations', () => {
  test('en has exactly the keys of da', () => {
    const daKeys = [...languages.da.keys()].sort();
    const enKeys = [...languages.en.keys()].sort();
    expect(enKeys.filter((k) => !languages.da.has(k))).toEqual([]); // extra in en
    expect(daKeys.filter((k) => !languages.en.has(k))).toEqual([]); // missing in en
    expect(enKeys).toEqual(daKeys);
  });

  test.each(Object.keys(languages))('%s has no empty strings', (lng) => {
    const empty = [...languages[lng].entries()].filter(([, v]) => v.trim() === '').map(([k]) => k);
    expect(empty).toEqual([]);
  });

  test.each(Object.keys(languages))('%s uses the same interpolation variables as da', (lng) => {
    const vars = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
    const mismatched = [...languages.da.entries()]
      .filter(([k, v]) => JSON.stringify(vars(v)) !== JSON.stringify(vars(languages[lng].get(k) ?? '')))
      .map(([k]) => k);
    expect(mismatched).toEqual([]);
  });

  test('every status, provider and timeline type of the contract has a label', async () => {
    const c = await import('../../shared/src/contracts');
    for (const map of Object.values(languages)) {
      for (const s of c.messageStatusSchema.options) expect(map.get(`status.${s}`)).toBeTruthy();
      for (const s of c.deliveryStatusSchema.options) expect(map.get(`deliveryStatus.${s}`)).toBeTruthy();
      for (const p of c.providerSchema.options) expect(map.get(`provider.${p}`)).toBeTruthy();
      for (const r of c.documentRoleSchema.options) expect(map.get(`documentRole.${r}`)).toBeTruthy();
      for (const t of c.timelineEventTypeSchema.options) expect(map.get(`timeline.${t}`)).toBeTruthy();
      for (const k of c.destinationSchema.shape.kind.options) expect(map.get(`destinationKind.${k}`)).toBeTruthy();
      for (const r of c.deliveryReasonSchema.options) expect(map.get(`deliveryReason.${r}`)).toBeTruthy();
      for (const r of c.meSchema.shape.roles.element.options) expect(map.get(`role.${r}`)).toBeTruthy();
    }
  });
});
