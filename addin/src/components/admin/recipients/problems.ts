// The recipient form as its refusals are placed on it (../field-problems.ts): the form's own
// validation (a zod refusal's field_*) and the check against Exchange/Teams (backend
// delivery/registry/check.ts) each at the field they name, when the form shows it; the operator's
// refusals, which come without problems, at the field they are about.
import type { ProblemForm } from '../field-problems';
import type { Translate } from '../../../codes';

export type RecipientField = 'displayName' | 'mailbox' | 'folderPath' | 'teamId' | 'channelId' | 'webhookUrl';

/** Refusals answered without problems that are about one field all the same. */
const FIELD_OF_CODE: Readonly<Record<string, RecipientField>> = {
  mailbox_domain_not_allowed: 'mailbox',
  team_not_allowed: 'teamId',
  duplicate_name: 'displayName',
};

/** Each field's label (admin.recipients.*), to name it in the bar when the form does not show it. */
const LABEL: Readonly<Record<RecipientField, string>> = {
  displayName: 'name', mailbox: 'mailbox', folderPath: 'folder', teamId: 'team', channelId: 'channel', webhookUrl: 'webhook',
};

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const isField = (path: string): path is RecipientField => own(LABEL, path);

/** The form showing the fields `shown`. */
export function recipientForm(shown: readonly RecipientField[], t: Translate): ProblemForm<RecipientField> {
  return {
    fieldOf: (path) => shown.find((f) => f === path),
    label: (path) => (isField(path) ? t(`admin.recipients.${LABEL[path]}`) : undefined),
    byCode: (e) => (own(FIELD_OF_CODE, e.code) ? { path: FIELD_OF_CODE[e.code] } : undefined),
  };
}
