// i18next set-up: Danish by default, English on request; the choice is remembered per browser.
// Only the language in use is loaded at start (each is ≈ 9 KB gzipped); the other one is fetched
// when the user switches. Both are complete (tests/unit/addin-i18n.test.ts), so no fallback is needed.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

const LOADERS = {
  da: () => import('./da').then((m) => m.da),
  en: () => import('./en').then((m) => m.en),
};

export const LANGUAGES = ['da', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'da';

const STORAGE_KEY = 'brevdue.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The remembered choice, else Danish. (Storage can be unavailable in some Office web views.) */
export function initialLanguage(): Language {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch { /* storage blocked: use the default */ }
  return DEFAULT_LANGUAGE;
}

export async function initI18n(lng: Language = initialLanguage()): Promise<typeof i18next> {
  await i18next.use(initReactI18next).init({
    resources: { [lng]: { translation: await LOADERS[lng]() } },
    lng,
    fallbackLng: false,
    supportedLngs: [...LANGUAGES],
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  document.documentElement.lang = lng;
  return i18next;
}

export async function changeLanguage(lng: Language): Promise<void> {
  if (!i18next.hasResourceBundle(lng, 'translation')) i18next.addResourceBundle(lng, 'translation', await LOADERS[lng]());
  await i18next.changeLanguage(lng);
  document.documentElement.lang = lng;
  try { globalThis.localStorage?.setItem(STORAGE_KEY, lng); } catch { /* not remembered */ }
}
