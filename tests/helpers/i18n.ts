// The task pane's languages for unit tests: an i18next instance per language with the pane's own
// Danish and English texts (no HTML escaping, as in the pane), and `t` as the pane's helpers take it.
import i18next, { type i18n } from 'i18next';
import type { Translate } from '../../addin/src/codes';
import { da } from '../../addin/src/i18n/da';
import { en } from '../../addin/src/i18n/en';

export type PaneLanguage = 'da' | 'en';

const TEXTS = { da, en } as const;

/** A fresh i18next instance speaking `lng` only. */
export async function paneI18n(lng: PaneLanguage): Promise<i18n> {
  const i = i18next.createInstance();
  await i.init({ lng, resources: { [lng]: { translation: TEXTS[lng] } }, interpolation: { escapeValue: false } });
  return i;
}

/** An instance's `t` as a Translate (codes.ts, roles.ts, the rules page's describe.ts). */
export const tr = (i: i18n): Translate => (k, o) => String(i.t(k as never, o as never));

/** Fresh Danish and English instances, in that order. */
export async function paneLanguages(): Promise<[da: i18n, en: i18n]> {
  return [await paneI18n('da'), await paneI18n('en')];
}
