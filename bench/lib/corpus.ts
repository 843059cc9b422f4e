// A synthetic but realistic year of Digital Post for a Danish company group, for the assistant's
// benchmark: who writes (30 public senders, some appearing during the year), about what (Danish
// labels and letter text with the topic's words, boilerplate, cross-talk, CPR numbers in letters
// about employees), to which of the group's CVR numbers and sites, where each letter belongs (the
// group's departments: 35 destinations), the group's routing rules, and how the year drifts.
//
// Written from how such post looks, not from what the model needs: the same seed gives the same
// corpus; nothing here looks at the model. Deliberate difficulties:
//  - the same sender and words go to different places by recipient CVR and site (Økonomi per
//    company, Drift per city), and the same topic to two places at once (a set of destinations);
//  - follow-up letters ("Svar på din henvendelse") say nothing of their topic: only the case number
//    and the sender tie them to the earlier letter;
//  - people placing letters are not perfectly consistent (2 % go to a plausible other place);
//  - drift: new senders in months 7–11 (no rule for them), a company acquired in month 8 (new CVR,
//    new destinations), a new warehouse in month 9, the department "Arbejdsmiljø" renamed to
//    "HSE – Arbejdsmiljø og sikkerhed" in month 10 (new destination id, the old one archived, rules
//    re-pointed), seasonal topics (årsrapport påbud in summer, acontoskat in March and November,
//    the slutopgørelse of selskabsskat only in the autumn) and a rule added in month 11.
import type { RoutingInput } from '../../backend/src/routing/types';
import { mulberry32 } from '../../shared/src/prng';

// ---------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32, as the demo letters)

export class Rnd {
  readonly next: () => number;
  constructor(seed: number) { this.next = mulberry32(seed); }
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]; }
  chance(p: number): boolean { return this.next() < p; }
  digits(n: number): string { let s = ''; for (let i = 0; i < n; i++) s += String(this.int(0, 9)); return s; }
  shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(this.next() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
    return a;
  }
  /** Poisson-distributed count (Knuth; the means here are small). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    const l = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do { k++; p *= this.next(); } while (p > l);
    return k - 1;
  }
}

/** The first valid CVR number (modulus 11) at or after `from`. */
function cvrFrom(from: number): string {
  const w = [2, 7, 6, 5, 4, 3, 2, 1];
  for (let n = from; ; n++) {
    const s = String(n);
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += (s.charCodeAt(i) - 48) * w[i];
    if (sum % 11 === 0) return s;
  }
}

// ---------------------------------------------------------------------------------------------
// The organisation: companies, sites, destinations

type Co = 'H' | 'E' | 'L' | 'R' | 'F' | 'N';

interface Company { key: Co; cvr: string; name: string; from: number }
const COMPANIES: Record<Co, Company> = {
  H: { key: 'H', cvr: '72494814', name: 'Nordlys Holding A/S', from: 1 },
  E: { key: 'E', cvr: '87033082', name: 'Nordlys Ejendomme ApS', from: 1 },
  L: { key: 'L', cvr: '47511488', name: 'Nordlys Logistik A/S', from: 1 },
  R: { key: 'R', cvr: '62269391', name: 'Nordlys Rådgivning ApS', from: 1 },
  F: { key: 'F', cvr: cvrFrom(38216450), name: 'Nordlys Fødevarer A/S', from: 1 },
  N: { key: 'N', cvr: cvrFrom(41877320), name: 'Nordlys Energi ApS', from: 8 }, // acquired in August
};

type City = 'kbh' | 'aarhus' | 'kolding' | 'vejle' | 'odense' | 'esbjerg';
interface Site { co: Co; city: City; pnr: string; address: string; from: number }
const SITES: Site[] = [
  { co: 'H', city: 'kbh', pnr: '1017784512', address: 'Kalvebod Brygge 41, 1560 København V', from: 1 },
  { co: 'E', city: 'kbh', pnr: '1019234871', address: 'Amerika Plads 12, 2100 København Ø', from: 1 },
  { co: 'E', city: 'aarhus', pnr: '1020871145', address: 'Åboulevarden 70, 8000 Aarhus C', from: 1 },
  { co: 'R', city: 'kbh', pnr: '1012456630', address: 'Kalvebod Brygge 41, 1560 København V', from: 1 },
  { co: 'L', city: 'aarhus', pnr: '1008841127', address: 'Hedeager 5, 8200 Aarhus N', from: 1 },
  { co: 'L', city: 'kolding', pnr: '1011302268', address: 'Trianglen 3, 6000 Kolding', from: 1 },
  { co: 'L', city: 'odense', pnr: '1024410093', address: 'Tietgenbyen 18, 5220 Odense SØ', from: 9 },
  { co: 'F', city: 'vejle', pnr: '1006578214', address: 'Vestre Engvej 22, 7100 Vejle', from: 1 },
  { co: 'N', city: 'esbjerg', pnr: '1015620987', address: 'Dokvej 9, 6700 Esbjerg', from: 8 },
];

export interface CorpusDestination {
  id: string;
  name: string;
  kind: 'shared_mailbox' | 'teams_channel';
  /** First month it exists. */
  from: number;
  /** First month it no longer exists (archived). */
  archived?: number;
}

const D = (id: string, name: string, kind: CorpusDestination['kind'] = 'shared_mailbox', from = 1, archived?: number): CorpusDestination =>
  ({ id: `d-${id}`, name, kind, from, ...(archived ? { archived } : {}) });

export const DESTINATIONS: CorpusDestination[] = [
  D('post', 'Post – Fælles'), D('direktion', 'Direktion'), D('jura', 'Jura'), D('hr', 'HR'), D('loen', 'Løn'),
  D('fravaer', 'Barsel og sygefravær', 'teams_channel'), D('itsik', 'IT-sikkerhed', 'teams_channel'),
  D('gdpr', 'Compliance og GDPR'), D('skat', 'Koncernskat'), D('regnskab', 'Koncernregnskab'),
  D('rapport', 'Rapportering og statistik'), D('indkob', 'Indkøb'), D('forsikring', 'Forsikring'),
  D('arbmiljo', 'Arbejdsmiljø', 'shared_mailbox', 1, 10), D('hse', 'HSE – Arbejdsmiljø og sikkerhed', 'teams_channel', 10),
  D('miljo', 'Miljø og klima'), D('okon-h', 'Økonomi – Holding'), D('okon-e', 'Økonomi – Ejendomme'),
  D('okon-l', 'Økonomi – Logistik'), D('okon-r', 'Økonomi – Rådgivning'), D('okon-f', 'Økonomi – Fødevarer'),
  D('okon-n', 'Økonomi – Energi', 'shared_mailbox', 8), D('byg', 'Ejendomme – Byggeri og projekter'),
  D('drift-kbh', 'Ejendomme – Drift København'), D('drift-aar', 'Ejendomme – Drift Aarhus'),
  D('flaade', 'Flåde og køretøjer'), D('told', 'Logistik – Told og transport'), D('lager-aar', 'Logistik – Lager Aarhus'),
  D('lager-kol', 'Logistik – Lager Kolding'), D('lager-ode', 'Logistik – Lager Odense', 'shared_mailbox', 9),
  D('kvalitet', 'Fødevarer – Kvalitet og fødevaresikkerhed', 'teams_channel'), D('prod-vejle', 'Fødevarer – Produktion Vejle'),
  D('energi-drift', 'Energi – Anlæg og drift', 'teams_channel', 8), D('produktsik', 'Produktsikkerhed'), D('kreditor', 'Kreditorer'),
];

/** The destination ids that exist in a month (the registry's live ones). */
export function allowedAt(month: number): Set<string> {
  return new Set(DESTINATIONS.filter((d) => d.from <= month && (d.archived === undefined || month < d.archived)).map((d) => d.id));
}

const okon = (c: Co) => `d-okon-${c.toLowerCase()}`;
/** Arbejdsmiljø is HSE from October. */
const arbmiljo = (month: number) => (month >= 10 ? 'd-hse' : 'd-arbmiljo');

/** Ways authorities address a department (attention), and the people in it. */
const DEPT_ATTENTION: Record<string, { labels: string[]; people: string[] }> = {
  'd-loen': { labels: ['Lønbogholderiet', 'Løn og personale', 'Lønafdelingen'], people: ['Mette Kjær', 'Lars Holm'] },
  'd-hr': { labels: ['HR-afdelingen', 'Personaleafdelingen'], people: ['Camilla Vestergaard', 'Jonas Brandt'] },
  'd-fravaer': { labels: ['HR-afdelingen', 'Fraværsteamet'], people: ['Camilla Vestergaard', 'Birgitte Munk'] },
  'd-jura': { labels: ['Juridisk afdeling', 'Den juridiske afdeling'], people: ['Henrik Dahl'] },
  'd-direktion': { labels: ['Direktionen', 'Den daglige ledelse'], people: ['Anne Sofie Lind'] },
  'd-skat': { labels: ['Skatteafdelingen'], people: ['Rasmus Friis'] },
  'd-regnskab': { labels: ['Regnskabsafdelingen', 'Økonomiafdelingen'], people: ['Karina Møller'] },
  'd-okon-h': { labels: ['Økonomiafdelingen', 'Bogholderiet'], people: ['Susanne Bach'] },
  'd-okon-e': { labels: ['Økonomiafdelingen', 'Bogholderiet'], people: ['Peter Lund'] },
  'd-okon-l': { labels: ['Økonomiafdelingen', 'Bogholderiet'], people: ['Tina Søndergaard'] },
  'd-okon-r': { labels: ['Økonomiafdelingen'], people: ['Morten Krogh'] },
  'd-okon-f': { labels: ['Økonomiafdelingen', 'Bogholderiet'], people: ['Hanne Thygesen'] },
  'd-okon-n': { labels: ['Økonomiafdelingen'], people: ['Kasper Bundgaard'] },
  'd-arbmiljo': { labels: ['Arbejdsmiljøorganisationen', 'Arbejdsmiljørepræsentanten'], people: ['Niels Gram'] },
  'd-hse': { labels: ['Arbejdsmiljøorganisationen', 'HSE-afdelingen'], people: ['Niels Gram'] },
  'd-miljo': { labels: ['Miljøansvarlig'], people: ['Ida Winther'] },
  'd-byg': { labels: ['Byggeafdelingen', 'Projektafdelingen'], people: ['Thomas Riis'] },
  'd-drift-kbh': { labels: ['Driftsafdelingen', 'Ejendomsservice'], people: ['Bo Kristoffersen'] },
  'd-drift-aar': { labels: ['Driftsafdelingen'], people: ['Jens Overgaard'] },
  'd-flaade': { labels: ['Flådeansvarlig', 'Vognparken'], people: ['Michael Skov'] },
  'd-told': { labels: ['Toldafdelingen', 'Transportafdelingen'], people: ['Sara El-Khatib'] },
  'd-lager-aar': { labels: ['Lagerchefen'], people: ['Kim Bech'] },
  'd-lager-kol': { labels: ['Lagerchefen'], people: ['Poul Erik Nygaard'] },
  'd-lager-ode': { labels: ['Lagerchefen'], people: ['Louise Kragh'] },
  'd-kvalitet': { labels: ['Kvalitetsafdelingen', 'Fødevaresikkerhed'], people: ['Eva Lauridsen'] },
  'd-prod-vejle': { labels: ['Produktionschefen'], people: ['Anders Hviid'] },
  'd-energi-drift': { labels: ['Driftsledelsen'], people: ['Sune Markussen'] },
  'd-produktsik': { labels: ['Produktsikkerhed'], people: ['Maja Frost'] },
  'd-gdpr': { labels: ['Databeskyttelsesrådgiveren (DPO)'], people: ['Julie Engberg'] },
  'd-itsik': { labels: ['IT-afdelingen', 'IT-sikkerhedsansvarlig'], people: ['Oliver Storm'] },
  'd-forsikring': { labels: ['Forsikringsafdelingen'], people: ['Gitte Bruun'] },
};

// ---------------------------------------------------------------------------------------------
// Senders

interface Sender { key: string; name: string; cvr: string; caseSystem: string; web: string; phone: string; units: string[]; from: number }
const S = (key: string, name: string, cvr: string, caseSystem: string, web: string, phone: string, units: string[], from = 1): Sender =>
  ({ key, name, cvr, caseSystem, web, phone, units, from });

export const SENDERS: Record<string, Sender> = Object.fromEntries([
  S('skst', 'Skattestyrelsen', '73423023', 'Skattestyrelsen Sag', 'skat.dk', '72 22 18 18', ['Moms, Erhverv', 'Selskabsskat', 'Kontrol, Erhverv', 'A-skat og AM-bidrag', 'Skattekonto']),
  S('vurd', 'Vurderingsstyrelsen', cvrFrom(43051210), 'VUR Sag', 'vurdst.dk', '72 22 18 18', ['Erhvervsvurdering']),
  S('gaeld', 'Gældsstyrelsen', cvrFrom(43047380), 'Gæld Sag', 'gaeldst.dk', '70 15 73 04', ['Inddrivelse', 'Lønindeholdelse']),
  S('told', 'Toldstyrelsen', cvrFrom(43046550), 'Told Sag', 'toldst.dk', '72 22 18 18', ['Toldbehandling', 'Tarifering']),
  S('udk', 'Udbetaling Danmark', '70776774', 'UDK Sag', 'virk.dk', '70 12 80 63', ['Barsel, Arbejdsgiver', 'Opkrævning']),
  S('atp', 'ATP', cvrFrom(43405810), 'ATP Sag', 'atp.dk', '70 11 12 13', ['Arbejdsgiverbidrag']),
  S('aes', 'Arbejdsmarkedets Erhvervssikring', cvrFrom(25634215), 'AES Sag', 'aes.dk', '72 20 60 00', ['Arbejdsskader']),
  S('erst', 'Erhvervsstyrelsen', '10150817', 'Workzone', 'erhvervsstyrelsen.dk', '35 29 10 00', ['Regnskabskontrol', 'Registrering', 'Tvangsopløsning']),
  S('digst', 'Digitaliseringsstyrelsen', cvrFrom(34051178), 'F2', 'digst.dk', '33 92 52 00', ['MitID Erhverv']),
  S('kk', 'Københavns Kommune', '64942212', 'eDoc', 'kk.dk', '33 66 33 66', ['Byggeri', 'Affald og Genbrug', 'Ejendomsskat', 'Jobcenter København', 'Miljøbeskyttelse']),
  S('aak', 'Aarhus Kommune', '55133018', 'Aarhus Sag', 'aarhus.dk', '89 40 20 00', ['Miljø og Energi', 'Byggeri', 'Affald', 'Jobcenter Aarhus']),
  S('kol', 'Kolding Kommune', cvrFrom(29189838), 'Acadre', 'kolding.dk', '79 79 79 79', ['Teknik og Miljø', 'Jobcenter Kolding']),
  S('vej', 'Vejle Kommune', cvrFrom(29189900), 'SBSYS', 'vejle.dk', '76 81 00 00', ['Miljø og Spildevand', 'Jobcenter Vejle']),
  S('at', 'Arbejdstilsynet', '22357875', 'AT Sag', 'at.dk', '70 12 12 88', ['Tilsyn Øst', 'Tilsyn Vest', 'Tilsyn Syd']),
  S('dst', 'Danmarks Statistik', '17150413', 'DST Sag', 'dst.dk', '39 17 39 17', ['Erhvervsstatistik']),
  S('motor', 'Motorstyrelsen', '14271678', 'Motorstyrelsen Sag', 'motorst.dk', '72 22 18 18', ['Motorafgifter', 'Registrering']),
  S('pol', 'Rigspolitiet', cvrFrom(17283000), 'POLSAS', 'politi.dk', '114', ['Nationalt Færdselscenter', 'Politiets Administrative Center']),
  S('sik', 'Sikkerhedsstyrelsen', '51093585', 'SIK Sag', 'sik.dk', '33 73 20 00', ['Markedskontrol', 'El og gas']),
  S('mst', 'Miljøstyrelsen', cvrFrom(25798376), 'MST Sag', 'mst.dk', '72 54 40 00', ['Producentansvar', 'Virksomheder']),
  S('fvst', 'Fødevarestyrelsen', cvrFrom(62534516), 'FVST Sag', 'foedevarestyrelsen.dk', '72 27 69 00', ['Kontrol', 'Autorisation', 'Opkrævning']),
  S('ens', 'Energistyrelsen', '59778714', 'Workzone', 'ens.dk', '33 92 67 00', ['Energistatistik', 'Energieffektivisering']),
  S('dt', 'Datatilsynet', cvrFrom(11883729), 'Datatilsynet Sag', 'datatilsynet.dk', '33 19 32 00', ['Tilsyn']),
  S('siri', 'Styrelsen for International Rekruttering og Integration', cvrFrom(33392668), 'SIRI Sag', 'nyidanmark.dk', '72 14 20 00', ['Erhverv']),
  S('ret', 'Retten i Aarhus', cvrFrom(21659509), 'Domstolenes Sagsportal', 'domstol.dk', '99 68 60 00', ['Civilafdelingen']),
  S('ast', 'Ankestyrelsen', cvrFrom(55568510), 'Ankestyrelsen Sag', 'ast.dk', '33 41 12 00', ['Beskæftigelse']),
  // New during the year
  S('sams', 'Styrelsen for Samfundssikkerhed', cvrFrom(44049418), 'SAMS Sag', 'samsik.dk', '72 85 20 00', ['Cybersikkerhed og NIS2'], 7),
  S('esb', 'Esbjerg Kommune', cvrFrom(29189730), 'Esbjerg Sag', 'esbjerg.dk', '76 16 16 16', ['Miljø', 'Jobcenter Esbjerg'], 8),
  S('fsts', 'Forsyningstilsynet', cvrFrom(37795526), 'FSTS Sag', 'forsyningstilsynet.dk', '41 71 54 00', ['El og fjernvarme'], 8),
  S('ode', 'Odense Kommune', cvrFrom(35208115), 'Odense Sag', 'odense.dk', '66 13 13 72', ['By- og Kulturforvaltningen', 'Jobcenter Odense'], 9),
  S('vd', 'Vejdirektoratet', cvrFrom(60729018), 'VD Sag', 'vejdirektoratet.dk', '72 44 33 33', ['Særtransport'], 10),
  S('kds', 'Klimadatastyrelsen', cvrFrom(62532018), 'KDS Sag', 'klimadatastyrelsen.dk', '72 54 55 00', ['Matrikel'], 11),
].map((s) => [s.key, s]));

/** The municipality of a city (which kommune writes to a site). */
const KOMMUNE_OF: Record<City, string> = { kbh: 'kk', aarhus: 'aak', kolding: 'kol', vejle: 'vej', odense: 'ode', esbjerg: 'esb' };

// ---------------------------------------------------------------------------------------------
// Topics

interface Ctx {
  rnd: Rnd;
  month: number;
  co: Company;
  site?: Site;
  sender: Sender;
  employee?: { name: string; cpr: string };
}

interface Topic {
  id: string;
  /** A sender key, or 'kommune': the site's municipality writes. */
  sender: string;
  /** Letters per month per recipient (company, or site when `perSite`). */
  rate: number;
  recipients: Co[];
  perSite?: boolean;
  /** Multiplier per month (missing months: `otherwise`, default 1). */
  season?: Record<number, number>;
  otherwise?: number;
  from?: number;
  labels: string[];
  notification?: string;
  sentences: string[];
  kle?: string;
  form?: string;
  docs?: string[];
  attachments?: string[];
  /** Names an employee with a CPR number. */
  employee?: boolean;
  /** Gives the P-number of the site. */
  pnumber?: number;
  reply?: boolean;
  /** Where the letter belongs. */
  truth: (c: Ctx) => string[];
  /** Plausible other places a person sometimes chooses. */
  alt?: (c: Ctx) => string[];
}

const quarterly = (ms: number[], k = 3): Record<number, number> => Object.fromEntries(ms.map((m) => [m, k]));

const ALL: Co[] = ['H', 'E', 'L', 'R', 'F', 'N'];

const TOPICS: Topic[] = [
  // ---- Skattestyrelsen
  {
    id: 'moms-rykker', sender: 'skst', rate: 0.35, recipients: ALL, season: quarterly([3, 6, 9, 12], 4), otherwise: 0.4,
    labels: ['Rykker: Momsangivelse for {quarter} mangler', 'Påmindelse om momsangivelse for {quarter}', 'Manglende momsangivelse – {quarter}'],
    notification: 'Rykker for manglende momsangivelse',
    sentences: [
      'Vi har endnu ikke modtaget momsangivelsen for {quarter} for {company}, CVR-nr. {cvr}.',
      'Du skal angive momsen hurtigst muligt og senest {date} i TastSelv Erhverv.',
      'Modtager vi ikke angivelsen inden fristen, fastsætter vi momsen foreløbigt, og virksomheden skal betale en afgift på 800 kr.',
      'Har virksomheden ikke haft momspligtigt salg i perioden, skal du angive 0 kr.',
      'Du kan se virksomhedens angivelser og betalinger på skattekontoen.',
    ],
    truth: (c) => [okon(c.co.key)], alt: () => ['d-skat'],
  },
  {
    id: 'moms-foreloebig', sender: 'skst', rate: 0.15, recipients: ALL, season: quarterly([1, 4, 7, 10], 4), otherwise: 0.3, reply: true,
    labels: ['Foreløbig fastsættelse af moms for {quarter}', 'Afgørelse: Foreløbig fastsat moms'],
    sentences: [
      'Da vi ikke har modtaget momsangivelsen for {quarter}, har vi fastsat momsen foreløbigt til {amount}.',
      'Beløbet er bogført på virksomhedens skattekonto med forfald {date}.',
      'Indsender I en korrekt angivelse, erstatter den den foreløbige fastsættelse.',
      'Er I uenige i fastsættelsen, kan I svare på dette brev inden svarfristen.',
    ],
    attachments: ['Klagevejledning.pdf'],
    truth: (c) => [okon(c.co.key)], alt: () => ['d-skat'],
  },
  {
    id: 'askat', sender: 'skst', rate: 0.5, recipients: ALL,
    labels: ['Manglende indberetning til eIndkomst for {monthName}', 'Rykker: A-skat og AM-bidrag for {monthName}', 'Din indberetning af A-skat er ikke modtaget'],
    sentences: [
      'Vi har ikke modtaget indberetning af A-skat og arbejdsmarkedsbidrag for {monthName} til eIndkomst.',
      'Virksomheden skal indberette løn, A-skat og AM-bidrag for alle ansatte senest {date}.',
      'Indberetningen sker via lønsystemet eller direkte i eIndkomst på skat.dk.',
      'Manglende indberetning kan medføre, at medarbejdernes forskudsopgørelse bliver forkert.',
      'Er der ikke udbetalt løn i perioden, skal der indberettes en nulangivelse.',
    ],
    truth: () => ['d-loen'], alt: (c) => [okon(c.co.key)],
  },
  {
    id: 'loensum', sender: 'skst', rate: 0.7, recipients: ['E', 'R'], season: quarterly([1, 4, 7, 10], 2.5), otherwise: 0.4,
    labels: ['Lønsumsafgift for {quarter}', 'Rykker: Lønsumsafgift er ikke angivet'],
    sentences: [
      'Virksomheden er registreret for lønsumsafgift efter metode 4.',
      'Lønsumsafgiften for {quarter} skal angives og betales senest {date}.',
      'Lønsumsafgiften beregnes af virksomhedens lønsum og overskud.',
      'Vi har endnu ikke modtaget angivelsen af lønsumsafgift for perioden.',
    ],
    truth: () => ['d-loen'], alt: (c) => [okon(c.co.key)],
  },
  {
    id: 'acontoskat', sender: 'skst', rate: 1, recipients: ['H', 'E', 'L', 'R', 'F', 'N'], season: { 3: 1, 11: 1 }, otherwise: 0.05,
    labels: ['Opkrævning af acontoskat for indkomståret {year}', 'Acontoskat: {rate}. rate {year}'],
    sentences: [
      'Selskabet skal betale acontoskat i marts og november.',
      'Acontoskatten for {year} er beregnet på grundlag af selskabets skattepligtige indkomst for de seneste tre indkomstår.',
      'Raten på {amount} forfalder den {date} og betales via skattekontoen.',
      'Selskabet kan forhøje eller nedsætte acontoskatten i TastSelv Erhverv.',
      'Selskabsskatten er 22 procent af den skattepligtige indkomst.',
    ],
    truth: () => ['d-skat'], alt: (c) => [okon(c.co.key)],
  },
  {
    id: 'selskabsskat', sender: 'skst', rate: 1, recipients: ['H', 'E', 'L', 'R', 'F'], season: { 10: 0.6, 11: 1.2 }, otherwise: 0,
    labels: ['Slutopgørelse af selskabsskat for indkomståret {prevYear}', 'Selskabsskat {prevYear}: Restskat'],
    sentences: [
      'Vi har nu opgjort selskabets skat for indkomståret {prevYear} på grundlag af den indsendte selvangivelse.',
      'Efter modregning af betalte acontorater skal selskabet betale en restskat på {amount} inklusive restskattetillæg.',
      'Restskatten forfalder den {date} og betales via skattekontoen.',
      'Selskabsskatten er opgjort for sambeskatningen med {company} som administrationsselskab.',
    ],
    attachments: ['Specifikation selskabsskat.pdf'],
    truth: () => ['d-skat'], alt: () => ['d-regnskab'],
  },
  {
    id: 'skst-kontrol', sender: 'skst', rate: 0.08, recipients: ALL, reply: true, pnumber: 0.6,
    labels: ['Varsel om kontrolbesøg vedrørende moms', 'Varsel om kontrol af virksomhedens regnskab', 'Kontrolbesøg: moms og lønsumsafgift'],
    sentences: [
      'Skattestyrelsen gennemfører kontrol af virksomhedens momsregnskab for perioden 1. januar – 31. december {prevYear}.',
      'Vi kommer på kontrolbesøg den {date} kl. 10.00 på virksomhedens adresse.',
      'Vi beder jer have bogføring, købs- og salgsbilag, kontoudtog og momsafstemninger klar.',
      'Passer tidspunktet ikke, beder vi jer svare på dette brev med forslag til et andet tidspunkt.',
    ],
    truth: (c) => ['d-skat', okon(c.co.key)], alt: () => ['d-skat'],
  },
  {
    id: 'skattekonto', sender: 'skst', rate: 0.3, recipients: ALL,
    labels: ['Saldo på skattekontoen', 'Renter på skattekontoen for {monthName}', 'Skattekontoen: Beløb til udbetaling'],
    sentences: [
      'Der er en negativ saldo på virksomhedens skattekonto på {amount}.',
      'Der beregnes rente af negativ saldo på skattekontoen fra forfaldsdagen.',
      'Et overskydende beløb udbetales til virksomhedens NemKonto.',
      'Du kan se posteringerne på skattekontoen i TastSelv Erhverv.',
    ],
    truth: (c) => [okon(c.co.key)], alt: () => ['d-kreditor'],
  },
  // ---- Vurderingsstyrelsen
  {
    id: 'ejendomsvurdering', sender: 'vurd', rate: 1.2, recipients: ['E'], season: { 4: 2, 5: 2, 9: 2 },
    labels: ['Ejendomsvurdering af erhvervsejendom, {address}', 'Foreløbig ejendomsvurdering {year}', 'Forslag til ny ejendomsvurdering'],
    sentences: [
      'Vurderingsstyrelsen har vurderet ejendommen {address} pr. 1. januar {year}.',
      'Ejendomsværdien er fastsat til {amount}, og grundværdien til en del heraf.',
      'Vurderingen danner grundlag for grundskyld og dækningsafgift til kommunen.',
      'Er I uenige i vurderingen, kan I klage til Skatteankestyrelsen inden 90 dage.',
    ],
    attachments: ['Klagevejledning.pdf'],
    truth: () => ['d-okon-e'], alt: () => ['d-byg'],
  },
  // ---- Gældsstyrelsen
  {
    id: 'loenindeholdelse', sender: 'gaeld', rate: 0.5, recipients: ['H', 'E', 'L', 'F', 'R'], employee: true,
    labels: ['Afgørelse om lønindeholdelse', 'Lønindeholdelse i medarbejders løn', 'Ændring af lønindeholdelsesprocent'],
    sentences: [
      'Gældsstyrelsen har truffet afgørelse om lønindeholdelse hos en af virksomhedens medarbejdere.',
      'Virksomheden skal indeholde {pct} procent af medarbejderens løn fra den {date}.',
      'Det indeholdte beløb indberettes til eIndkomst og indbetales sammen med A-skatten.',
      'Lønindeholdelsen skal fortsætte, indtil Gældsstyrelsen meddeler andet.',
    ],
    truth: () => ['d-loen'], alt: () => ['d-hr'],
  },
  {
    id: 'inddrivelse', sender: 'gaeld', rate: 0.15, recipients: ALL,
    labels: ['Varsel om inddrivelse af gæld', 'Modregning i tilgodehavende', 'Restance overdraget til inddrivelse'],
    sentences: [
      'Virksomheden har en restance til det offentlige på {amount}, som er overdraget til inddrivelse.',
      'Betaler virksomheden ikke senest {date}, kan Gældsstyrelsen foretage udlæg.',
      'Vi har modregnet et tilgodehavende i gælden.',
      'Du kan se gælden og betale den på gaeldst.dk.',
    ],
    truth: (c) => [okon(c.co.key)], alt: () => ['d-kreditor'],
  },
  // ---- Toldstyrelsen
  {
    id: 'told', sender: 'told', rate: 2.2, recipients: ['L', 'F'],
    labels: ['Toldangivelse: Afgørelse om efteropkrævning', 'Bindende tariferingsoplysning', 'Kontrol af toldangivelser', 'Opkrævning af told og importmoms'],
    sentences: [
      'Toldstyrelsen har gennemgået virksomhedens toldangivelser for importerede varer.',
      'Varerne tariferes under varekode {code} i EU’s toldtarif.',
      'Der efteropkræves told og importmoms på {amount}.',
      'Afgørelsen er truffet efter EU-toldkodeksen.',
      'Kontakt Toldstyrelsen, hvis I har spørgsmål til tariferingen.',
    ],
    truth: () => ['d-told'],
  },
  // ---- Udbetaling Danmark
  {
    id: 'barsel-refusion', sender: 'udk', rate: 0.8, recipients: ['H', 'E', 'L', 'R', 'F'], employee: true,
    labels: ['Afgørelse om refusion af barselsdagpenge', 'Refusion af barselsdagpenge er udbetalt', 'Din anmodning om barselsrefusion'],
    sentences: [
      'Vi har behandlet virksomhedens anmodning om refusion af barselsdagpenge.',
      'Virksomheden får udbetalt {amount} i refusion til virksomhedens NemKonto.',
      'Refusionen gælder perioden med barselsorlov, hvor medarbejderen har fået løn.',
      'Er I uenige i afgørelsen, kan I klage til Ankestyrelsen.',
    ],
    truth: () => ['d-fravaer'], alt: () => ['d-loen'],
  },
  {
    id: 'barsel-bidrag', sender: 'udk', rate: 0.9, recipients: ALL, season: quarterly([1, 4, 7, 10], 2.5), otherwise: 0.2,
    labels: ['Opkrævning af bidrag til barsel.dk for {quarter}', 'Bidrag til den arbejdsmarkedsrettede barselsfond'],
    sentences: [
      'Alle private arbejdsgivere betaler bidrag til den arbejdsmarkedsrettede barselsfond.',
      'Bidraget for {quarter} udgør {amount}.',
      'Bidraget opkræves sammen med ATP-bidraget og forfalder den {date}.',
      'Bidraget beregnes ud fra antallet af ansatte.',
    ],
    truth: () => ['d-loen'], alt: (c) => [okon(c.co.key)],
  },
  // ---- ATP
  {
    id: 'atp', sender: 'atp', rate: 1, recipients: ALL, season: quarterly([1, 4, 7, 10], 2.5), otherwise: 0.2,
    labels: ['Opkrævning af ATP-bidrag for {quarter}', 'Opkrævning af arbejdsgiverbidrag (AUB, AES og barsel.dk)', 'ATP-bidrag: rykker'],
    sentences: [
      'Her er opkrævningen af ATP-bidrag og øvrige arbejdsgiverbidrag for {quarter}.',
      'Beløbet på {amount} trækkes via Betalingsservice den {date}.',
      'Bidragene beregnes på grundlag af indberetningerne til eIndkomst.',
      'Opkrævningen omfatter bidrag til AUB, AES og barsel.dk.',
    ],
    truth: () => ['d-loen'],
  },
  // ---- AES (arbejdsskader)
  {
    id: 'arbejdsskade-anmodning', sender: 'aes', rate: 0.35, recipients: ['L', 'F', 'E'], employee: true, reply: true,
    labels: ['Anmodning om oplysninger i arbejdsskadesag', 'Arbejdsskadesag: Vi mangler oplysninger fra arbejdsgiveren'],
    sentences: [
      'Arbejdsmarkedets Erhvervssikring behandler en sag om arbejdsskade for en af virksomhedens medarbejdere.',
      'Vi beder virksomheden oplyse, hvordan ulykken skete, og hvilke arbejdsopgaver medarbejderen havde.',
      'Send oplysningerne senest {date} ved at svare på dette brev.',
      'Sagen er anmeldt som en arbejdsulykke.',
    ],
    truth: (c) => ['d-hr', arbmiljo(c.month)], alt: () => ['d-hr'],
  },
  {
    id: 'arbejdsskade-afgoerelse', sender: 'aes', rate: 0.2, recipients: ['L', 'F', 'E'], employee: true,
    labels: ['Afgørelse i arbejdsskadesag', 'Arbejdsskade anerkendt', 'Afgørelse om erstatning for tab af erhvervsevne'],
    sentences: [
      'Arbejdsmarkedets Erhvervssikring har truffet afgørelse i sagen om arbejdsskade.',
      'Skaden er anerkendt som en arbejdsskade efter arbejdsskadesikringsloven.',
      'Erstatningen udbetales af virksomhedens arbejdsskadeforsikring.',
      'Afgørelsen kan påklages til Ankestyrelsen inden fire uger.',
    ],
    attachments: ['Klagevejledning.pdf'],
    truth: () => ['d-forsikring', 'd-hr'], alt: () => ['d-hr'],
  },
  // ---- Erhvervsstyrelsen
  {
    id: 'aarsrapport', sender: 'erst', rate: 1, recipients: ['H', 'E', 'L', 'R', 'F'], season: { 6: 1.5, 7: 2, 8: 1 }, otherwise: 0.05, reply: true,
    labels: ['Påbud: Årsrapport for {prevYear} er ikke modtaget', 'Årsrapport for {prevYear} mangler'],
    notification: 'Påbud fra Erhvervsstyrelsen',
    sentences: [
      'Erhvervsstyrelsen har ikke modtaget årsrapporten for regnskabsåret {prevYear} for {company}, CVR-nr. {cvr}.',
      'Vi påbyder hermed selskabet at indsende årsrapporten senest {date}.',
      'Modtager vi ikke årsrapporten inden fristen, pålægges ledelsen tvangsbøder.',
      'Selskabet kan i sidste ende blive sendt til tvangsopløsning, jf. selskabslovens § 225.',
    ],
    truth: () => ['d-regnskab'],
  },
  {
    id: 'regnskabskontrol', sender: 'erst', rate: 0.1, recipients: ['H', 'E', 'L', 'R', 'F'],
    labels: ['Kontrol af årsrapport', 'Regnskabskontrol: Udtagelse til kontrol'],
    sentences: [
      'Selskabets årsrapport for {prevYear} er udtaget til kontrol.',
      'Vi beder om en redegørelse for regnskabspraksis og revisors erklæring.',
      'Kontrollen sker efter årsregnskabsloven.',
      'Svar senest {date}.',
    ],
    truth: () => ['d-regnskab'], alt: () => ['d-jura'],
  },
  {
    id: 'tvangsopl', sender: 'erst', rate: 0.25, recipients: ['E', 'R', 'F'], season: { 9: 1, 10: 1.5, 11: 0.5 }, otherwise: 0,
    labels: ['Anmodning til skifteretten om tvangsopløsning', 'Varsel om tvangsopløsning'],
    sentences: [
      'Selskabet har ikke efterkommet påbuddet om at indsende årsrapport.',
      'Erhvervsstyrelsen vil derfor anmode skifteretten om at opløse selskabet.',
      'Tvangsopløsningen kan afværges ved at indsende årsrapporten straks.',
    ],
    truth: () => ['d-jura', 'd-direktion'], alt: () => ['d-regnskab'],
  },
  {
    id: 'reelle-ejere', sender: 'erst', rate: 0.08, recipients: ALL,
    labels: ['Påbud om registrering af reelle ejere', 'Kvittering for registrering af ændringer i CVR', 'Registrering af ny direktør'],
    sentences: [
      'Selskabet har ikke registreret oplysninger om selskabets reelle ejere i CVR.',
      'Vi påbyder selskabet at registrere de reelle ejere senest {date} på virk.dk.',
      'Reelle ejere er de fysiske personer, der ejer eller kontrollerer mere end 25 procent af selskabet.',
      'Ændringen af ledelsen er registreret i CVR.',
    ],
    truth: () => ['d-jura'], alt: () => ['d-direktion'],
  },
  {
    id: 'mitid', sender: 'digst', rate: 0.12, recipients: ALL,
    labels: ['MitID Erhverv: Ny administrator er oprettet', 'Brugeradministration i MitID Erhverv', 'Dit lokale IdP-certifikat udløber'],
    sentences: [
      'Der er oprettet en ny administrator for virksomhedens MitID Erhverv.',
      'Kontroller, at virksomhedens brugere og rettigheder er korrekte.',
      'Certifikatet til virksomhedens lokale IdP udløber den {date}.',
      'Ændringer foretages i MitID Erhverv på mitid-erhverv.dk.',
    ],
    truth: () => ['d-itsik'],
  },
  // ---- Municipalities (the site's kommune)
  {
    id: 'byggetilladelse', sender: 'kommune', rate: 0.35, recipients: ['E', 'L', 'H'], perSite: true, kle: '02.34.02', reply: true, pnumber: 0.3,
    labels: ['Byggetilladelse til ombygning af erhvervslokaler, {address}', 'Afgørelse om byggetilladelse', 'Partshøring i byggesag, {address}'],
    sentences: [
      'Kommunen giver hermed tilladelse til ombygning af erhvervslokaler på ejendommen {address}, jf. byggelovens § 16.',
      'Tilladelsen er givet på grundlag af jeres ansøgning og de vedlagte tegninger.',
      'Byggearbejdet skal påbegyndes inden et år, ellers bortfalder tilladelsen.',
      'Når byggeriet er færdigt, skal I anmelde det i Byg og Miljø.',
    ],
    attachments: ['Bilag 1 - Godkendte tegninger.pdf', 'Klagevejledning.pdf'],
    truth: () => ['d-byg'],
  },
  {
    id: 'affald', sender: 'kommune', rate: 0.3, recipients: ALL, perSite: true, kle: '07.18.00', season: { 2: 4, 3: 1.5 }, otherwise: 0.5,
    labels: ['Opkrævning af erhvervsaffaldsgebyr {year}', 'Erhvervsaffald: Tømning og sortering', 'Ændring af affaldsordning for virksomheder'],
    sentences: [
      'Alle virksomheder i kommunen betaler et årligt gebyr for administration af erhvervsaffald.',
      'Gebyret for {year} udgør {amount} og forfalder den {date}.',
      'Virksomheden skal sortere affaldet i de affaldsfraktioner, der fremgår af affaldsbekendtgørelsen.',
      'Mener I, at virksomheden er fritaget for gebyret, kan I søge om fritagelse.',
    ],
    truth: (c) => [siteDept(c)], alt: (c) => [okon(c.co.key)],
  },
  {
    id: 'ejendomsskat', sender: 'kommune', rate: 0.5, recipients: ['E', 'H'], perSite: true, kle: '25.02.00', season: { 1: 3, 7: 3 }, otherwise: 0.2,
    labels: ['Opkrævning af ejendomsskat, 1. rate {year}', 'Ejendomsskattebillet {year}', 'Grundskyld og dækningsafgift {year}'],
    sentences: [
      'Her er ejendomsskattebilletten for ejendommen {address}.',
      'Grundskyld og dækningsafgift for {year} udgør i alt {amount}.',
      'Ejendomsskatten betales i to rater med forfald {date}.',
      'Beregningen bygger på den seneste offentlige ejendomsvurdering.',
    ],
    truth: (c) => [okon(c.co.key)], alt: () => ['d-kreditor'],
  },
  {
    id: 'sygedagpenge', sender: 'kommune', rate: 0.6, recipients: ALL, perSite: true, kle: '15.21.00', employee: true, reply: true,
    labels: ['Opfølgning på sygefravær', 'Anmodning om oplysninger i sygedagpengesag', 'Mulighedserklæring og fastholdelse'],
    sentences: [
      'Jobcentret følger op på sygefraværet for en af virksomhedens medarbejdere.',
      'Vi beder virksomheden oplyse om medarbejderens arbejdsfunktioner og mulighed for delvis raskmelding.',
      'Svar senest {date}, så vi kan behandle sagen om sygedagpenge.',
      'Sygedagpengeloven giver kommunen pligt til at følge op på sygefravær.',
    ],
    truth: () => ['d-fravaer'], alt: () => ['d-hr'],
  },
  {
    id: 'sygedagpenge-refusion', sender: 'kommune', rate: 0.5, recipients: ALL, perSite: true, kle: '15.21.00', employee: true,
    labels: ['Afgørelse om refusion af sygedagpenge', 'Refusion af sygedagpenge udbetalt', 'Sygedagpengerefusion: Afslag'],
    sentences: [
      'Virksomheden har søgt om refusion af sygedagpenge efter arbejdsgiverperioden.',
      'Kommunen udbetaler {amount} i refusion til virksomhedens NemKonto.',
      'Refusionen er beregnet for perioden med sygefravær.',
      'Anmodningen om refusion er modtaget for sent, og der kan derfor ikke udbetales refusion for hele perioden.',
    ],
    truth: () => ['d-loen'], alt: () => ['d-fravaer'],
  },
  {
    id: 'jobcenter', sender: 'kommune', rate: 0.2, recipients: ALL, perSite: true, kle: '15.00.00',
    labels: ['Aftale om virksomhedspraktik', 'Tilbud om løntilskud', 'Jobcentret: Rekrutteringsservice'],
    sentences: [
      'Jobcentret kan hjælpe virksomheden med at rekruttere nye medarbejdere.',
      'Aftalen om virksomhedspraktik gælder fra {date}.',
      'Virksomheden modtager løntilskud for ansættelsen.',
      'Kontakt din virksomhedskonsulent i jobcentret.',
    ],
    truth: () => ['d-hr'],
  },
  {
    id: 'miljoetilsyn-varsel', sender: 'kommune', rate: 0.25, recipients: ['L', 'F', 'N'], perSite: true, kle: '09.02.00', pnumber: 0.9, reply: true,
    labels: ['Varsel om miljøtilsyn, {address}', 'Miljøtilsyn på virksomheden'],
    sentences: [
      'Kommunen varsler hermed miljøtilsyn på virksomhedens produktionsenhed, {address}.',
      'Tilsynet finder sted den {date} kl. 9.00 og omfatter opbevaring af kemikalier og affald, spildevand og støj.',
      'Tilsynet er en del af kommunens regelmæssige tilsyn efter miljøtilsynsbekendtgørelsen.',
      'Passer tidspunktet ikke, kan I svare på dette brev.',
    ],
    truth: (c) => [siteDept(c)], alt: () => ['d-miljo'],
  },
  {
    id: 'miljoe-paabud', sender: 'kommune', rate: 0.12, recipients: ['L', 'F', 'N'], perSite: true, kle: '09.02.00', pnumber: 0.9,
    labels: ['Påbud efter miljøtilsyn', 'Afgørelse: Påbud om støjdæmpning', 'Miljøgodkendelse af virksomheden', 'Tilladelse til udledning af spildevand'],
    sentences: [
      'Ved miljøtilsynet konstaterede kommunen forhold, der ikke er i overensstemmelse med miljøbeskyttelsesloven.',
      'Virksomheden påbydes at nedbringe støjen fra ventilationsanlægget inden {date}.',
      'Kommunen meddeler hermed miljøgodkendelse efter miljøbeskyttelseslovens § 33.',
      'Tilladelsen til udledning af spildevand gælder på de vilkår, der fremgår af afgørelsen.',
    ],
    attachments: ['Klagevejledning.pdf'],
    truth: () => ['d-miljo'], alt: (c) => [siteDept(c)],
  },
  // ---- Arbejdstilsynet
  {
    id: 'at', sender: 'at', rate: 0.3, recipients: ['L', 'F', 'E', 'N'], perSite: true, pnumber: 0.9, reply: true,
    labels: ['Påbud efter tilsynsbesøg: {atTopic}', 'Varsel om tilsynsbesøg', 'Afgørelse om påbud: {atTopic}', 'Kvittering for anmeldelse af arbejdsulykke'],
    sentences: [
      'Arbejdstilsynet var på tilsynsbesøg hos virksomheden og konstaterede problemer med arbejdsmiljøet vedrørende {atTopic}.',
      'Virksomheden får påbud om at løse problemet senest {date}, jf. arbejdsmiljølovens § 77.',
      'Når problemet er løst, skal virksomheden sende en tilbagemelding til Arbejdstilsynet.',
      'Afgørelsen kan påklages til Arbejdsmiljøklagenævnet.',
    ],
    truth: (c) => [arbmiljo(c.month)],
  },
  // ---- Danmarks Statistik
  {
    id: 'dst', sender: 'dst', rate: 0.9, recipients: ALL, pnumber: 0.5,
    labels: ['Indkaldelse til indberetning: {survey}', 'Rykker: Indberetning til {survey}'],
    sentences: [
      'Virksomheden er udvalgt til at deltage i Danmarks Statistiks undersøgelse {survey} for {quarter}.',
      'I indberetter via Danmarks Statistiks indberetningsportal senest {date}.',
      'Virksomheden har pligt til at indberette efter lov om Danmarks Statistik § 8.',
    ],
    truth: () => ['d-rapport'],
  },
  // ---- Motorstyrelsen
  {
    id: 'motor', sender: 'motor', rate: 1.6, recipients: ['L', 'F', 'E', 'N'],
    labels: ['Opkrævning af vægtafgift for køretøj {plate}', 'Indkaldelse til periodisk syn, {plate}', 'Registreringsafgift: afgørelse for {plate}'],
    sentences: [
      'Vægtafgiften for køretøjet med registreringsnummer {plate} for perioden udgør {amount}.',
      'Afgiften forfalder den {date}.',
      'Køretøjet skal til periodisk syn senest {date}.',
      'Betales afgiften ikke, kan nummerpladerne blive inddraget.',
    ],
    truth: () => ['d-flaade'],
  },
  // ---- Politiet
  {
    id: 'boedeforlaeg', sender: 'pol', rate: 1.1, recipients: ['L', 'F', 'E', 'R', 'H'],
    labels: ['Bødeforlæg: hastighedsovertrædelse med køretøj {plate}', 'Anmodning om oplysning om fører af køretøj {plate}', 'Bødeforlæg fra Nationalt Færdselscenter'],
    sentences: [
      'Køretøjet med registreringsnummer {plate} er registreret for at køre for stærkt.',
      'Fotovognen målte en hastighed over den tilladte på stedet.',
      'Virksomheden skal oplyse, hvem der førte køretøjet på gerningstidspunktet.',
      'Bøden på {amount} skal betales senest {date}.',
    ],
    truth: () => ['d-flaade'], alt: () => ['d-hr'],
  },
  {
    id: 'attest', sender: 'pol', rate: 0.3, recipients: ['H', 'R', 'F', 'L'], employee: true,
    labels: ['Børneattest', 'Svar på anmodning om straffeattest', 'Samtykke til indhentning af attest'],
    sentences: [
      'Politiet har behandlet virksomhedens anmodning om børneattest.',
      'Der er ikke registreret oplysninger om personen i Det Centrale Kriminalregister.',
      'Attesten er udstedt efter samtykke fra medarbejderen.',
    ],
    truth: () => ['d-hr'],
  },
  // ---- Sikkerhedsstyrelsen
  {
    id: 'markedskontrol', sender: 'sik', rate: 0.45, recipients: ['L', 'F'], reply: true,
    labels: ['Varsel om kontrolbesøg: markedskontrol af elektriske produkter', 'Påbud om tilbagetrækning af produkt', 'Markedskontrol: CE-mærkning'],
    sentences: [
      'Sikkerhedsstyrelsen kontrollerer, at elektriske produkter på det danske marked er sikre og korrekt mærkede.',
      'Vi besøger virksomheden den {date} for at kontrollere et udvalg af de produkter, I sælger.',
      'Hav EU-overensstemmelseserklæringer og teknisk dokumentation klar.',
      'Produktet opfylder ikke kravene og skal trækkes tilbage fra markedet.',
    ],
    truth: () => ['d-produktsik'], alt: () => ['d-kvalitet'],
  },
  {
    id: 'el-installation', sender: 'sik', rate: 0.4, recipients: ['E'],
    labels: ['Tilsyn med el-installation', 'Påbud om udbedring af elinstallation, {address}'],
    sentences: [
      'Sikkerhedsstyrelsen har ført tilsyn med elinstallationen i ejendommen {address}.',
      'Installationen skal udbedres af en autoriseret elinstallatør senest {date}.',
      'Fejlen udgør en risiko for personsikkerheden.',
    ],
    truth: () => ['d-byg'], alt: (c) => [siteDept(c)],
  },
  // ---- Miljøstyrelsen
  {
    id: 'mst', sender: 'mst', rate: 0.7, recipients: ['F', 'L', 'N'],
    labels: ['Producentansvar for emballage: registrering', 'Indberetning af emballagemængder {prevYear}', 'Affaldsregistrering: Virksomheden mangler registrering', 'Tilsyn med virksomhedens affaldshåndtering'],
    sentences: [
      'Virksomheden er omfattet af udvidet producentansvar for emballage.',
      'Mængderne af emballage for {prevYear} skal indberettes senest {date}.',
      'Virksomheden skal være registreret i Affaldsregistret.',
      'Miljøstyrelsen fører tilsyn efter miljøbeskyttelsesloven.',
    ],
    truth: () => ['d-miljo'],
  },
  // ---- Fødevarestyrelsen
  {
    id: 'fvst-kontrol', sender: 'fvst', rate: 3, recipients: ['F'], pnumber: 0.7,
    labels: ['Kontrolrapport: Fødevarekontrol', 'Ny smiley efter kontrolbesøg', 'Påbud om rengøring af produktionslokaler', 'Tilbagetrækning af fødevare', 'Autorisation af fødevarevirksomhed'],
    sentences: [
      'Fødevarestyrelsen har kontrolleret virksomheden og giver en elitesmiley.',
      'Ved kontrollen blev der konstateret mangler ved rengøringen.',
      'Virksomheden skal trække produktet tilbage fra markedet på grund af fund af listeria.',
      'Kontrolrapporten offentliggøres på findsmiley.dk.',
      'Autorisationen omfatter produktion af kølede og frosne fødevarer.',
    ],
    truth: () => ['d-kvalitet'],
  },
  {
    id: 'fvst-gebyr', sender: 'fvst', rate: 0.6, recipients: ['F'], season: { 1: 2, 7: 2 },
    labels: ['Opkrævning af kontrolgebyr {year}', 'Faktura: Gebyr for ekstrakontrol'],
    sentences: [
      'Fødevarestyrelsen opkræver gebyr for den ordinære kontrol for {year}.',
      'Gebyret udgør {amount} og forfalder den {date}.',
      'Der opkræves betaling for ekstrakontrol efter konstaterede overtrædelser.',
    ],
    truth: () => ['d-okon-f'],
  },
  // ---- Energistyrelsen
  {
    id: 'ens-energi', sender: 'ens', rate: 0.4, recipients: ['E', 'F', 'N'], season: { 3: 3, 4: 2 }, otherwise: 0.5,
    labels: ['Indkaldelse til indberetning af energiforbrug for {prevYear}', 'Energimærkning af bygning: Udløbet energimærke', 'Energisyn i store virksomheder'],
    sentences: [
      'Energistyrelsen indsamler hvert år oplysninger om energiforbruget i større virksomheder.',
      'Virksomheden er udtaget til at indberette forbruget af el, fjernvarme og naturgas for {prevYear}.',
      'Energimærket for bygningen {address} er udløbet og skal fornyes.',
      'Store virksomheder skal gennemføre energisyn hvert fjerde år.',
    ],
    truth: (c) => [c.co.key === 'N' ? 'd-energi-drift' : c.co.key === 'E' ? 'd-byg' : 'd-rapport'], alt: () => ['d-miljo'],
  },
  // ---- Datatilsynet
  {
    id: 'datatilsynet', sender: 'dt', rate: 0.12, recipients: ALL,
    labels: ['Anmeldelse af brud på persondatasikkerheden: Kvittering', 'Datatilsynet: Høring i klagesag', 'Planlagt tilsyn med behandling af personoplysninger'],
    sentences: [
      'Datatilsynet har modtaget virksomhedens anmeldelse af brud på persondatasikkerheden.',
      'Vi har modtaget en klage over virksomhedens behandling af personoplysninger.',
      'Tilsynet sker efter databeskyttelsesforordningen.',
      'Svar senest {date}.',
    ],
    truth: () => ['d-gdpr'],
  },
  // ---- SIRI
  {
    id: 'siri', sender: 'siri', rate: 0.25, recipients: ['L', 'F', 'R'], employee: true,
    labels: ['Afgørelse om arbejdstilladelse', 'Opholds- og arbejdstilladelse efter beløbsordningen', 'Kontrol af arbejdsgivers forpligtelser'],
    sentences: [
      'Styrelsen har givet medarbejderen opholds- og arbejdstilladelse.',
      'Tilladelsen er betinget af, at løn- og ansættelsesvilkår er sædvanlige.',
      'Virksomheden skal underrette styrelsen, hvis ansættelsen ophører.',
    ],
    truth: () => ['d-hr'],
  },
  // ---- Retten
  {
    id: 'retten', sender: 'ret', rate: 0.25, recipients: ALL,
    labels: ['Stævning i civil sag', 'Indkaldelse til retsmøde', 'Dom i sagen', 'Kendelse'],
    sentences: [
      'Retten har modtaget en stævning, hvor virksomheden er sagsøgt.',
      'Virksomheden indkaldes til forberedende retsmøde den {date}.',
      'Svarskrift skal indleveres via minretssag.dk.',
      'Retten har afsagt dom i sagen.',
    ],
    truth: () => ['d-jura'],
  },
  // ---- Ankestyrelsen
  {
    id: 'ankestyrelsen', sender: 'ast', rate: 0.1, recipients: ALL,
    labels: ['Afgørelse i klagesag om sygedagpenge', 'Ankestyrelsen: Klage over arbejdsskadeafgørelse'],
    sentences: [
      'Ankestyrelsen har behandlet klagen over kommunens afgørelse.',
      'Afgørelsen er stadfæstet.',
      'Klagen over afgørelsen om arbejdsskade er behandlet.',
    ],
    employee: true,
    truth: () => ['d-hr'], alt: () => ['d-jura'],
  },
  // ---- New senders
  {
    id: 'nis2', sender: 'sams', rate: 0.25, recipients: ['H', 'L', 'N'], from: 7,
    labels: ['Registrering efter NIS2-loven', 'Varsel om tilsyn med cybersikkerhed', 'Krav om risikovurdering efter NIS2'],
    sentences: [
      'Virksomheden er omfattet af NIS2-loven og skal registrere sig.',
      'Ledelsen har ansvar for cybersikkerhedsforanstaltninger og risikostyring.',
      'Væsentlige hændelser skal underrettes inden 24 timer.',
      'Tilsynet gennemføres den {date}.',
    ],
    truth: () => ['d-itsik'], alt: () => ['d-direktion'],
  },
  {
    id: 'forsyningstilsyn', sender: 'fsts', rate: 1.2, recipients: ['N'], from: 8,
    labels: ['Afgørelse om indtægtsramme', 'Indberetning af reguleringsregnskab', 'Opkrævning af gebyr til Forsyningstilsynet'],
    sentences: [
      'Forsyningstilsynet har fastsat virksomhedens indtægtsramme for {year}.',
      'Reguleringsregnskabet skal indberettes senest {date}.',
      'Gebyret dækker tilsynets omkostninger.',
    ],
    truth: () => ['d-energi-drift'], alt: () => ['d-okon-n'],
  },
  {
    id: 'saertransport', sender: 'vd', rate: 0.8, recipients: ['L'], from: 10,
    labels: ['Tilladelse til særtransport', 'Dispensation til transport af bred last', 'Afslag på ansøgning om særtransport'],
    sentences: [
      'Vejdirektoratet giver tilladelse til særtransport på statsvejnettet.',
      'Transporten skal følge den godkendte rute og køre uden for myldretiden.',
      'Tilladelsen gælder køretøjet {plate}.',
    ],
    truth: () => ['d-told'], alt: () => ['d-flaade'],
  },
  {
    id: 'matrikel', sender: 'kds', rate: 0.5, recipients: ['E'], from: 11,
    labels: ['Registrering af matrikulær ændring', 'Udstykning af ejendom: Registreret', 'Ajourføring af matrikel'],
    sentences: [
      'Klimadatastyrelsen har registreret den matrikulære ændring af ejendommen {address}.',
      'Ændringen er udført af landinspektøren.',
      'Matrikelkortet er ajourført.',
    ],
    truth: () => ['d-byg'], alt: () => ['d-okon-e'],
  },
  // ---- Everyone: general information and hearings
  {
    id: 'info', sender: 'any', rate: 0.35, recipients: ALL,
    labels: ['Orientering om ændrede åbningstider', 'Nyhedsbrev fra {sender}', 'Ny selvbetjeningsløsning på {web}', 'Invitation til informationsmøde for virksomheder', 'Undersøgelse af virksomheders tilfredshed'],
    sentences: [
      'Vi vil gerne orientere jer om ændringer i vores service.',
      'Læs mere på {web}.',
      'Vi inviterer virksomheder til et informationsmøde den {date}.',
      'Deltag i vores undersøgelse af virksomheders tilfredshed.',
    ],
    truth: () => ['d-post'], alt: () => ['d-direktion'],
  },
  {
    id: 'hoering', sender: 'anyState', rate: 0.06, recipients: ALL,
    labels: ['Høring over udkast til bekendtgørelse', 'Høring over lovforslag', 'Offentlig høring: ændring af vejledning'],
    sentences: [
      'Vi sender hermed udkast til bekendtgørelse i høring.',
      'Høringssvar skal være modtaget senest {date}.',
      'Høringsmaterialet kan findes på Høringsportalen.',
    ],
    truth: () => ['d-jura'], alt: () => ['d-direktion'],
  },
];

/** The operations department of a site (waste, environmental visits). */
function siteDept(c: Ctx): string {
  const city = c.site?.city;
  if (c.co.key === 'L') return city === 'kolding' ? 'd-lager-kol' : city === 'odense' ? 'd-lager-ode' : 'd-lager-aar';
  if (c.co.key === 'F') return 'd-prod-vejle';
  if (c.co.key === 'N') return 'd-energi-drift';
  return city === 'aarhus' ? 'd-drift-aar' : 'd-drift-kbh';
}

const STATE_SENDERS = ['erst', 'mst', 'skst', 'sik', 'ens', 'at', 'fvst', 'dst'];

// ---------------------------------------------------------------------------------------------
// The group's routing rules (what an admin wrote; a function of the letter and the month)

export interface RuleHit { ruleId: string; destinationIds: string[] }

export function applyRules(input: RoutingInput, month: number): RuleHit | undefined {
  const s = senderKeyOf(input.senderId);
  const label = input.label.toLowerCase();
  const co = coOfCvr(input.recipientCvr);
  if (s === 'dst') return { ruleId: 'dst', destinationIds: ['d-rapport'] };
  if (s === 'motor') return { ruleId: 'motorstyrelsen', destinationIds: ['d-flaade'] };
  if (s === 'dt') return { ruleId: 'datatilsynet', destinationIds: ['d-gdpr'] };
  if (s === 'at') return { ruleId: 'arbejdstilsynet', destinationIds: [arbmiljo(month)] };
  if (s === 'ret') return { ruleId: 'retten', destinationIds: ['d-jura'] };
  if (s === 'fvst' && label.includes('gebyr')) return { ruleId: 'fvst-gebyr', destinationIds: ['d-okon-f'] };
  if (s === 'fvst') return { ruleId: 'fvst', destinationIds: ['d-kvalitet'] };
  if (s === 'mst') return { ruleId: 'miljostyrelsen', destinationIds: ['d-miljo'] };
  if (s === 'told') return { ruleId: 'toldstyrelsen', destinationIds: ['d-told'] };
  if (s === 'atp') return { ruleId: 'atp', destinationIds: ['d-loen'] };
  // Moms per company: written for the four original companies (not Fødevarer, not Energi).
  if (s === 'skst' && label.includes('moms') && co && ['H', 'E', 'L', 'R'].includes(co)) return { ruleId: `moms-${co}`, destinationIds: [okon(co)] };
  if (s === 'erst' && label.includes('årsrapport')) return { ruleId: 'aarsrapport', destinationIds: ['d-regnskab'] };
  if (s === 'udk' && label.includes('barselsdagpenge')) return { ruleId: 'barselsdagpenge', destinationIds: ['d-fravaer'] };
  if (input.kle.some((k) => k.startsWith('02.34'))) return { ruleId: 'byggesager', destinationIds: ['d-byg'] };
  if (s === 'pol' && label.includes('bødeforlæg')) return { ruleId: 'boedeforlaeg', destinationIds: ['d-flaade'] };
  if (s === 'gaeld' && label.includes('lønindeholdelse')) return { ruleId: 'loenindeholdelse', destinationIds: ['d-loen'] };
  if (month >= 11 && s === 'sams') return { ruleId: 'nis2', destinationIds: ['d-itsik'] }; // added in November
  return undefined;
}

const SENDER_BY_CVR = new Map(Object.values(SENDERS).map((s) => [s.cvr, s.key]));
const senderKeyOf = (cvr: string) => SENDER_BY_CVR.get(cvr);
const CO_BY_CVR = new Map(Object.values(COMPANIES).map((c) => [c.cvr, c.key]));
const coOfCvr = (cvr: string) => CO_BY_CVR.get(cvr);

// ---------------------------------------------------------------------------------------------
// Letters

export interface CorpusLetter {
  seq: number;
  /** 1–12. */
  month: number;
  at: number;
  input: RoutingInput;
  /** Where the letter belongs: a rule's destinations, else where the person placed it. */
  truth: string[];
  /** The rule that placed it, if any. */
  rule?: string;
  topic: string;
  followUp: boolean;
  /** The person chose a plausible other place than the topic's usual one. */
  inconsistent: boolean;
}

export interface Corpus {
  year: number;
  letters: CorpusLetter[];
  destinations: CorpusDestination[];
  senders: { key: string; name: string; cvr: string; from: number }[];
  companies: { key: string; cvr: string; name: string; from: number }[];
}

const MONTH_NAMES = ['januar', 'februar', 'marts', 'april', 'maj', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'december'];
const FIRST = ['Anders', 'Mette', 'Søren', 'Hanne', 'Jesper', 'Lone', 'Mads', 'Pernille', 'Jakob', 'Rikke', 'Ahmad', 'Fatima', 'Niels', 'Ida', 'Kristian', 'Signe', 'Oskar', 'Malene', 'Tobias', 'Line'];
const LAST = ['Jensen', 'Nielsen', 'Hansen', 'Pedersen', 'Andersen', 'Christensen', 'Larsen', 'Sørensen', 'Rasmussen', 'Jørgensen', 'Petersen', 'Madsen', 'Kristensen', 'Olsen', 'Thomsen', 'Poulsen', 'Johansen', 'Møller', 'Mortensen', 'Østergaard'];
const CASEWORKERS = ['Line Kjeldsen', 'Mikkel Thorsen', 'Anne Mette Bak', 'Jonas Lykke', 'Birgit Holm', 'Emil Hedegaard', 'Sofie Dam', 'Kasper Vinther'];
const AT_TOPICS = ['tunge løft', 'støj', 'kemiske stoffer', 'faldulykker fra stiger', 'psykisk arbejdsmiljø', 'truckkørsel', 'maskinsikkerhed'];
const DST_SURVEYS = ['Lønstatistik', 'Konjunkturbarometer for erhverv', 'Udenrigshandel med varer', 'It-anvendelse i virksomheder', 'Regnskabsstatistik', 'Industriens salg af varer'];
const BOILER = [
  'Har du spørgsmål, er du velkommen til at kontakte os på telefon {phone}.',
  'Du kan læse mere på {web}.',
  'Vi behandler personoplysninger efter databeskyttelsesforordningen. Læs mere om dine rettigheder på {web}.',
  'Brevet er sendt til virksomhedens Digitale Post.',
  'Husk at oplyse sagsnummeret {caseNo}, når du kontakter os.',
  'Du kan svare på dette brev via Digital Post.',
  'Denne meddelelse er dannet automatisk.',
  'Åbningstiderne fremgår af vores hjemmeside.',
];
const FOLLOW_LABELS = ['Svar på din henvendelse', 'Kvittering for modtagne oplysninger', 'Vi har modtaget din indsigelse', 'Påmindelse om manglende svar', 'Ny frist i din sag', 'Supplerende oplysninger i sagen', 'Vi har brug for flere oplysninger'];
const FOLLOW_SENTENCES = [
  'Vi har modtaget jeres henvendelse og behandler den hurtigst muligt.',
  'Vi mangler stadig de oplysninger, vi bad om i vores tidligere brev.',
  'Fristen for at svare er forlænget til {date}.',
  'Vi vender tilbage, når vi har behandlet sagen.',
  'Tak for de fremsendte oplysninger.',
];

const plate = (r: Rnd) => `${String.fromCharCode(65 + r.int(0, 25))}${String.fromCharCode(65 + r.int(0, 25))} ${r.int(10, 99)} ${r.int(100, 999)}`;
const kroner = (n: number) => `${Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.')},00 kr.`;

/** A random but well-formed CPR number (real date, serial 0000–3999 for a 1900s birth). */
function cprOf(r: Rnd): string {
  const y = r.int(55, 99);
  const m = r.int(1, 12);
  const d = r.int(1, 28);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d)}${p(m)}${p(y)}-${r.int(0, 3)}${r.digits(3)}`;
}

function fill(t: string, c: Ctx, v: Record<string, string>): string {
  return t.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? `{${k}}`);
}

export interface CorpusOptions { seed?: number; year?: number; /** Share of placements that go to a plausible other place. */ inconsistency?: number; /** Multiplies every rate (default 3: about 300 letters a month). */ volume?: number }

export function buildCorpus(opts: CorpusOptions = {}): Corpus {
  const rnd = new Rnd(opts.seed ?? 20250101);
  const year = opts.year ?? 2025;
  const inconsistency = opts.inconsistency ?? 0.02;
  const volume = opts.volume ?? 3;
  type Draft = Omit<CorpusLetter, 'seq' | 'truth' | 'rule' | 'inconsistent'> & { topicTruth: string[]; alt: string[]; sender: string; caseId?: string };
  const drafts: Draft[] = [];

  for (let month = 1; month <= 12; month++) {
    const monthStart = Date.UTC(year, month - 1, 1);
    const quarter = `${Math.floor((month - 2 + 12) % 12 / 3) + 1}. kvartal ${month <= 1 ? year - 1 : year}`;
    for (const t of TOPICS) {
      if (t.from && month < t.from) continue;
      const mult = t.season ? (t.season[month] ?? t.otherwise ?? 1) : 1;
      for (const coKey of t.recipients) {
        const co = COMPANIES[coKey];
        if (co.from > month) continue;
        const sites = t.perSite ? SITES.filter((s) => s.co === coKey && s.from <= month) : [undefined];
        for (const site of sites) {
          const senderKey = t.sender === 'kommune' ? KOMMUNE_OF[site!.city] : t.sender;
          if (senderKey !== 'any' && senderKey !== 'anyState' && SENDERS[senderKey].from > month) continue;
          const n = rnd.poisson(t.rate * mult * volume);
          for (let i = 0; i < n; i++) {
            const sKey = senderKey === 'any' ? rnd.pick(Object.values(SENDERS).filter((s) => s.from <= month).map((s) => s.key))
              : senderKey === 'anyState' ? rnd.pick(STATE_SENDERS) : senderKey;
            const sender = SENDERS[sKey];
            const siteHere = site ?? pickSite(rnd, coKey, month);
            const ctx: Ctx = { rnd, month, co, site: siteHere, sender };
            if (t.employee) ctx.employee = { name: `${rnd.pick(FIRST)} ${rnd.pick(LAST)}`, cpr: cprOf(rnd) };
            const at = monthStart + rnd.int(0, 27) * 86_400_000 + rnd.int(7, 16) * 3_600_000 + rnd.int(0, 3599) * 1000;
            const vars: Record<string, string> = {
              company: co.name, cvr: co.cvr, quarter, year: String(year), prevYear: String(year - 1),
              monthName: MONTH_NAMES[(month + 10) % 12], amount: kroner(rnd.int(800, 400_000)),
              date: `${rnd.int(1, 28)}. ${MONTH_NAMES[month % 12]} ${month === 12 ? year + 1 : year}`,
              address: siteHere?.address ?? 'virksomhedens adresse', plate: plate(rnd), pct: String(rnd.int(5, 30)),
              code: `${rnd.digits(4)} ${rnd.digits(2)} ${rnd.digits(2)}`, sender: sender.name, web: sender.web, phone: sender.phone,
              caseNo: `${year}-${rnd.digits(6)}`, atTopic: rnd.pick(AT_TOPICS), survey: rnd.pick(DST_SURVEYS), rate: String(month <= 6 ? 1 : 2),
            };
            const truth = t.truth(ctx);
            const alt = t.alt ? t.alt(ctx) : ['d-post'];
            const input = letterInput(rnd, t, ctx, vars, truth);
            input.createdAt = new Date(at).toISOString();
            drafts.push({ month, at, input, topic: t.id, followUp: false, topicTruth: truth, alt, sender: sKey, caseId: input.caseIds[0] });
          }
        }
      }
    }
  }
  drafts.sort((a, b) => a.at - b.at);

  // Follow-ups: about 8 % more letters, each answering an earlier letter of the same sender (same
  // case number, recipient and attention) and belonging where that one went.
  const follow: Draft[] = [];
  const withCase = drafts.filter((d) => d.caseId);
  for (const d of withCase) {
    if (!rnd.chance(0.12)) continue;
    const at = d.at + rnd.int(5, 60) * 86_400_000;
    if (at >= Date.UTC(year + 1, 0, 1)) continue;
    const month = new Date(at).getUTCMonth() + 1;
    const sender = SENDERS[d.sender];
    const label = rnd.pick(FOLLOW_LABELS);
    const sentences = rnd.shuffle(FOLLOW_SENTENCES).slice(0, 2).map((s) => s.replace('{date}', `${rnd.int(1, 28)}. ${MONTH_NAMES[month % 12]} ${year}`));
    const text = [`Vedrørende sag ${d.caseId}.`, ...sentences, ...rnd.shuffle(BOILER).slice(0, 2).map((b) => b.replace('{phone}', sender.phone).replace('{web}', sender.web).replace('{caseNo}', d.caseId!)), `Med venlig hilsen ${rnd.pick(CASEWORKERS)}, ${sender.name}`].join('\n');
    const input: RoutingInput = {
      ...d.input, label, notification: undefined, documentText: text, documentNames: [rnd.pick(['Brev.pdf', `${label}.pdf`, 'Svar.pdf'])],
      kle: rnd.chance(0.5) ? d.input.kle : [], forms: [], replyRequired: rnd.chance(0.3), createdAt: new Date(at).toISOString(),
    };
    // Letters about the renamed department follow it.
    const truth = d.topicTruth.map((id) => (id === 'd-arbmiljo' && month >= 10 ? 'd-hse' : id));
    follow.push({ month, at, input, topic: `followup:${d.topic}`, followUp: true, topicTruth: truth, alt: d.alt, sender: d.sender, caseId: d.caseId });
  }
  const all = [...drafts, ...follow].sort((a, b) => a.at - b.at);

  const letters: CorpusLetter[] = all.map((d, seq) => {
    const hit = applyRules(d.input, d.month);
    let truth = hit ? hit.destinationIds : d.topicTruth;
    let inconsistent = false;
    if (!hit && rnd.chance(inconsistency)) {
      const live = allowedAt(d.month);
      const options = d.alt.filter((x) => live.has(x) && targetKey(x) !== targetKey(...truth));
      if (options.length) { truth = [rnd.pick(options)]; inconsistent = true; }
    }
    return { seq, month: d.month, at: d.at, input: d.input, truth: [...truth].sort(), ...(hit ? { rule: hit.ruleId } : {}), topic: d.topic, followUp: d.followUp, inconsistent };
  });

  return {
    year, letters, destinations: DESTINATIONS,
    senders: Object.values(SENDERS).map(({ key, name, cvr, from }) => ({ key, name, cvr, from })),
    companies: Object.values(COMPANIES).map(({ key, cvr, name, from }) => ({ key, cvr, name, from })),
  };
}

const targetKey = (...ids: string[]) => [...ids].sort().join('+');

function pickSite(rnd: Rnd, co: Co, month: number): Site | undefined {
  const s = SITES.filter((x) => x.co === co && x.from <= month);
  return s.length ? rnd.pick(s) : undefined;
}

function letterInput(rnd: Rnd, t: Topic, c: Ctx, v: Record<string, string>, truth: string[]): RoutingInput {
  const sender = c.sender;
  let label = fill(rnd.pick(t.labels), c, v);
  if (rnd.chance(0.05)) label = `${rnd.pick(['Påmindelse', 'Vedr.', 'Vigtigt'])}: ${label}`;
  if (rnd.chance(0.08)) label = `${label} (j.nr. ${v.caseNo})`;

  const paras: string[] = [];
  if (rnd.chance(0.7)) paras.push(`Til ${c.co.name}, CVR-nr. ${c.co.cvr}`);
  const own = rnd.shuffle(t.sentences).slice(0, rnd.int(2, Math.min(5, t.sentences.length)));
  paras.push(...own.map((s) => fill(s, c, v)));
  // Cross-talk: a sentence that belongs to another topic of the same sender.
  if (rnd.chance(0.3)) {
    const others = TOPICS.filter((o) => o.id !== t.id && o.sender === t.sender);
    if (others.length) paras.push(fill(rnd.pick(rnd.pick(others).sentences), c, v));
  }
  if (c.employee) paras.push(rnd.chance(0.5) ? `Sagen vedrører medarbejderen ${c.employee.name}, CPR-nr. ${c.employee.cpr}.` : `Medarbejder: ${c.employee.name} (${c.employee.cpr.replace('-', '')})`);
  paras.push(...rnd.shuffle(BOILER).slice(0, rnd.int(1, 4)).map((b) => fill(b, c, v)));
  paras.push(`Med venlig hilsen\n${rnd.pick(CASEWORKERS)}\n${sender.name}, ${rnd.pick(sender.units)}`);

  // Attention: a department (a hint where it belongs), a person there, or nothing.
  let attentionPerson: string | undefined;
  let attentionEmail: string | undefined;
  const dept = DEPT_ATTENTION[truth[0]];
  const r = rnd.next();
  if (dept && r < 0.12) attentionPerson = rnd.pick(dept.labels);
  else if (dept && r < 0.22) attentionPerson = rnd.pick(dept.people);
  else if (r < 0.26) attentionPerson = rnd.pick(['Den daglige ledelse', 'Direktionen', 'Bogholderiet']); // addressed broadly
  if (dept && rnd.chance(0.04)) attentionEmail = `${truth[0].slice(2).replace(/-.*/, '')}@nordlys.dk`;
  if (c.employee && rnd.chance(0.15)) attentionPerson = `${c.employee.name}, CPR ${c.employee.cpr}`; // it happens

  const docs: string[] = [];
  docs.push(rnd.chance(0.5) ? `${label.replace(/[\\/:*?"<>|]+/g, '-')}.pdf` : rnd.pick(['Brev.pdf', 'Afgørelse.pdf', 'Meddelelse.pdf', `${t.labels[0].split(/[ :]/)[0]}.pdf`]));
  for (const a of t.attachments ?? []) if (rnd.chance(0.7)) docs.push(a);

  const caseId = rnd.chance(0.75) ? `${sender.key.toUpperCase()}-${v.caseNo}` : undefined;
  return {
    provider: rnd.chance(0.93) ? 'ngdp' : rnd.pick(['eboks', 'mitdk']),
    messageType: 'DIGITALPOST',
    senderId: sender.cvr,
    senderIdType: 'CVR',
    senderName: sender.name,
    recipientCvr: c.co.cvr,
    label,
    ...(t.notification && rnd.chance(0.6) ? { notification: t.notification } : {}),
    kle: t.kle && rnd.chance(0.85) ? [t.kle] : [],
    caseIds: caseId ? [caseId] : [],
    caseSystems: rnd.chance(0.8) ? [sender.caseSystem] : [],
    forms: t.form ? [t.form] : [],
    cvrData: rnd.chance(0.2) ? [c.co.cvr] : [],
    cprPresent: !!c.employee,
    ...(attentionPerson ? { attentionPerson } : {}),
    ...(c.site && t.pnumber && rnd.chance(t.pnumber) ? { productionUnit: c.site.pnr } : {}),
    ...(attentionEmail ? { attentionEmail } : {}),
    ...(rnd.chance(0.6) ? { contentResponsible: `${sender.name}, ${rnd.pick(sender.units)}` } : {}),
    documentNames: docs,
    documentTypes: docs.map(() => 'application/pdf'),
    replyRequired: !!t.reply && rnd.chance(0.8),
    documentText: paras.join('\n'),
  };
}
