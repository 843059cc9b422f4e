import { z } from 'zod';
import type { ProviderModule } from '../provider';
import { EBOKS_DEFAULT_BASE_URL, createEboksClient } from './client';

/** An e-Boks device id as its mobile API takes it: normally a UUID; at most 64 letters, digits, '-', '_', '.'. */
export const EBOKS_DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const eboksConfigSchema = z.object({
  baseUrl: z.string().url('baseUrl must be the e-Boks mobile API URL, e.g. https://rest.e-boks.dk/mobile/1/xml.svc/en-gb')
    .default(EBOKS_DEFAULT_BASE_URL),
  identityType: z.string().regex(/^[A-Z]{1,2}$/, 'identityType is e-Boks\' identity type letter, normally P').default('P'),
  nationality: z.string().regex(/^[A-Z]{2}$/, 'nationality is a two-letter country code, normally DK').default('DK'),
  // Sent in the X-EBOKS-AUTHENTICATE header as deviceid="…": an id (normally a UUID), never quotes, commas or spaces.
  deviceId: z.string().min(1, 'deviceId (the device the activation code was issued for) is required')
    .regex(EBOKS_DEVICE_ID, 'deviceId is the id of the device the activation code was issued for (normally a UUID): at most 64 letters, digits, "-", "_" or "."'),
  mailboxId: z.string().regex(/^\d+$/, 'mailboxId is the e-Boks mailbox number, normally 0').default('0'),
  inboxFolder: z.string().min(1).default('Indbakke'),
  archiveFolder: z.string().min(1).default('Arkiv'),
  pageSize: z.number().int().min(1).max(500).default(50),
}).strict();

export const eboksSecretSchema = z.object({
  // A CPR number: sealed with the password, never in the clear settings (ProviderModule.secretSettings).
  identity: z.string().regex(/^(\d{8}|\d{10})$/, 'identity must be the CPR number (10 digits) or CVR number (8 digits) the e-Boks logon uses'),
  password: z.string().min(1, 'password (the e-Boks password) is required'),
  activationCode: z.string().min(1, 'activationCode (from e-Boks mobile access) is required'),
}).strict();

export type EboksConfig = z.infer<typeof eboksConfigSchema>;
export type EboksSecret = z.infer<typeof eboksSecretSchema>;

export const eboksProvider: ProviderModule<EboksConfig, EboksSecret> = {
  provider: 'eboks',
  displayName: 'e-Boks',
  configSchema: eboksConfigSchema as unknown as z.ZodType<EboksConfig>,
  secretSchema: eboksSecretSchema,
  secretSettings: ['identity'],
  receivesByPush: () => false,
  createConnector: (mb, c, s) => createEboksClient({
    baseUrl: c.baseUrl,
    cvr: mb.cvr,
    credentials: {
      identity: s.identity, identityType: c.identityType, nationality: c.nationality, deviceId: c.deviceId,
      password: s.password, activationCode: s.activationCode,
    },
    mailboxId: c.mailboxId, inboxFolder: c.inboxFolder, archiveFolder: c.archiveFolder, pageSize: c.pageSize,
  }).connector,
  requirements: 'e-Boks offers no documented business API: the organisation needs a written agreement with e-Boks A/S '
    + 'that allows automated access to the company\'s e-Boks through the mobile API, a user with access to that e-Boks, '
    + 'its password and a mobile activation code with the device id it was issued for, and folders "Indbakke" and "Arkiv" '
    + '(fetched letters are moved to the archive folder).',
};
