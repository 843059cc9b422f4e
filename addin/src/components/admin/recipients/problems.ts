// A refused save of a recipient, placed on the form: each problem the server coded with a field
// (`params.field`: the form's own validation and the check against Exchange/Teams, backend
// api/delivery.ts and delivery/registry/check.ts) at that field, in the reader's language; the
// rest for the message bar; Graph's English `reason`s kept apart as the technical detail. Pure.
import { ApiError } from '../../../api/client';
import { apiErrorText, problemText, type Translate } from '../../../codes';

export type RecipientField = 'displayName' | 'mailbox' | 'folderPath' | 'teamId' | 'channelId' | 'webhookUrl';

/** Refusals answered without problems that are about one field all the same. */
const FIELD_OF_CODE: Readonly<Record<string, RecipientField>> = {
  mailbox_domain_not_allowed: 'mailbox',
  team_not_allowed: 'teamId',
  duplicate_name: 'displayName',
};

export interface RecipientRefusal {
  /** Sentences by the field they are about (only fields the form shows). */
  fields: Partial<Record<RecipientField, string>>;
  /** Sentences about no field shown. */
  rest: string[];
  /** The server's English technical detail (Graph's answer), unique. */
  details: string[];
}

/** Where the server's refusal goes on the form; null for an error that is not the server's answer (the caller describes it). */
export function recipientRefusal(error: unknown, shown: readonly RecipientField[], t: Translate): RecipientRefusal | null {
  if (!(error instanceof ApiError) || !error.fromServer) return null;
  const fields: Partial<Record<RecipientField, string>> = {};
  const rest: string[] = [];
  const details: string[] = [];
  const put = (field: unknown, text: string) => {
    const f = shown.find((x) => x === field);
    if (f) fields[f] = fields[f] ? `${fields[f]} ${text}` : text;
    else rest.push(text);
  };
  const problems = error.details.problems ?? [];
  if (problems.length === 0) {
    put(FIELD_OF_CODE[error.code], apiErrorText(error, t));
    return { fields, rest, details };
  }
  for (const p of problems) {
    put(p.params?.field, problemText(p, t));
    const reason = p.params?.reason;
    if (typeof reason === 'string' && reason && !details.includes(reason)) details.push(reason);
  }
  return { fields, rest, details };
}
