// Pure helpers for choosing destinations from the approved-recipients registry (no React): search
// that forgives case and Danish letters, where a destination points, names in a sentence.
import type { Destination } from '../../shared/src/contracts';

/** Lower case without accents; ø → o and æ → ae, so "okonomi" finds "Økonomi". */
export function foldForSearch(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ø/g, 'o')
    .replace(/æ/g, 'ae')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Where a destination delivers, for display: "post@firma.dk › Indbakke › Digital Post", or the channel folder. */
export function destinationWhere(d: Pick<Destination, 'mailbox' | 'folderPath'>): string {
  return [d.mailbox, d.folderPath].filter((x): x is string => !!x && x.trim() !== '').join(' › ');
}

/**
 * The destinations matching every word of the query (in name, mailbox, folder or kind label),
 * in registry order; an empty query matches all.
 */
export function filterDestinations<D extends Destination>(all: readonly D[], query: string, kindLabel: (d: D) => string = () => ''): D[] {
  const words = foldForSearch(query).split(' ').filter(Boolean);
  if (words.length === 0) return [...all];
  return all.filter((d) => {
    const hay = foldForSearch([d.displayName, d.mailbox ?? '', d.folderPath, kindLabel(d)].join(' '));
    return words.every((w) => hay.includes(w));
  });
}

/** Names joined for a sentence: "A, B og C" / "A, B and C". */
export function joinNames(names: readonly string[], locale: string): string {
  if (names.length <= 1) return names[0] ?? '';
  try {
    return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(names);
  } catch {
    return names.join(', ');
  }
}
