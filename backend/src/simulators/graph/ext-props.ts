// MAPI extended properties as Graph names them: "{type} 0x{tag}" (tagged) or
// "{type} {guid} Name {name}" / "{type} {guid} Id 0x{id}" (named). Values travel as strings.
import { badRequest } from './errors';

export const PR_MESSAGE_FLAGS = 'Integer 0x0E07';
export const PR_MESSAGE_DELIVERY_TIME = 'SystemTime 0x0E06';
export const PR_CLIENT_SUBMIT_TIME = 'SystemTime 0x0039';
export const MSGFLAG_READ = 0x1;
export const MSGFLAG_UNSENT = 0x8;

const TYPES = ['Binary', 'Boolean', 'CLSID', 'Currency', 'Double', 'Float', 'Integer', 'Long', 'Object', 'Short', 'String', 'SystemTime'];
const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const TAGGED = /^\s*(\w+)\s+0x([0-9a-fA-F]{1,4})\s*$/;
const NAMED = new RegExp(`^\\s*(\\w+)\\s+\\{(${GUID})\\}\\s+Name\\s+(\\S.*?)\\s*$`, 'i');
const NAMED_ID = new RegExp(`^\\s*(\\w+)\\s+\\{(${GUID})\\}\\s+Id\\s+0x([0-9a-fA-F]{1,8})\\s*$`, 'i');

export interface PropId { type: string; key: string }

/** Parses a property id; `key` is a canonical form for comparing (hex and guid case ignored). */
export function parsePropId(id: string): PropId | undefined {
  let m = TAGGED.exec(id);
  const type = (t: string) => TYPES.find((x) => x.toLowerCase() === t.toLowerCase());
  if (m) {
    const t = type(m[1]);
    return t ? { type: t, key: `${t} 0x${parseInt(m[2], 16).toString(16)}` } : undefined;
  }
  m = NAMED.exec(id);
  if (m) {
    const t = type(m[1]);
    return t ? { type: t, key: `${t} {${m[2].toLowerCase()}} Name ${m[3]}` } : undefined;
  }
  m = NAMED_ID.exec(id);
  if (m) {
    const t = type(m[1]);
    return t ? { type: t, key: `${t} {${m[2].toLowerCase()}} Id 0x${parseInt(m[3], 16).toString(16)}` } : undefined;
  }
  return undefined;
}

export const samePropId = (a: string, b: string): boolean => {
  const x = parsePropId(a); const y = parsePropId(b);
  return !!x && !!y && x.key === y.key;
};

/** Checks a value against its property type as Exchange would; throws Graph's 400 otherwise. */
export function checkPropValue(p: PropId, id: string, value: string): void {
  const ok = (() => {
    switch (p.type) {
      case 'Integer': case 'Short': case 'Long': return /^-?\d+$/.test(value.trim());
      case 'Boolean': return /^(true|false)$/i.test(value.trim());
      case 'Double': case 'Float': case 'Currency': return value.trim() !== '' && Number.isFinite(Number(value));
      case 'SystemTime': return !Number.isNaN(Date.parse(value));
      case 'CLSID': return new RegExp(`^\\{?${GUID}\\}?$`).test(value.trim());
      case 'Binary': return /^[A-Za-z0-9+/]*={0,2}$/.test(value.trim());
      default: return true;
    }
  })();
  if (!ok) throw badRequest(`The value '${value.slice(0, 100)}' is not valid for the extended property '${id}' of type ${p.type}.`, 'ErrorInvalidExtendedPropertyValue');
}
