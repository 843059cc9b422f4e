// Which Teams webhook URLs Brevdue will post to. A destination's webhook URL is typed in by an
// admin; posting to whatever it says would let Brevdue be pointed at any host (an internal service,
// a collector of letter metadata). So only Microsoft's webhook hosts are allowed:
//   *.logic.azure.com                 Workflows / Power Automate / Logic Apps HTTP triggers,
//                                     e.g. https://prod-12.westeurope.logic.azure.com:443/workflows/…
//   *.api.powerplatform.com           newer Workflows URLs,
//                                     e.g. https://default1a2b….4c.environment.api.powerplatform.com:443/powerautomate/…
//   *.webhook.office.com              legacy Office 365 connector ("Incoming Webhook") URLs, being retired
// https only, port 443 only, no user name or password in the URL, no IP literals. An exact origin
// in `extraAllowedOrigins` is allowed too: only for the local Workflows simulator (demo and tests).
// Pure: no DNS, no I/O.

export type WebhookUrlCheck =
  | { ok: true; kind: 'workflows' | 'legacy-connector' | 'extra-origin'; warning?: string }
  | { ok: false; reason: string };

const MAX_URL_LENGTH = 4096;
const WORKFLOWS_SUFFIXES = ['.logic.azure.com', '.api.powerplatform.com'];
const LEGACY_SUFFIX = '.webhook.office.com';
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOW_TO = 'In Teams, open the channel\'s Workflows, use "Post to a channel when a webhook request is received", and copy the URL it shows.';
export const LEGACY_CONNECTOR_WARNING = 'This is an Office 365 connector (Incoming Webhook) URL. Microsoft is retiring these connectors in Teams; '
  + 'replace it with a Workflows webhook ("Post to a channel when a webhook request is received") before it stops working.';

/** A hostname under `suffix` with at least one well-formed label before it (not the suffix itself). */
function under(host: string, suffix: string): boolean {
  if (!host.endsWith(suffix)) return false;
  const labels = host.slice(0, -suffix.length).split('.');
  return labels.length > 0 && labels.every((l) => LABEL.test(l));
}

function normalizeOrigin(o: string): string | null {
  try {
    const u = new URL(o);
    return u.origin === 'null' ? null : u.origin;
  } catch { return null; }
}

export function checkWebhookUrl(url: string, extraAllowedOrigins: string[] = []): WebhookUrlCheck {
  if (typeof url !== 'string' || url.length === 0) return { ok: false, reason: `The webhook URL is empty. ${HOW_TO}` };
  if (url.length > MAX_URL_LENGTH) return { ok: false, reason: `The webhook URL is longer than ${MAX_URL_LENGTH} characters; copy it again from Teams.` };
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(url)) return { ok: false, reason: 'The webhook URL contains spaces or line breaks; paste it again as one line.' };
  let u: URL;
  try { u = new URL(url); } catch { return { ok: false, reason: `"${url.slice(0, 80)}" is not a URL. ${HOW_TO}` }; }
  if (u.username || u.password) {
    return { ok: false, reason: 'The webhook URL contains a user name or password (user:pass@host); Teams webhook URLs carry their key in the sig parameter instead.' };
  }
  const extras = new Set(extraAllowedOrigins.map(normalizeOrigin).filter((o): o is string => o !== null));
  if (extras.has(u.origin)) return { ok: true, kind: 'extra-origin' };

  if (u.protocol !== 'https:') return { ok: false, reason: `The webhook URL must start with https:// (it uses ${u.protocol.replace(':', '')}).` };
  // The URL parser drops the default port: any port still present is not 443.
  if (u.port !== '') return { ok: false, reason: `The webhook URL names port ${u.port}; Microsoft's webhooks are on the standard https port 443.` };
  const host = u.hostname;
  if (host.startsWith('[') || /^\d+(\.\d+){3}$/.test(host)) {
    return { ok: false, reason: 'The webhook URL uses an IP address; Teams webhook URLs name a Microsoft host such as prod-12.westeurope.logic.azure.com.' };
  }
  if (host.endsWith('.')) return { ok: false, reason: `The host name "${host}" ends with a dot; remove it.` };
  if (WORKFLOWS_SUFFIXES.some((s) => under(host, s))) return { ok: true, kind: 'workflows' };
  if (under(host, LEGACY_SUFFIX)) return { ok: true, kind: 'legacy-connector', warning: LEGACY_CONNECTOR_WARNING };
  if (host === 'outlook.office.com' || host === 'outlook.office365.com') {
    return { ok: false, reason: `This is an old-style Office 365 connector URL (${host}/webhook/…), which Microsoft has retired. ${HOW_TO}` };
  }
  return {
    ok: false,
    reason: `Brevdue posts only to Microsoft's Teams webhook hosts (*.logic.azure.com, *.api.powerplatform.com, legacy *.webhook.office.com); "${host}" is not one of them. ${HOW_TO}`,
  };
}
