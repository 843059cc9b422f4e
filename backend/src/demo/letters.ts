// Demo Digital Post: realistic MeMo 1.2 letters in Danish from the public authorities a Danish
// company typically hears from, each with a one-page PDF letter (pdf-lib), some with PDF
// attachments, actions (pay / self-service / a booked visit), reply deadlines and routing data
// (KLE, case numbers, attention person, P-number). Deterministic: the same seed and `now` give the
// same letters, byte for byte.
//
// The CVR numbers below all pass modulus 11 and look real; they are demo values, not a statement
// of any authority's or company's actual registration.
import { randomUUID } from 'node:crypto';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { Memo, MemoAction, MemoAttentionData, MemoContentData, MemoDocument } from '../memo/types';
import { mulberry32 } from '../../../shared/src/prng';

export interface DemoCompany {
  readonly cvr: string;
  readonly name: string;
}

export const DEMO_ORGANISATION: { readonly name: string; readonly cvrs: readonly DemoCompany[] } = Object.freeze({
  name: 'Nordlys Holding A/S',
  cvrs: Object.freeze([
    Object.freeze({ cvr: '72494814', name: 'Nordlys Holding A/S' }),
    Object.freeze({ cvr: '87033082', name: 'Nordlys Ejendomme ApS' }),
    Object.freeze({ cvr: '47511488', name: 'Nordlys Logistik A/S' }),
    Object.freeze({ cvr: '62269391', name: 'Nordlys Rådgivning ApS' }),
  ]),
});

interface Authority {
  cvr: string;
  name: string;
  address: string;
  phone: string;
  web: string;
  caseSystem: string;
  colour: [number, number, number];
}

export const DEMO_SENDERS = {
  skst: { cvr: '73423023', name: 'Skattestyrelsen', address: 'Sluseholmen 8B, 2450 København SV', phone: '72 22 18 18', web: 'skat.dk', caseSystem: 'Skattestyrelsen Sag', colour: [0.55, 0.08, 0.16] },
  erst: { cvr: '10150817', name: 'Erhvervsstyrelsen', address: 'Langelinie Allé 17, 2100 København Ø', phone: '35 29 10 00', web: 'erhvervsstyrelsen.dk', caseSystem: 'Workzone', colour: [0.0, 0.28, 0.47] },
  udk: { cvr: '70776774', name: 'Udbetaling Danmark', address: 'Kongens Vænge 8, 3400 Hillerød', phone: '70 12 80 63', web: 'virk.dk', caseSystem: 'UDK Sag', colour: [0.13, 0.36, 0.25] },
  kk: { cvr: '64942212', name: 'Københavns Kommune', address: 'Rådhuspladsen 1, 1599 København V', phone: '33 66 33 66', web: 'kk.dk', caseSystem: 'eDoc', colour: [0.1, 0.1, 0.1] },
  aak: { cvr: '55133018', name: 'Aarhus Kommune', address: 'Rådhuspladsen 2, 8000 Aarhus C', phone: '89 40 20 00', web: 'aarhus.dk', caseSystem: 'Aarhus Sag', colour: [0.0, 0.4, 0.55] },
  at: { cvr: '22357875', name: 'Arbejdstilsynet', address: 'Landskronagade 33, 2100 København Ø', phone: '70 12 12 88', web: 'at.dk', caseSystem: 'AT Sag', colour: [0.85, 0.45, 0.0] },
  sik: { cvr: '51093585', name: 'Sikkerhedsstyrelsen', address: 'Esbjerg Brygge 30, 6700 Esbjerg', phone: '33 73 20 00', web: 'sik.dk', caseSystem: 'SIK Sag', colour: [0.0, 0.33, 0.6] },
  ens: { cvr: '59778714', name: 'Energistyrelsen', address: 'Carsten Niebuhrs Gade 43, 1577 København V', phone: '33 92 67 00', web: 'ens.dk', caseSystem: 'Workzone', colour: [0.2, 0.45, 0.2] },
  dst: { cvr: '17150413', name: 'Danmarks Statistik', address: 'Sejrøgade 11, 2100 København Ø', phone: '39 17 39 17', web: 'dst.dk', caseSystem: 'DST Sag', colour: [0.6, 0.1, 0.3] },
  mst: { cvr: '14271678', name: 'Motorstyrelsen', address: 'Toldboden 2, 8800 Viborg', phone: '72 22 18 18', web: 'motorst.dk', caseSystem: 'Motorstyrelsen Sag', colour: [0.3, 0.3, 0.45] },
} satisfies Record<string, Authority>;

type SenderKey = keyof typeof DEMO_SENDERS;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

const prng = mulberry32; // the same seed gives the same demo letters

class Rnd {
  constructor(readonly next: () => number) {}
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]; }
  chance(p: number): boolean { return this.next() < p; }
  digits(n: number): string { let s = ''; for (let i = 0; i < n; i++) s += String(this.int(0, 9)); return s; }
  shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
  /** A version-4 UUID (valid for memoUuidType) from the seeded sequence. */
  uuid(): string {
    const h = Array.from({ length: 32 }, () => this.int(0, 15).toString(16));
    h[12] = '4';
    h[16] = '89ab'[this.int(0, 3)];
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Danish formatting

const MONTHS = ['januar', 'februar', 'marts', 'april', 'maj', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'december'];

/** "14. marts 2025" (the calendar day in UTC, which is what the demo dates are built in). */
export function danishDate(d: Date): string {
  return `${d.getUTCDate()}. ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

function kroner(n: number): string {
  const [whole, frac] = n.toFixed(2).split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${frac} kr.`;
}

const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Letter templates

interface Ctx {
  rnd: Rnd;
  r: DemoCompany;
  now: Date;
  created: Date;
  deadline: Date; // a date a few weeks ahead (payment, filing or reply)
  visit: Date; // a weekday ahead, for inspections
  year: number;
  prevYear: number;
  quarter: string; // the quarter before `created`, e.g. "2. kvartal 2025"
  amount: number;
  caseNo: string;
  streetCph: string; // an address in Copenhagen (Københavns Kommune's letters)
  streetAarhus: string; // an address in Aarhus (Aarhus Kommune's letters)
  pNumber: string;
  cpr: string; // a demo CPR number (a letter about an employee names one)
}

interface Attachment { label: string; filename: string; title: string; paragraphs: string[] }

interface Template {
  id: string;
  sender: SenderKey;
  label(c: Ctx): string;
  paragraphs(c: Ctx): string[];
  notification?: string;
  reply?: boolean;
  legal?: boolean;
  department: string;
  kle?: { subjectKey: string; version: string; label: string };
  action?(c: Ctx): MemoAction;
  attachments?(c: Ctx): Attachment[];
  attention?(c: Ctx): MemoAttentionData;
  content?(c: Ctx): MemoContentData;
}

const KLAGEVEJLEDNING = (instans: string, frist = 'fire uger'): Attachment => ({
  label: 'Klagevejledning',
  filename: 'Klagevejledning.pdf',
  title: 'Klagevejledning',
  paragraphs: [
    `Du kan klage over afgørelsen til ${instans}. Klagen skal være modtaget senest ${frist} efter, at du har modtaget afgørelsen.`,
    'Klagen sendes til den myndighed, der har truffet afgørelsen. Myndigheden vurderer sagen igen og sender den videre til klageinstansen, hvis afgørelsen fastholdes.',
    'Skriv i klagen, hvilken afgørelse du klager over, og hvorfor du mener, at den er forkert. Vedlæg gerne dokumentation.',
  ],
});

const TEMPLATES: Template[] = [
  {
    id: 'skst-moms-rykker', sender: 'skst', department: 'Moms, Erhverv',
    label: (c) => `Rykker: Momsangivelse for ${c.quarter} mangler`,
    notification: 'Rykker for manglende momsangivelse',
    paragraphs: (c) => [
      `Vi har endnu ikke modtaget momsangivelsen for ${c.quarter} for ${c.r.name}, CVR-nr. ${c.r.cvr}.`,
      `Du skal angive momsen hurtigst muligt og senest ${danishDate(c.deadline)} i TastSelv Erhverv på skat.dk. Modtager vi ikke angivelsen inden fristen, fastsætter vi momsen foreløbigt, og virksomheden skal betale en afgift på 800 kr.`,
      'Har virksomheden ikke haft momspligtigt salg i perioden, skal du angive 0 kr.',
      'Du kan se virksomhedens angivelser og betalinger på skattekontoen.',
    ],
    action: (c) => ({ label: 'Angiv moms', actionCode: 'SELVBETJENING', endDateTime: iso(c.deadline), entryPointUrl: 'https://skat.dk/erhverv/moms' }),
  },
  {
    id: 'skst-moms-foreloebig', sender: 'skst', department: 'Moms, Erhverv', reply: true, legal: true,
    label: (c) => `Foreløbig fastsættelse af moms for ${c.quarter}`,
    paragraphs: (c) => [
      `Da vi ikke har modtaget momsangivelsen for ${c.quarter}, har vi fastsat momsen foreløbigt til ${kroner(c.amount)}.`,
      `Beløbet er bogført på virksomhedens skattekonto med forfald ${danishDate(c.deadline)}. Indsender I en korrekt angivelse, erstatter den den foreløbige fastsættelse.`,
      'Er I uenige i fastsættelsen, kan I svare på dette brev inden svarfristen.',
    ],
    action: (c) => ({ label: 'Betal via skattekontoen', actionCode: 'BETALING', endDateTime: iso(c.deadline), entryPointUrl: 'https://skat.dk/erhverv/skattekonto' }),
  },
  {
    id: 'skst-selskabsskat', sender: 'skst', department: 'Selskabsskat',
    label: (c) => `Slutopgørelse af selskabsskat for indkomståret ${c.prevYear}`,
    paragraphs: (c) => [
      `Vi har nu opgjort selskabets skat for indkomståret ${c.prevYear} på grundlag af den indsendte selvangivelse.`,
      `Efter modregning af betalte acontorater skal selskabet betale en restskat på ${kroner(c.amount)} inklusive restskattetillæg.`,
      `Restskatten forfalder den ${danishDate(c.deadline)} og betales via skattekontoen. Se den vedlagte specifikation.`,
    ],
    action: (c) => ({ label: 'Betal restskat', actionCode: 'BETALING', endDateTime: iso(c.deadline), entryPointUrl: 'https://skat.dk/erhverv/skattekonto' }),
    attachments: (c) => [{
      label: 'Specifikation af selskabsskat', filename: `Specifikation selskabsskat ${c.prevYear}.pdf`, title: `Specifikation af selskabsskat ${c.prevYear}`,
      paragraphs: [
        `Skattepligtig indkomst: ${kroner(c.amount * 5)}`,
        `Beregnet selskabsskat (22 %): ${kroner(c.amount * 1.1)}`,
        `Betalte acontorater: ${kroner(c.amount * 0.1)}`,
        `Restskat inkl. tillæg: ${kroner(c.amount)}`,
      ],
    }],
  },
  {
    id: 'skst-kontrol', sender: 'skst', department: 'Kontrol, Erhverv', reply: true,
    label: () => 'Varsel om kontrolbesøg vedrørende moms og lønsumsafgift',
    paragraphs: (c) => [
      `Skattestyrelsen gennemfører kontrol af virksomhedens momsregnskab for perioden 1. januar – 31. december ${c.prevYear}.`,
      `Vi kommer på kontrolbesøg den ${danishDate(c.visit)} kl. 10.00 på virksomhedens adresse. Besøget varer cirka tre timer.`,
      'Vi beder jer have bogføring, købs- og salgsbilag, kontoudtog og momsafstemninger for perioden klar.',
      'Passer tidspunktet ikke, beder vi jer svare på dette brev inden svarfristen med forslag til et andet tidspunkt.',
    ],
    attention: (c) => ({ attentionPerson: { label: 'Den daglige ledelse' }, productionUnit: { productionUnitNumber: c.pNumber } }),
  },
  {
    id: 'erst-aarsrapport', sender: 'erst', department: 'Regnskabskontrol', reply: true, legal: true,
    label: (c) => `Påbud: Årsrapport for ${c.prevYear} er ikke modtaget`,
    notification: 'Påbud fra Erhvervsstyrelsen',
    paragraphs: (c) => [
      `Erhvervsstyrelsen har ikke modtaget årsrapporten for regnskabsåret ${c.prevYear} for ${c.r.name}, CVR-nr. ${c.r.cvr}. Fristen for indsendelse er overskredet.`,
      `Vi påbyder hermed selskabet at indsende årsrapporten senest ${danishDate(c.deadline)}. Årsrapporten indsendes digitalt på regnskab.virk.dk.`,
      'Modtager vi ikke årsrapporten inden fristen, pålægges ledelsen tvangsbøder, og selskabet kan i sidste ende blive sendt til tvangsopløsning, jf. selskabslovens § 225.',
      'Har I spørgsmål, kan I svare på dette brev.',
    ],
    action: (c) => ({ label: 'Indsend årsrapport', actionCode: 'SELVBETJENING', endDateTime: iso(c.deadline), entryPointUrl: 'https://regnskab.virk.dk' }),
  },
  {
    id: 'erst-reelle-ejere', sender: 'erst', department: 'Registrering', legal: true,
    label: () => 'Påbud om registrering af reelle ejere',
    paragraphs: (c) => [
      `${c.r.name} har ikke registreret oplysninger om selskabets reelle ejere i CVR, sådan som selskabsloven kræver.`,
      `Vi påbyder selskabet at registrere de reelle ejere senest ${danishDate(c.deadline)} på virk.dk.`,
      'Reelle ejere er de fysiske personer, der direkte eller indirekte ejer eller kontrollerer mere end 25 procent af selskabet. Kan ingen identificeres, registreres den daglige ledelse.',
      'Overholdes påbuddet ikke, kan selskabet blive sendt til tvangsopløsning.',
    ],
    action: (c) => ({ label: 'Registrér reelle ejere', actionCode: 'SELVBETJENING', endDateTime: iso(c.deadline), entryPointUrl: 'https://virk.dk/reelle-ejere' }),
    attachments: () => [KLAGEVEJLEDNING('Erhvervsankenævnet')],
  },
  {
    id: 'udk-barsel-refusion', sender: 'udk', department: 'Barsel, Arbejdsgiver',
    label: () => 'Afgørelse om refusion af barselsdagpenge',
    paragraphs: (c) => [
      `Vi har behandlet virksomhedens anmodning om refusion af barselsdagpenge for medarbejderen med CPR-nr. ${c.cpr.slice(0, 6)}-${c.cpr.slice(6)} i perioden op til ${danishDate(c.created)}.`,
      `Virksomheden får udbetalt ${kroner(c.amount)} i refusion. Beløbet indsættes på virksomhedens NemKonto inden for fem hverdage.`,
      'Er I uenige i afgørelsen, kan I klage til Ankestyrelsen. Klagen sendes til Udbetaling Danmark inden fire uger.',
    ],
    content: (c) => ({ cprData: [{ cprNumber: c.cpr }] }),
    attachments: () => [KLAGEVEJLEDNING('Ankestyrelsen')],
  },
  {
    id: 'udk-barsel-bidrag', sender: 'udk', department: 'Opkrævning',
    label: (c) => `Opkrævning af bidrag til barsel.dk for ${c.quarter}`,
    paragraphs: (c) => [
      `Alle private arbejdsgivere betaler bidrag til den arbejdsmarkedsrettede barselsfond. Bidraget for ${c.quarter} udgør ${kroner(c.amount / 10)}.`,
      `Bidraget opkræves sammen med ATP-bidraget og forfalder den ${danishDate(c.deadline)}.`,
      'Bidraget beregnes ud fra antallet af ansatte og deres ATP-bidragssats i perioden.',
    ],
    action: (c) => ({ label: 'Betal bidrag', actionCode: 'BETALING', endDateTime: iso(c.deadline), entryPointUrl: 'https://virk.dk/barsel-dk' }),
  },
  {
    id: 'kk-byggetilladelse', sender: 'kk', department: 'Byggeri', reply: true, legal: true,
    kle: { subjectKey: '02.34.02', version: '2.17', label: 'Byggetilladelser' },
    label: (c) => `Byggetilladelse til ombygning af erhvervslokaler, ${c.streetCph}`,
    paragraphs: (c) => [
      `Københavns Kommune giver hermed tilladelse til ombygning af erhvervslokaler på ejendommen ${c.streetCph}, jf. byggelovens § 16.`,
      'Tilladelsen er givet på grundlag af jeres ansøgning og de vedlagte, godkendte tegninger. Byggearbejdet skal påbegyndes inden et år, ellers bortfalder tilladelsen.',
      'Når byggeriet er færdigt, skal I anmelde det i Byg og Miljø, før lokalerne tages i brug.',
      'Se klagevejledningen i bilaget, hvis I vil klage over afgørelsen.',
    ],
    action: () => ({ label: 'Åbn sagen i Byg og Miljø', actionCode: 'SELVBETJENING', entryPointUrl: 'https://bygogmiljoe.dk' }),
    attachments: (c) => [
      { label: 'Godkendte tegninger', filename: 'Bilag 1 - Godkendte tegninger.pdf', title: `Godkendte tegninger – ${c.streetCph}`, paragraphs: ['Plantegning stueetage, 1:100', 'Plantegning 1. sal, 1:100', 'Facade mod gaden, 1:100', 'Tegningerne er godkendt som en del af byggetilladelsen.'] },
      KLAGEVEJLEDNING('Byggeklageenheden i Nævnenes Hus'),
    ],
  },
  {
    id: 'kk-affald', sender: 'kk', department: 'Affald og Genbrug',
    kle: { subjectKey: '07.18.00', version: '2.17', label: 'Erhvervsaffald' },
    label: (c) => `Opkrævning af erhvervsaffaldsgebyr ${c.year}`,
    paragraphs: (c) => [
      'Alle virksomheder i Københavns Kommune betaler et årligt gebyr for administration af erhvervsaffald.',
      `Gebyret for ${c.year} udgør ${kroner(c.amount / 20)} for ${c.r.name}. Beløbet forfalder den ${danishDate(c.deadline)}.`,
      `Gebyret er fastsat efter affaldsbekendtgørelsen og kommunens takstblad for ${c.year}.`,
      'Mener I, at virksomheden er fritaget for gebyret, kan I søge om fritagelse på kk.dk.',
    ],
    action: (c) => ({ label: 'Betal gebyret', actionCode: 'BETALING', endDateTime: iso(c.deadline), entryPointUrl: 'https://www.kk.dk/erhvervsaffald' }),
  },
  {
    id: 'aak-miljoetilsyn', sender: 'aak', department: 'Miljø og Energi', reply: true,
    kle: { subjectKey: '09.02.00', version: '2.17', label: 'Miljøtilsyn med virksomheder' },
    label: (c) => `Varsel om miljøtilsyn, ${c.streetAarhus}`,
    paragraphs: (c) => [
      `Aarhus Kommune varsler hermed miljøtilsyn på virksomhedens produktionsenhed, ${c.streetAarhus} (P-nr. ${c.pNumber}).`,
      `Tilsynet finder sted den ${danishDate(c.visit)} kl. 9.00 og omfatter blandt andet opbevaring af kemikalier og affald, spildevand og støj.`,
      'Tilsynet er en del af kommunens regelmæssige tilsyn efter miljøtilsynsbekendtgørelsen. Der opkræves brugerbetaling efter gældende takst.',
      'Passer tidspunktet ikke, kan I svare på dette brev og foreslå et andet tidspunkt.',
    ],
    attention: (c) => ({ productionUnit: { productionUnitNumber: c.pNumber, productionUnitName: c.streetAarhus } }),
    action: (c) => ({
      label: 'Tilføj tilsynet til kalenderen', actionCode: 'AFTALE',
      reservation: {
        description: 'Miljøtilsyn', reservationUUID: c.rnd.uuid(), abstract: 'Miljøtilsyn ved Aarhus Kommune', location: c.streetAarhus,
        startDateTime: iso(c.visit), endDateTime: iso(new Date(c.visit.getTime() + 2 * 3600_000)), organizerName: 'Aarhus Kommune, Miljø og Energi',
      },
    }),
  },
  {
    id: 'at-paabud', sender: 'at', department: 'Tilsyn Øst', reply: true, legal: true,
    label: (c) => `Påbud efter tilsynsbesøg: ${AT_TOPICS[c.amount % AT_TOPICS.length]}`,
    paragraphs: (c) => {
      const topic = AT_TOPICS[c.amount % AT_TOPICS.length];
      return [
        `Arbejdstilsynet var på tilsynsbesøg hos virksomheden den ${danishDate(new Date(c.created.getTime() - 9 * DAY))}. Vi konstaterede problemer med arbejdsmiljøet vedrørende ${topic.toLowerCase()}.`,
        `Virksomheden får derfor påbud om at løse problemet senest ${danishDate(c.deadline)}, jf. arbejdsmiljølovens § 77.`,
        'Når problemet er løst, skal virksomheden sende en tilbagemelding til Arbejdstilsynet. Det kan I gøre ved at svare på dette brev.',
        'Afgørelsen kan påklages til Arbejdsmiljøklagenævnet. Se klagevejledningen i bilaget.',
      ];
    },
    attention: (c) => ({ attentionPerson: { label: 'Arbejdsmiljøorganisationen' }, productionUnit: { productionUnitNumber: c.pNumber } }),
    attachments: () => [KLAGEVEJLEDNING('Arbejdsmiljøklagenævnet')],
  },
  {
    id: 'sik-kontrol', sender: 'sik', department: 'Markedskontrol', reply: true,
    label: () => 'Varsel om kontrolbesøg: markedskontrol af elektriske produkter',
    paragraphs: (c) => [
      'Sikkerhedsstyrelsen kontrollerer, at elektriske produkter på det danske marked er sikre og korrekt mærkede.',
      `Vi besøger virksomheden den ${danishDate(c.visit)} for at kontrollere et udvalg af de produkter, I sælger, herunder CE-mærkning, dansk brugsanvisning og sikkerhedsinformation.`,
      'Hav gerne EU-overensstemmelseserklæringer og teknisk dokumentation klar for de produkter, I importerer eller forhandler.',
      'Har I spørgsmål, er I velkomne til at svare på dette brev.',
    ],
  },
  {
    id: 'ens-indberetning', sender: 'ens', department: 'Energistatistik',
    label: (c) => `Indkaldelse til indberetning af energiforbrug for ${c.prevYear}`,
    paragraphs: (c) => [
      'Energistyrelsen indsamler hvert år oplysninger om energiforbruget i større virksomheder til brug for den officielle energistatistik.',
      `${c.r.name} er udtaget til at indberette forbruget af el, fjernvarme, naturgas og olie for ${c.prevYear}.`,
      `Indberetningen skal ske senest ${danishDate(c.deadline)} i Energistyrelsens indberetningsløsning. Det tager typisk 15–20 minutter.`,
      'Indberetningen er obligatorisk.',
    ],
    action: (c) => ({ label: 'Indberet energiforbrug', actionCode: 'SELVBETJENING', endDateTime: iso(c.deadline), entryPointUrl: 'https://ens.dk/indberetning' }),
  },
  {
    id: 'dst-indberetning', sender: 'dst', department: 'Erhvervsstatistik',
    label: (c) => `Indkaldelse til indberetning: ${DST_SURVEYS[c.amount % DST_SURVEYS.length]}`,
    paragraphs: (c) => [
      `Virksomheden er udvalgt til at deltage i Danmarks Statistiks undersøgelse "${DST_SURVEYS[c.amount % DST_SURVEYS.length]}" for ${c.quarter}.`,
      `Indberetningen vedrører produktionsenheden med P-nummer ${c.pNumber}.`,
      `I indberetter via Danmarks Statistiks indberetningsportal senest ${danishDate(c.deadline)}. I skal bruge MitID Erhverv.`,
      'Virksomheden har pligt til at indberette efter lov om Danmarks Statistik § 8.',
    ],
    attention: (c) => ({ productionUnit: { productionUnitNumber: c.pNumber }, email: { emailAddress: `bogholderi@${slug(c.r.name)}.example` } }),
    action: (c) => ({ label: 'Indberet', actionCode: 'SELVBETJENING', endDateTime: iso(c.deadline), entryPointUrl: 'https://www.dst.dk/da/Indberet' }),
  },
  {
    id: 'mst-vaegtafgift', sender: 'mst', department: 'Motorafgifter',
    label: (c) => `Opkrævning af vægtafgift for køretøj ${plate(c)}`,
    paragraphs: (c) => [
      `Motorstyrelsen opkræver periodisk afgift (vægtafgift) for køretøjet med registreringsnummer ${plate(c)}, der er registreret til ${c.r.name}.`,
      `Afgiften for det kommende halvår udgør ${kroner(c.amount / 8)} og forfalder den ${danishDate(c.deadline)}.`,
      'Betales afgiften ikke rettidigt, tillægges et rykkergebyr, og køretøjets nummerplader kan blive inddraget.',
    ],
    content: (c) => ({ motorVehicle: [{ licenseNumber: plate(c), chassisNumber: `WF0XXXTTGX${c.caseNo.replace(/\D/g, '').slice(-7).padStart(7, '0')}` }] }),
    action: (c) => ({ label: 'Betal vægtafgift', actionCode: 'BETALING', endDateTime: iso(c.deadline), entryPointUrl: 'https://motorst.dk/betaling' }),
  },
];

const AT_TOPICS = ['Tunge løft', 'Ensidigt gentaget arbejde', 'Stor arbejdsmængde og tidspres', 'Støj', 'Indeklima'];
const DST_SURVEYS = ['Lønstatistik', 'Konjunkturbarometer for service', 'Detailomsætning', 'Regnskabsstatistik', 'Virksomhedernes it-anvendelse'];
const STREETS_CPH = ['Vesterbrogade 149, 1620 København V', 'Amagerbrogade 35, 2300 København S', 'Kalvebod Brygge 45, 1560 København V', 'Nørregade 7, 1165 København K', 'Østerbrogade 88, 2100 København Ø'];
const STREETS_AARHUS = ['Havnegade 12, 8000 Aarhus C', 'Søren Frichs Vej 38, 8230 Åbyhøj', 'Skejbyvej 21, 8240 Risskov', 'Viby Ringvej 4, 8260 Viby J'];
const CASEWORKERS = ['Mette Sørensen', 'Lars Østergaard', 'Anne-Marie Kjær', 'Jens Møller', 'Sofie Bæk', 'Peter Ågaard', 'Louise Holm'];
const ATTENTION = ['Økonomiafdelingen', 'Bogholderiet', 'Direktionen', 'HR-afdelingen'];

function plate(c: Ctx): string {
  const letters = 'ABCDEFGHJKLMNPRSTUVXYZ';
  const n = Number(c.caseNo.replace(/\D/g, ''));
  return `${letters[n % letters.length]}${letters[Math.floor(n / 7) % letters.length]}${String(n % 100000).padStart(5, '0')}`;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/æ/g, 'ae').replace(/ø/g, 'oe').replace(/å/g, 'aa').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** A CPR-shaped demo number: a valid birth date with a 7th digit for the 1900s. */
function demoCpr(rnd: Rnd): string {
  const year = rnd.int(60, 99);
  const month = rnd.int(1, 12);
  const day = rnd.int(1, 28);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(day)}${p2(month)}${p2(year)}${rnd.int(0, 3)}${rnd.digits(3)}`;
}

function safeFilename(label: string): string {
  const s = label.replace(/[\\/:*?"<>|]+/g, '-').replace(/\s+/g, ' ').trim();
  return `${s.length > 80 ? s.slice(0, 80).trim() : s}.pdf`;
}

// ---------------------------------------------------------------------------------------------
// PDF letters (pdf-lib, standard Helvetica: WinAnsi covers æ ø å é – §)

interface PdfLetter {
  sender: Authority;
  department: string;
  caseworker: string;
  recipient: DemoCompany;
  attention?: string;
  date: Date;
  caseNo: string;
  title: string;
  paragraphs: string[];
  closing: boolean;
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) > width && line) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

async function renderPdf(l: PdfLetter): Promise<Buffer> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(l.title);
  doc.setAuthor(l.sender.name);
  doc.setSubject(l.title);
  doc.setCreator('Brevdue demo');
  doc.setProducer('pdf-lib');
  doc.setCreationDate(l.date);
  doc.setModificationDate(l.date);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const page: PDFPage = doc.addPage([595.28, 841.89]); // A4
  const { width, height } = page.getSize();
  const [r, g, b] = l.sender.colour;
  const left = 60;
  const text = (s: string, x: number, y: number, size = 10.5, f = font, color = rgb(0.1, 0.1, 0.1)) => page.drawText(s, { x, y, size, font: f, color });

  // Letterhead
  page.drawRectangle({ x: 0, y: height - 90, width, height: 90, color: rgb(r, g, b) });
  text(l.sender.name, left, height - 48, 20, bold, rgb(1, 1, 1));
  text(`${l.sender.address}  ·  Tlf. ${l.sender.phone}  ·  ${l.sender.web}  ·  CVR ${l.sender.cvr}`, left, height - 70, 8.5, font, rgb(1, 1, 1));

  // Recipient and reference block
  let y = height - 140;
  text(l.recipient.name, left, y, 11, bold);
  text(`CVR-nr. ${l.recipient.cvr}`, left, y - 15);
  if (l.attention) text(`Att.: ${l.attention}`, left, y - 30);
  text('Sendt via Digital Post', left, y - (l.attention ? 45 : 30), 9, font, rgb(0.4, 0.4, 0.4));
  const rx = width - 220;
  text(`Dato: ${danishDate(l.date)}`, rx, y);
  text(`J.nr.: ${l.caseNo}`, rx, y - 15);
  text(`${l.sender.name}, ${l.department}`, rx, y - 30, 9, font, rgb(0.4, 0.4, 0.4));

  // Subject and body
  y -= 95;
  for (const line of wrap(l.title, bold, 14, width - 2 * left)) {
    text(line, left, y, 14, bold);
    y -= 19;
  }
  y -= 8;
  for (const p of l.paragraphs) {
    for (const line of wrap(p, font, 10.5, width - 2 * left)) {
      text(line, left, y);
      y -= 14.5;
    }
    y -= 8;
  }
  if (l.closing) {
    y -= 10;
    text('Med venlig hilsen', left, y);
    text(l.caseworker, left, y - 30, 10.5, bold);
    text(`${l.sender.name}, ${l.department}`, left, y - 44);
  }

  // Footer
  page.drawLine({ start: { x: left, y: 60 }, end: { x: width - left, y: 60 }, thickness: 0.5, color: rgb(0.7, 0.7, 0.7) });
  text(`${l.sender.name} · ${l.sender.address} · ${l.sender.web}`, left, 46, 8, font, rgb(0.45, 0.45, 0.45));
  text('Demobrev genereret af Brevdue – ikke et rigtigt brev fra myndigheden.', left, 34, 8, font, rgb(0.45, 0.45, 0.45));
  return Buffer.from(await doc.save());
}

// ---------------------------------------------------------------------------------------------
// Letters

export interface DemoLetterOptions {
  recipients: readonly { cvr: string; name: string }[];
  count: number;
  seed?: number;
  /** The moment the letters are generated at; creation times lie up to three weeks before it. */
  now?: Date;
}

export async function generateDemoLetters(opts: DemoLetterOptions): Promise<Memo[]> {
  if (opts.recipients.length === 0 && opts.count > 0) throw new Error('generateDemoLetters needs at least one recipient');
  const rnd = new Rnd(prng(opts.seed ?? 1));
  const now = new Date(Math.floor((opts.now ?? new Date()).getTime() / 1000) * 1000);
  const letters: Memo[] = [];
  const labels = new Set<string>();
  const recipientOffset = rnd.int(0, Math.max(0, opts.recipients.length - 1));
  let order: Template[] = [];
  for (let i = 0; i < opts.count; i++) {
    if (order.length === 0) order = rnd.shuffle(TEMPLATES);
    const t = order.shift()!;
    const r = opts.recipients[(i + recipientOffset) % opts.recipients.length];
    letters.push(await makeLetter(t, r, now, rnd, labels));
  }
  return letters.sort((a, b) => a.body.createdDateTime.localeCompare(b.body.createdDateTime));
}

function quarterBefore(d: Date): string {
  const q = Math.floor(d.getUTCMonth() / 3); // 0..3 = the current quarter
  return q === 0 ? `4. kvartal ${d.getUTCFullYear() - 1}` : `${q}. kvartal ${d.getUTCFullYear()}`;
}

function weekday(d: Date): Date {
  const day = d.getUTCDay();
  return day === 6 ? new Date(d.getTime() + 2 * DAY) : day === 0 ? new Date(d.getTime() + DAY) : d;
}

async function makeLetter(t: Template, r: DemoCompany, now: Date, rnd: Rnd, labels: Set<string>): Promise<Memo> {
  const s = DEMO_SENDERS[t.sender];
  // Sent on one of the last three weeks' days during office hours (08–16 Danish time), never after `now`.
  const day = new Date(now.getTime() - rnd.int(0, 20) * DAY);
  let created = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 6 + rnd.int(0, 7), rnd.int(0, 59), rnd.int(0, 59)));
  if (created > now) created = new Date(created.getTime() - DAY);
  const endOfDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 21, 59, 59)); // the end of the Danish day (summer time)
  const deadline = endOfDay(new Date(now.getTime() + rnd.int(14, 35) * DAY));
  const visitDay = weekday(new Date(now.getTime() + rnd.int(10, 30) * DAY));
  const visit = new Date(Date.UTC(visitDay.getUTCFullYear(), visitDay.getUTCMonth(), visitDay.getUTCDate(), 8, 0, 0));
  const ctx: Ctx = {
    rnd, r, now, created, deadline, visit,
    year: now.getUTCFullYear(),
    prevYear: now.getUTCFullYear() - 1,
    quarter: quarterBefore(created),
    amount: rnd.int(2_000, 250_000),
    caseNo: `${String(created.getUTCFullYear()).slice(2)}-${rnd.digits(7)}`,
    streetCph: rnd.pick(STREETS_CPH),
    streetAarhus: rnd.pick(STREETS_AARHUS),
    pNumber: `10${rnd.digits(8)}`,
    cpr: demoCpr(rnd),
  };
  const messageUUID = rnd.uuid();
  let label = t.label(ctx);
  if (labels.has(label)) label = `${label} (j.nr. ${ctx.caseNo})`;
  labels.add(label);
  const reply = t.reply === true;
  const caseworker = rnd.pick(CASEWORKERS);
  const attention: MemoAttentionData | undefined = t.attention?.(ctx)
    ?? (rnd.chance(0.3) ? { attentionPerson: { label: rnd.pick(ATTENTION) } } : undefined);
  const attentionText = attention?.attentionPerson?.label
    ?? (attention?.productionUnit ? `P-nr. ${attention.productionUnit.productionUnitNumber}` : undefined);

  const content: MemoContentData = {
    ...(rnd.chance(0.5) ? { cvrData: [{ cvrNumber: r.cvr, companyName: r.name }] } : {}),
    caseID: [{ caseID: ctx.caseNo, caseSystem: s.caseSystem }],
    ...(t.kle ? { kleData: [t.kle] } : {}),
    ...t.content?.(ctx),
  };
  const paragraphs = t.paragraphs(ctx).map((p) => p.replace(/kr\.\./g, 'kr.')); // "… 12,00 kr." ending a sentence
  const mainPdf = await renderPdf({ sender: s, department: t.department, caseworker, recipient: r, attention: attentionText, date: created, caseNo: ctx.caseNo, title: label, paragraphs, closing: true });
  const additional: MemoDocument[] = [];
  for (const [i, a] of (t.attachments?.(ctx) ?? []).entries()) {
    const pdf = await renderPdf({ sender: s, department: t.department, caseworker, recipient: r, attention: attentionText, date: created, caseNo: ctx.caseNo, title: a.title, paragraphs: a.paragraphs, closing: false });
    additional.push({ documentID: `BILAG-${i + 1}`, label: a.label, files: [{ encodingFormat: 'application/pdf', filename: a.filename, language: 'da', content: pdf }], actions: [] });
  }
  const action = t.action?.(ctx);
  const memo: Memo = {
    version: '1.2',
    messageType: 'DIGITALPOST',
    messageUUID,
    messageID: `${t.sender.toUpperCase()}-${ctx.caseNo}`,
    label,
    ...(t.notification ? { notification: t.notification } : {}),
    reply,
    ...(reply ? { replyByDateTime: iso(deadline) } : {}),
    ...(t.legal ? { legalNotification: true } : {}),
    sender: {
      id: s.cvr, idType: 'CVR', label: s.name,
      attentionData: { contentResponsible: { label: t.department }, generatingSystem: { generatingSystemID: `${t.sender.toUpperCase()}-DP`, label: s.caseSystem } },
      ...(reply ? { contactPoint: { contactPointID: `${t.sender}-${slug(t.department)}`, label: `${s.name}, ${t.department}`, contactInfo: [{ label: 'Telefon', value: s.phone }] } } : {}),
    },
    recipient: { id: r.cvr, idType: 'CVR', label: r.name, ...(attention ? { attentionData: attention } : {}) },
    contentData: content,
    replyData: [],
    body: {
      createdDateTime: iso(created),
      mainDocument: {
        documentID: 'HOVEDDOKUMENT',
        label,
        files: [{ encodingFormat: 'application/pdf', filename: safeFilename(label), language: 'da', content: mainPdf }],
        actions: action ? [action] : [],
      },
      additionalDocuments: additional,
      technicalDocuments: [],
    },
  };
  return memo;
}

// ---------------------------------------------------------------------------------------------
// demoMemo: one small valid letter, synchronously, for tests

export type DemoMemoOverrides = Partial<Memo> & {
  /** Shorthand for recipient.id (a CVR number); the label is the demo company's name if it is one. */
  recipientCvr?: string;
};

/**
 * A valid MeMo 1.2 letter with a tiny one-page PDF. Every call gets a fresh random messageUUID
 * unless one is given. Top-level fields in `overrides` replace the defaults (shallowly).
 */
export function demoMemo(overrides: DemoMemoOverrides = {}): Memo {
  const { recipientCvr, ...rest } = overrides;
  const cvr = recipientCvr ?? DEMO_ORGANISATION.cvrs[0].cvr;
  const company = DEMO_ORGANISATION.cvrs.find((c) => c.cvr === cvr);
  const label = rest.label ?? 'Orientering om ændrede åbningstider';
  const created = `${new Date().toISOString().slice(0, 19)}Z`;
  return {
    version: '1.2',
    messageType: 'DIGITALPOST',
    messageUUID: randomUUID(),
    label,
    reply: false,
    sender: { id: DEMO_SENDERS.erst.cvr, idType: 'CVR', label: DEMO_SENDERS.erst.name },
    recipient: { id: cvr, idType: 'CVR', ...(company ? { label: company.name } : {}) },
    replyData: [],
    body: {
      createdDateTime: created,
      mainDocument: {
        label,
        files: [{ encodingFormat: 'application/pdf', filename: 'Brev.pdf', language: 'da', content: minimalPdf(label) }],
        actions: [],
      },
      additionalDocuments: [],
      technicalDocuments: [],
    },
    ...rest,
  };
}

/** A valid one-page PDF showing one line of text, written by hand (no async pdf-lib needed). */
export function minimalPdf(line: string): Buffer {
  // Helvetica with WinAnsiEncoding: Latin-1 bytes cover Danish letters; anything else becomes '?'.
  const textBytes = Buffer.from(line.replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`), 'latin1');
  const stream = Buffer.concat([Buffer.from('BT /F1 14 Tf 60 770 Td ('), textBytes, Buffer.from(') Tj ET\n')]);
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>'),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'),
    Buffer.concat([Buffer.from(`<< /Length ${stream.length} >>\nstream\n`), stream, Buffer.from('endstream')]),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let at = parts[0].length;
  objects.forEach((o, i) => {
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    offsets.push(at);
    parts.push(chunk);
    at += chunk.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`));
  return Buffer.concat(parts);
}
