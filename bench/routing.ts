// npm run bench:routing — how many letters per second the rule engine routes against 1,000 rules,
// on one core (one thread, no I/O: routing is a pure function of the letter and the rules).
// The rules are a realistic mix for a large organisation: by sender (with or without subject words
// or KLE), by recipient CVR, words and phrases in the subject, notification and documents, regular
// expressions, KLE, attention data, any/not combinations, a few `continue` rules; most do not match
// a given letter, as in reality. The letters are synthetic: senders drawn Zipf-like from 300
// authorities and companies that rules name and from 3,000 that no rule names, Danish subjects, and 1,500–4,000 characters of document text each.
// Output, last line: letters_per_s_1000_rules: N (the median of the timed rounds, after warm-up).
import { compileRules } from '../backend/src/routing/route';
import type { Rule, RoutingInput } from '../backend/src/routing/types';
import type { Condition } from '../backend/src/routing/conditions';
import { mulberry32 } from '../shared/src/prng';

const RULES = Number(process.env.BENCH_RULES ?? 1000);
const LETTERS = Number(process.env.BENCH_LETTERS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const say = (s: string) => process.stderr.write(`[bench:routing] ${s}\n`);

// Deterministic randomness (mulberry32).
const rnd = mulberry32(20250601);
const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
/** Zipf-like: low indexes much more often. */
const zipf = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(xs.length * rnd() ** 2.5))];

const ORG_CVRS = ['72494814', '87033082', '47511488', '62269391', '31245670', '29876543', '41122334', '35566778'];
const SENDERS = Array.from({ length: 300 }, (_, i) => ({
  id: String(10_000_000 + i * 7919),
  name: `${pick(['Skatte', 'Erhvervs', 'Sikkerheds', 'Energi', 'Motor', 'Miljø', 'Trafik', 'Social', 'Arbejds', 'Søfarts'])}${pick(['styrelsen', 'tilsynet', 'ministeriet', 'forvaltningen'])} ${i}`,
}));
const KLE = Array.from({ length: 400 }, () => `${String(int(0, 85)).padStart(2, '0')}.${String(int(0, 40)).padStart(2, '0')}.${String(int(0, 20)).padStart(2, '0')}`);
const VOCAB = ('moms kvartal årsopgørelse betalingsfrist indbetaling refusion barselsdagpenge arbejdsmiljø påbud tilsyn ' +
  'afgørelse høring klage frist ansøgning bevilling faktura rykker inddrivelse skat selskabsskat lønsumsafgift ejendomsvurdering ' +
  'grundskyld affald vand varme energimærke byggetilladelse miljøgodkendelse registrering ændring ophør revisor regnskab ' +
  'årsrapport digital post virksomhed medarbejder sygedagpenge feriepenge pension forsikring kontrol besøg møde ' +
  'opkrævning tilbagebetaling dispensation tilladelse anmeldelse indberetning eindkomst arbejdsskade ulykke støj kemikalier ' +
  'asbest stillads elevator brandsyn fødevarer hygiejne slagteri spildevand jordforurening olietank parkering vejarbejde ' +
  'sygefravær fleksjob løntilskud praktik elev lærling arbejdsløshed dagpenge kontanthjælp boligstøtte vurdering ejendomsskat ' +
  'toldangivelse import eksport punktafgift energiafgift co2 kvote tilskud projekt evaluering statistik spørgeskema ' +
  'persondata databeskyttelse kameraovervågning hvidvask ejerskab reelle ejere kapitalforhøjelse fusion spaltning likvidation').split(' ');
const FILLER = ('og i at det der er en til på som med for af den ikke har vi de kan om skal vil jeres virksomhedens ' +
  'venlig hilsen kontakt os venligst oplys sagsnummer henvendelse beløbet datoen senest bemærk ' +
  'vi skriver til jer fordi der er sket en ændring i forhold til tidligere og derfor beder vi jer om at læse brevet grundigt ' +
  'hvis i har spørgsmål kan i ringe eller skrive via digital post vores åbningstid er mandag til fredag ' +
  'oplysningerne bruges til behandling af sagen efter reglerne i loven se også vejledningen på hjemmesiden').split(' ');
const PEOPLE = ['Jens Hansen', 'Mette Sørensen', 'Bogholderiet', 'Den daglige ledelse', 'Økonomiafdelingen', 'HR', 'Søren Ærø'];
const DOMAINS = ['ngdp', 'eboks', 'mitdk'] as const;

function words(n: number, from: readonly string[]): string[] { return Array.from({ length: n }, () => pick(from)); }

/** A letter's documents: common words, the letter's topic words, and now and then another topic word. */
function documentText(topic: string[]): string {
  const target = int(1_500, 4_000);
  const extra = words(int(0, 3), VOCAB);
  const about = [...topic, ...extra];
  let s = '';
  while (s.length < target) {
    const sentence = [...words(int(2, 6), FILLER), ...words(int(0, 2), about), ...words(int(2, 6), FILLER)];
    if (rnd() < 0.1) sentence.push(`${int(1, 28)}. ${pick(['januar', 'marts', 'juni', 'oktober'])} ${int(2024, 2026)}`);
    if (rnd() < 0.05) sentence.push(`kr. ${int(100, 99_999)},00`);
    s += `${sentence.join(' ')}. `;
    if (rnd() < 0.2) s += '\n';
  }
  return s;
}

/** Half the letters come from senders that no rule names (a new authority, a one-off company). */
const UNKNOWN_SENDERS = Array.from({ length: 3000 }, (_, i) => ({ id: String(50_000_000 + i * 104_729), name: `Afsender ${i} ApS` }));

function letter(i: number): RoutingInput {
  const sender = rnd() < 0.5 ? zipf(SENDERS) : pick(UNKNOWN_SENDERS);
  const topic = words(int(1, 3), VOCAB);
  return {
    provider: pick(DOMAINS),
    messageType: 'DIGITALPOST',
    senderId: sender.id,
    senderIdType: 'CVR',
    senderName: sender.name,
    recipientCvr: pick(ORG_CVRS),
    label: `${topic.join(' ').replace(/^./, (c) => c.toUpperCase())} ${pick(['for 3. kvartal', '2025', 'vedr. jeres virksomhed', '', `j.nr. ${int(1000, 9999)}`])}`.trim(),
    ...(rnd() < 0.6 ? { notification: `Du har fået post om ${pick(VOCAB)} fra ${sender.name}.` } : {}),
    kle: rnd() < 0.5 ? [pick(KLE)] : [],
    caseIds: [`${int(20, 25)}-${int(1_000_000, 9_999_999)}`],
    caseSystems: [pick(['Workzone', 'SBSYS', 'eDoc', 'Acadre', 'Captia'])],
    forms: rnd() < 0.2 ? [pick(KLE)] : [],
    cvrData: rnd() < 0.3 ? [pick(ORG_CVRS)] : [],
    cprPresent: rnd() < 0.1,
    ...(rnd() < 0.3 ? { attentionPerson: pick(PEOPLE) } : {}),
    ...(rnd() < 0.2 ? { productionUnit: `10${int(10_000_000, 99_999_999)}` } : {}),
    ...(rnd() < 0.1 ? { attentionEmail: `bogholderi${int(1, 9)}@firma.dk` } : {}),
    ...(rnd() < 0.5 ? { contentResponsible: pick(['Kundeservice', 'Inddrivelse', 'Tilsyn', 'Selskaber']) } : {}),
    documentNames: [`${topic[0]}-${i}.pdf`, ...(rnd() < 0.3 ? ['Bilag 1.pdf'] : [])],
    documentTypes: ['application/pdf'],
    replyRequired: rnd() < 0.15,
    createdAt: new Date(Date.UTC(2025, int(0, 11), int(1, 28), int(6, 15))).toISOString(),
    documentText: documentText(topic),
  };
}

function condition(i: number): Condition {
  const r = rnd();
  const sender = () => (rnd() < 0.5 ? zipf(SENDERS) : pick(SENDERS)).id;
  const textWords = (field: 'label' | 'subject+notification' | 'documents' | 'all') =>
    ({ text: { field, words: words(rnd() < 0.1 ? 1 : 2, VOCAB) } }) as Condition;
  if (r < 0.25) return { senderId: sender() };
  if (r < 0.35) return { all: [{ senderId: sender() }, textWords('label')] };
  if (r < 0.42) return { all: [{ senderId: sender() }, { kle: pick(KLE).slice(0, 5) }] };
  if (r < 0.50) return { all: [{ recipientCvr: pick(ORG_CVRS) }, textWords('subject+notification'), { not: { replyRequired: true } }] };
  if (r < 0.62) return textWords(pick(['label', 'subject+notification'] as const));
  if (r < 0.67) return { all: [textWords('documents'), { provider: pick(DOMAINS) }] };
  if (r < 0.71) return { text: { field: 'documents', phrase: `${pick(VOCAB)} ${pick(VOCAB)}` } };
  if (r < 0.75) return { text: { field: pick(['label', 'documents'] as const), regex: { pattern: `${pick(VOCAB)}\\s+(nr\\.?\\s*)?\\d{4,}`, flags: 'i' } } };
  if (r < 0.79) return { kle: pick(KLE) };
  if (r < 0.83) return { all: [{ attention: { field: 'person', contains: pick(PEOPLE).split(' ')[0] } }, { recipientCvr: pick(ORG_CVRS) }] };
  if (r < 0.86) return { attention: { field: 'productionUnit', equals: `10${int(10_000_000, 99_999_999)}` } };
  if (r < 0.92) return { any: [{ senderId: sender() }, { senderId: sender() }, { senderId: sender() }] };
  if (r < 0.95) return { all: [{ any: [textWords('label'), { kle: pick(KLE).slice(0, 2) }] }, { not: { senderId: sender() } }, { cprPresent: false }] };
  if (r < 0.97) return { all: [{ caseSystem: pick(['Workzone', 'SBSYS']) }, { caseId: { prefix: `${int(20, 25)}-${int(1, 9)}` } }, { documentType: 'application/*' }] };
  if (r < 0.99) return { all: [{ cvrData: pick(ORG_CVRS) }, textWords('all')] };
  return { all: [{ senderName: { contains: pick(['styrelsen', 'tilsynet']) } }, { text: { field: 'documents', words: [pick(VOCAB), pick(VOCAB), pick(VOCAB)] } }] };
  void i;
}

function rules(n: number): Rule[] {
  return Array.from({ length: n }, (_, i) => {
    const triage = rnd() < 0.03;
    return {
      id: `rule-${String(i).padStart(4, '0')}`,
      name: `Rule ${i}`,
      priority: int(1, n * 2),
      enabled: true,
      conditions: condition(i),
      action: triage ? { kind: 'triage' } : { kind: 'destinations', destinationIds: [`dest-${int(1, 120)}`], ...(rnd() < 0.2 ? { folderTemplate: 'Digital Post/{sender}/{year}' } : {}) },
      continue: !triage && rnd() < 0.05,
    } satisfies Rule;
  });
}

function main() {
  const ruleSet = rules(RULES);
  const letters = Array.from({ length: LETTERS }, (_, i) => letter(i));
  const t0 = performance.now();
  const route = compileRules(ruleSet);
  say(`compiled ${route.ruleCount} enabled rules in ${(performance.now() - t0).toFixed(1)} ms`);

  let matched = 0;
  let triage = 0;
  const now = new Date('2025-06-01T12:00:00Z');
  // Timed in CPU seconds of this process (one thread does the work): the figure is per core, and a
  // busy machine (other benchmarks) does not lower it the way wall-clock time would.
  const pass = (): { cpuMs: number; wallMs: number } => {
    const c = process.cpuUsage();
    const s = performance.now();
    for (const l of letters) {
      const d = route(l, { now });
      if (d.kind === 'triage') triage++; else matched++;
    }
    const u = process.cpuUsage(c);
    return { cpuMs: (u.user + u.system) / 1000, wallMs: performance.now() - s };
  };
  pass(); pass(); // warm-up: JIT and the regex cache
  if (process.env.BENCH_DEBUG) {
    const kinds = new Map<string, number>();
    const byId = new Map(ruleSet.map((r) => [r.id, r]));
    for (const l of letters) {
      const d = route(l, { now });
      const first = d.matched[0];
      const k = first ? JSON.stringify(byId.get(first.ruleId)!.conditions).replace(/"[^"]*"(?=[,\]}])/g, '_').slice(0, 90) : 'none';
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 15)) say(`${n} ${k}`);
  }
  matched = triage = 0;
  const rates: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const { cpuMs, wallMs } = pass();
    rates.push(LETTERS / (cpuMs / 1000));
    wall.push(LETTERS / (wallMs / 1000));
    say(`round ${r + 1}: ${LETTERS} letters in ${cpuMs.toFixed(0)} ms CPU (${wallMs.toFixed(0)} ms wall)`);
  }
  say(`outcomes per round: ${matched / ROUNDS} to destinations, ${triage / ROUNDS} to triage (${(100 * matched / (matched + triage)).toFixed(0)} % matched a rule)`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`rules: ${route.ruleCount}`);
  console.log(`letters: ${LETTERS}`);
  console.log(`us_per_letter: ${(1e6 / median(rates)).toFixed(1)}`);
  console.log(`letters_per_s_wall: ${Math.round(median(wall))}`);
  console.log(`letters_per_s_1000_rules: ${Math.round(median(rates))}`);
}

main();
