// Typed translation keys: t('list.title') is checked against the Danish strings.
import type { da } from './da';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof da };
  }
}
