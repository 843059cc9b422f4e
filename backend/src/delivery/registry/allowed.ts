// Which mailboxes and Teams teams each organisation may deliver to. One installation serves several
// organisations, and they may share one Entra app (Graph application permissions) or even one Microsoft
// 365 tenant: Graph then lets Brevdue write into every mailbox and team the app reaches, whichever
// organisation it belongs to. An organisation's admin chooses its destinations, so without this an admin
// of organisation A could register B's mailbox (B's CEO, say) and have A's letters, or letters rerouted
// by A's operators, land there, or learn from the "checked when saved" answer which of B's mailboxes
// exist. So the operator of the installation, not the organisation's admin, decides per organisation:
// DESTINATIONS_ALLOWED (config.ts, docs/DEPLOYMENT.md 3.1), JSON keyed by organisation id ("*" for
// every organisation not named), each with `mailDomains` (an address's domain: "firma.dk", "*.firma.dk"
// for its subdomains, "*" for any) and `teams` (team ids, "*" for any).
//
// Checked before any Graph call when a destination is saved or re-checked (registry/destinations.ts: a
// refusal never depends on whether the mailbox exists, so it tells nothing about other organisations),
// when a person reroutes, for the notification sender of the delivery settings, and again before
// every delivery attempt (deliver.ts) and recovery lookup (recover.ts): a destination saved before the
// rule, or one the operator has since taken off the list, receives nothing. Pure: no I/O.
import { z } from 'zod';
import type { DestinationKind } from '../../../../shared/src/contracts';

export const DESTINATIONS_ALLOWED_SETTING = 'DESTINATIONS_ALLOWED';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A host name in ASCII (an IDN as its xn-- form): labels of letters, digits and hyphens. */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** A mail domain entry as the operator writes it: lower-cased, an IDN in its ASCII form; throws a sentence. */
function mailDomainEntry(raw: string): string {
  const s = raw.trim().toLowerCase().replace(/\.$/, '');
  if (s === '*') return s;
  const wild = s.startsWith('*.');
  let host = wild ? s.slice(2) : s;
  try { host = new URL(`http://${host}`).hostname; } catch { /* refused below */ }
  if (!DOMAIN.test(host)) {
    throw new Error(`"${raw.slice(0, 100)}" is not a mail domain: write firma.dk, *.firma.dk (its subdomains) or * (any domain)`);
  }
  return wild ? `*.${host}` : host;
}

const entrySchema = z.object({
  mailDomains: z.array(z.string()).max(1000).default([]).transform((xs, ctx) => xs.map((x) => {
    try { return mailDomainEntry(x); } catch (e) { ctx.addIssue({ code: 'custom', message: (e as Error).message }); return z.NEVER; }
  })),
  teams: z.array(z.string().trim().toLowerCase().refine((x) => x === '*' || GUID.test(x),
    (x) => ({ message: `"${x.slice(0, 100)}" is not a team id: a team id is a GUID (in Teams, "Get link to team" shows it as groupId), or * for any team` })))
    .max(1000).default([]),
}).strict();

/** The operator's setting: organisation id (or "*") → what it may deliver to. */
export const destinationsAllowedSchema = z.record(
  z.string().trim().toLowerCase().refine((k) => k === '*' || GUID.test(k), (k) => ({ message: `"${k.slice(0, 100)}" is not an organisation id (the UUID in organisations.id) or *` })),
  entrySchema,
);
export type DestinationsAllowed = z.input<typeof destinationsAllowedSchema>;

interface Allowance {
  anyDomain: boolean;
  domains: ReadonlySet<string>;
  /** "*.firma.dk" entries as ".firma.dk". */
  suffixes: readonly string[];
  anyTeam: boolean;
  teams: ReadonlySet<string>;
  /** The entries as written (normalised), for sentences. */
  mailDomains: readonly string[];
}

export interface DestinationPolicy {
  readonly byOrg: ReadonlyMap<string, Allowance>;
  /** The "*" entry: every organisation not named. null: an organisation not named may deliver nowhere. */
  readonly fallback: Allowance | null;
}

function allowance(e: z.output<typeof entrySchema>): Allowance {
  return {
    anyDomain: e.mailDomains.includes('*'),
    domains: new Set(e.mailDomains.filter((d) => !d.startsWith('*'))),
    suffixes: e.mailDomains.filter((d) => d.startsWith('*.')).map((d) => d.slice(1)),
    anyTeam: e.teams.includes('*'),
    teams: new Set(e.teams.filter((t) => t !== '*')),
    mailDomains: e.mailDomains,
  };
}

/** The policy from the operator's setting (parsed JSON); throws a sentence naming the bad entry. */
export function destinationPolicy(input: DestinationsAllowed): DestinationPolicy {
  const r = destinationsAllowedSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${DESTINATIONS_ALLOWED_SETTING}: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
  }
  const byOrg = new Map<string, Allowance>();
  let fallback: Allowance | null = null;
  for (const [k, v] of Object.entries(r.data)) {
    if (k === '*') fallback = allowance(v);
    else byOrg.set(k, allowance(v));
  }
  return { byOrg, fallback };
}

/** Every organisation to any mailbox and team: demo mode, and contexts built without a policy (tests). */
export const UNRESTRICTED_POLICY: DestinationPolicy = destinationPolicy({ '*': { mailDomains: ['*'], teams: ['*'] } });
/** Production without DESTINATIONS_ALLOWED: no organisation may deliver anywhere until the operator says where. */
export const CLOSED_POLICY: DestinationPolicy = destinationPolicy({});

/** The refusal: a stable code (the task pane translates it), an English sentence, and params (names, never ids). */
export interface DestinationRefusal {
  code: 'mailbox_domain_not_allowed' | 'team_not_allowed';
  message: string;
  params: Record<string, string>;
}

const allowanceOf = (p: DestinationPolicy, orgId: string): Allowance | null => p.byOrg.get(orgId.toLowerCase()) ?? p.fallback;

/** The domain of a mail address, lower-cased, without a trailing dot ('' when there is none). */
export function mailDomainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Why the organisation may not use this mailbox address, or null when it may. The sentence names the
 * address's domain and the organisation's own allowed domains only: never whether the mailbox exists,
 * nor what another organisation may use.
 */
export function mailboxRefusal(policy: DestinationPolicy, orgId: string, address: string): DestinationRefusal | null {
  const a = allowanceOf(policy, orgId);
  const domain = mailDomainOf(address);
  if (a && domain && (a.anyDomain || a.domains.has(domain) || a.suffixes.some((s) => domain.endsWith(s)))) return null;
  const allowed = a?.mailDomains.join(', ') ?? '';
  return {
    code: 'mailbox_domain_not_allowed',
    message: `Your organisation may not deliver to mailboxes in ${domain || `"${address.slice(0, 100)}"`}: the operator of this Brevdue installation `
      + `decides which mail domains each organisation may use (${DESTINATIONS_ALLOWED_SETTING}), and allows ${allowed ? `these for yours: ${allowed}` : 'none for yours yet'}. `
      + 'Choose a mailbox in an allowed domain, or ask the operator to allow this one.',
    params: { domain: domain || address.slice(0, 100), allowed },
  };
}

/** Why the organisation may not deliver into this team's channels, or null when it may. */
export function teamRefusal(policy: DestinationPolicy, orgId: string, teamId: string): DestinationRefusal | null {
  const a = allowanceOf(policy, orgId);
  if (a && (a.anyTeam || a.teams.has(teamId.trim().toLowerCase()))) return null;
  return {
    code: 'team_not_allowed',
    message: 'Your organisation may not deliver to this team: the operator of this Brevdue installation decides which Teams teams each '
      + `organisation may use (${DESTINATIONS_ALLOWED_SETTING}), and has not allowed this one for yours. Ask the operator to allow the team (its id is the groupId in the link to the team).`,
    params: {},
  };
}

/**
 * The refusal as told to someone who does not manage the registry (a reader): the same code and the
 * refused domain (what the task pane's picker says, addin codes.ts unusableText), but not the
 * organisation's allowed domains or teams — the operator's list is for admins and operators.
 */
export function refusalWithoutAllowList(r: DestinationRefusal): DestinationRefusal {
  if (r.code === 'team_not_allowed') return { code: r.code, message: r.message, params: {} }; // names no team
  const domain = r.params.domain ?? '';
  return {
    code: r.code,
    message: `Your organisation may not deliver to mailboxes in ${domain}: the operator of this Brevdue installation decides which mail domains `
      + `each organisation may use (${DESTINATIONS_ALLOWED_SETTING}). An administrator of your organisation can tell which are allowed.`,
    params: { domain },
  };
}

/** The same for a destination (a stored row or one being saved); null when the organisation may use it. */
export function destinationRefusal(policy: DestinationPolicy | undefined, orgId: string,
  t: { kind: DestinationKind | string; mailbox: string | null; teamId: string | null }): DestinationRefusal | null {
  const p = policy ?? UNRESTRICTED_POLICY;
  if (t.kind === 'teams_channel') return teamRefusal(p, orgId, t.teamId ?? '');
  return mailboxRefusal(p, orgId, t.mailbox ?? '');
}

/** The timeline's English words for mailboxes in these domains the allow-list refuses now (the domains, never the allowed ones). */
export const unreachableMailboxesText = (domains: string[]): string =>
  `Brevdue may not reach mailboxes in ${domains.join(', ')} (the operator's allow-list, ${DESTINATIONS_ALLOWED_SETTING})`;

/** Whether the policy restricts anything (for the start log: production without the setting delivers nowhere). */
export const isClosed = (p: DestinationPolicy): boolean => p.byOrg.size === 0 && p.fallback === null;
