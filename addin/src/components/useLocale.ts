import { useTranslation } from 'react-i18next';
import { formatLocale } from '../format';
import { officeDisplayLanguage } from '../office/ready';

/** BCP 47 locale for dates and numbers, following the UI language (see formatLocale). */
export function useLocale(): string {
  const { i18n } = useTranslation();
  const browser = typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? []), navigator.language];
  return formatLocale(i18n.resolvedLanguage ?? i18n.language, [officeDisplayLanguage(), ...browser]);
}
