// What the Teams "Post to a channel when a webhook request is received" workflow takes: a message
// with Adaptive Card attachments. Checked the way the flow's trigger schema and Teams would refuse
// it, with the JSON path of each problem so a developer sees what to fix.
import { z } from 'zod';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Teams refuses messages over about 28 KB (card included). */
export const TEAMS_MESSAGE_MAX_BYTES = 28 * 1024;

const ELEMENTS = new Set(['TextBlock', 'Image', 'Media', 'RichTextBlock', 'Container', 'ColumnSet', 'FactSet', 'ImageSet', 'ActionSet', 'Table',
  'Input.Text', 'Input.Number', 'Input.Date', 'Input.Time', 'Input.Toggle', 'Input.ChoiceSet']);
const ACTIONS = new Set(['Action.OpenUrl', 'Action.Submit', 'Action.ShowCard', 'Action.ToggleVisibility', 'Action.Execute']);

const attachmentSchema = z.object({
  contentType: z.literal(ADAPTIVE_CARD_CONTENT_TYPE, { errorMap: () => ({ message: `must be "${ADAPTIVE_CARD_CONTENT_TYPE}"` }) }),
  contentUrl: z.null().optional(),
  content: z.object({
    $schema: z.string().optional(),
    type: z.literal('AdaptiveCard', { errorMap: () => ({ message: 'must be "AdaptiveCard"' }) }),
    version: z.string().regex(/^1\.[0-5]$/, 'Teams renders Adaptive Card versions 1.0 to 1.5'),
    body: z.array(z.unknown()),
    actions: z.array(z.unknown()).optional(),
  }).passthrough(),
}).passthrough();

export const workflowMessageSchema = z.object({
  type: z.literal('message', { errorMap: () => ({ message: 'must be "message"' }) }),
  attachments: z.array(attachmentSchema).min(1, 'at least one Adaptive Card attachment is needed').max(10),
}).passthrough();
export type WorkflowMessage = z.infer<typeof workflowMessageSchema>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const httpUrl = (v: unknown) => {
  if (typeof v !== 'string') return false;
  try { return ['http:', 'https:'].includes(new URL(v).protocol); } catch { return false; }
};

/** The elements and actions of a card, recursively; returns "path: problem" lines. */
export function cardProblems(card: Record<string, unknown>, at = 'attachments[0].content'): string[] {
  const out: string[] = [];
  const action = (a: unknown, p: string) => {
    if (!isObj(a) || typeof a.type !== 'string') return out.push(`${p}: an action needs a "type"`);
    if (!ACTIONS.has(a.type)) return out.push(`${p}.type: unknown action "${a.type}"`);
    if (a.type === 'Action.OpenUrl' && !httpUrl(a.url)) out.push(`${p}.url: Action.OpenUrl needs an http(s) url`);
    if (a.type === 'Action.ShowCard' && isObj(a.card)) out.push(...cardProblems(a.card, `${p}.card`));
    return undefined;
  };
  const element = (e: unknown, p: string) => {
    if (!isObj(e) || typeof e.type !== 'string') return out.push(`${p}: an element needs a "type"`);
    if (!ELEMENTS.has(e.type)) return out.push(`${p}.type: unknown element "${e.type}"`);
    if (e.selectAction !== undefined) action(e.selectAction, `${p}.selectAction`);
    switch (e.type) {
      case 'TextBlock': if (typeof e.text !== 'string') out.push(`${p}.text: a TextBlock needs text`); break;
      case 'Image': if (!httpUrl(e.url) && !/^data:image\//.test(String(e.url))) out.push(`${p}.url: an Image needs a url`); break;
      case 'RichTextBlock':
        if (!Array.isArray(e.inlines)) { out.push(`${p}.inlines: a RichTextBlock needs inlines`); break; }
        e.inlines.forEach((r, i) => {
          if (typeof r === 'string') return;
          if (!isObj(r) || r.type !== 'TextRun' || typeof r.text !== 'string') out.push(`${p}.inlines[${i}]: a TextRun with text is expected`);
          else if (r.selectAction !== undefined) action(r.selectAction, `${p}.inlines[${i}].selectAction`);
        });
        break;
      case 'Container': (Array.isArray(e.items) ? e.items : []).forEach((x, i) => element(x, `${p}.items[${i}]`)); break;
      case 'ColumnSet': (Array.isArray(e.columns) ? e.columns : []).forEach((c, i) => {
        if (!isObj(c) || (c.type !== undefined && c.type !== 'Column')) out.push(`${p}.columns[${i}]: a Column is expected`);
        else (Array.isArray(c.items) ? c.items : []).forEach((x, j) => element(x, `${p}.columns[${i}].items[${j}]`));
      }); break;
      case 'FactSet':
        if (!Array.isArray(e.facts) || e.facts.some((f) => !isObj(f) || typeof f.title !== 'string' || typeof f.value !== 'string')) {
          out.push(`${p}.facts: facts are {title, value} strings`);
        }
        break;
      case 'ActionSet': (Array.isArray(e.actions) ? e.actions : []).forEach((a, i) => action(a, `${p}.actions[${i}]`)); break;
      default: break;
    }
    return undefined;
  };
  (Array.isArray(card.body) ? card.body : []).forEach((e, i) => element(e, `${at}.body[${i}]`));
  (Array.isArray(card.actions) ? card.actions : []).forEach((a, i) => action(a, `${at}.actions[${i}]`));
  return out;
}

/** Problems with a posted payload, empty when Teams would show it. */
export function messageProblems(payload: unknown): string[] {
  const p = workflowMessageSchema.safeParse(payload);
  if (!p.success) return p.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  return p.data.attachments.flatMap((a, i) => cardProblems(a.content, `attachments[${i}].content`));
}
