// File and folder names in a channel's document library (SharePoint Online rules), and the
// deterministic names Brevdue gives the documents it uploads. Pure.
import { maskCpr } from '../../../../shared/src/identifiers';
import { safeFilename } from '../../util/filename';
import { splitFolderPath } from '../../../../shared/src/contracts';

const ILLEGAL = /["*:<>?/\\|]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
const RESERVED = /^(\.lock|con|prn|aux|nul|com[0-9]|lpt[0-9]|desktop\.ini)$/i;
/** Room for the date, the delivery tag and SharePoint's 400-character path limit below a channel folder. */
const MAX_BASE = 100;

/** Why SharePoint would refuse this file or folder name, or null when it is fine. */
export function driveNameProblem(name: string): string | null {
  if (!name) return 'a name cannot be empty';
  if (/["*:<>?/\\|]/.test(name)) return `"${name}" contains a character SharePoint does not allow (" * : < > ? / \\ |)`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return `"${name}" contains a control character`;
  if (name !== name.trim()) return `"${name}" begins or ends with a space`;
  if (name.endsWith('.')) return `"${name}" ends with a period`;
  if (RESERVED.test(name) || /_vti_/i.test(name) || name.startsWith('~$')) return `"${name}" is a name SharePoint reserves`;
  if (name.length > 255) return `"${name.slice(0, 40)}…" is longer than 255 characters`;
  return null;
}

/**
 * The folder names of a destination's (or a rule's) folder path below the channel's files folder,
 * e.g. "Digital Post/Skat" → ["Digital Post", "Skat"], split as every folder path is
 * (splitFolderPath: '/' separates, "\/" is a '/' inside a name — which SharePoint then refuses,
 * rather than a name cut at the slash with a stray backslash); empty segments are ignored.
 * Throws with every problem when a name is not allowed; the error is marked not retryable: the same
 * path fails the same way until an admin changes it.
 */
export function driveFolderSegments(folderPath: string | undefined | null): string[] {
  const names = splitFolderPath(folderPath ?? '');
  const problems = names.map(driveNameProblem).filter((p): p is string => p !== null);
  if (problems.length) {
    throw Object.assign(new Error(`The folder path "${folderPath}" cannot be used in Teams: ${problems.join('; ')}. ` +
      'Change the folder of the destination, or the folder template of the rule that chose it.'), { retryable: false });
  }
  return names;
}

/** Makes any document name acceptable to SharePoint, keeping its extension; CPR numbers masked. */
export function safeDriveName(name: string, maxBase = MAX_BASE): string {
  // The shared sanitiser first (separators, invisible characters, device names); then SharePoint's own rules.
  const cleaned = maskCpr(safeFilename(name, '')).replace(CONTROL, ' ').replace(ILLEGAL, '_').replace(/\s+/g, ' ').trim();
  const m = /^(.*?)(\.[A-Za-z0-9]{1,8})?$/.exec(cleaned)!;
  let base = (m[1] ?? '').replace(/^~\$/, '').replace(/_vti_/gi, '_vti').replace(/[.\s]+$/, '').trim();
  const ext = (m[2] ?? '').toLowerCase();
  if (base.length > maxBase) base = base.slice(0, maxBase).trim();
  if (!base || RESERVED.test(base) || RESERVED.test(base + ext)) base = `_${base || 'dokument'}`;
  return base + ext;
}

/** YYYY-MM-DD in Danish time. */
export function danishDate(d: Date): string {
  return d.toLocaleDateString('sv-SE', { timeZone: 'Europe/Copenhagen' });
}

/**
 * The names the documents of one delivery get in the channel's files:
 * "2026-03-02 Årsopgørelse 2025 (3f9a1c0b).pdf". Deterministic from the delivery, so a retry after
 * an uncertain outcome (a timeout, a crash before the result was recorded) uploads to the same name
 * with conflictBehavior replace and overwrites its own earlier copy instead of adding "… 1.pdf"
 * next to it; the delivery tag keeps two letters with the same document name apart. Two documents
 * of one letter with the same name get "-2", "-3".
 */
export function deliveryFileNames(deliveryId: string, receivedAt: Date, filenames: string[]): string[] {
  const tag = deliveryId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8).toLowerCase() || 'brevdue';
  const date = danishDate(receivedAt);
  const seen = new Map<string, number>();
  return filenames.map((f) => {
    const safe = safeDriveName(f || 'dokument');
    const dot = safe.lastIndexOf('.');
    const [base, ext] = dot > 0 ? [safe.slice(0, dot), safe.slice(dot)] : [safe, ''];
    const key = safe.toLowerCase();
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return `${date} ${base} (${tag}${n > 1 ? `-${n}` : ''})${ext}`;
  });
}
