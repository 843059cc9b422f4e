// Every zod refusal answers 400 invalid_request with each issue as a problem at its field
// (backend/src/api/zod-problems.ts, used by the central error handler api/errors.ts): one stable code
// per kind of issue, the values the task pane words it with, the field as the path in the request, and
// zod's English "<field>: <message>" kept as each problem's message and the error's.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { z, ZodError } from 'zod';
import { errorHandler } from '../../backend/src/api/errors';
import { inputGuard } from '../../backend/src/api/input-guard';
import { MAX_PROBLEMS, issueMessage, zodProblems } from '../../backend/src/api/zod-problems';
import { createLogger } from '../../backend/src/log';
import { apiErrorSchema, deliverySettingsSchema, destinationCreateSchema, problemSchema, retentionSettingsSchema } from '../../shared/src/contracts';

/** The problems of `value` under `schema` (which must refuse it), each checked against the shared Problem. */
function problemsOf(schema: z.ZodTypeAny, value: unknown) {
  const r = schema.safeParse(value);
  if (r.success) throw new Error(`accepted: ${JSON.stringify(value)}`);
  const problems = zodProblems(r.error);
  for (const p of problems) expect(problemSchema.parse(p)).toEqual(p);
  return problems;
}
const one = (schema: z.ZodTypeAny, value: unknown) => {
  const ps = problemsOf(schema, value);
  expect(ps).toHaveLength(1);
  return ps[0];
};
const codeAndParams = (schema: z.ZodTypeAny, value: unknown) => {
  const p = one(schema, value);
  return [p.code, p.params ?? {}];
};
const obj = (shape: z.ZodRawShape) => z.object(shape).strict();

describe('a zod issue as a problem at its field', () => {
  test('missing: left out, or blank where text is required', () => {
    expect(codeAndParams(obj({ name: z.string() }), {})).toEqual(['field_missing', { field: 'name' }]);
    expect(codeAndParams(obj({ name: z.string().trim().min(1) }), { name: '   ' })).toEqual(['field_missing', { field: 'name' }]);
  });

  test('too short, too long, too small, too big, too few, too many: with the bound', () => {
    expect(codeAndParams(obj({ name: z.string().min(3) }), { name: 'ab' })).toEqual(['field_too_short', { field: 'name', min: 3 }]);
    expect(codeAndParams(obj({ name: z.string().max(200) }), { name: 'x'.repeat(201) })).toEqual(['field_too_long', { field: 'name', max: 200 }]);
    expect(codeAndParams(obj({ days: z.number().min(7) }), { days: 5 })).toEqual(['field_too_small', { field: 'days', min: 7 }]);
    expect(codeAndParams(obj({ days: z.number().max(3650) }), { days: 4000 })).toEqual(['field_too_big', { field: 'days', max: 3650 }]);
    // A bound that is not itself allowed says so.
    expect(codeAndParams(obj({ n: z.number().positive() }), { n: 0 })).toEqual(['field_too_small', { field: 'n', min: 0, exclusive: 1 }]);
    expect(codeAndParams(obj({ n: z.number().lt(10) }), { n: 10 })).toEqual(['field_too_big', { field: 'n', max: 10, exclusive: 1 }]);
    expect(codeAndParams(obj({ ids: z.array(z.string()).min(1) }), { ids: [] })).toEqual(['field_too_few', { field: 'ids', min: 1 }]);
    expect(codeAndParams(obj({ ids: z.array(z.string()).max(2) }), { ids: ['a', 'b', 'c'] })).toEqual(['field_too_many', { field: 'ids', max: 2 }]);
  });

  test('not an e-mail address, URL, id or date', () => {
    expect(codeAndParams(obj({ to: z.string().email() }), { to: 'ikke en adresse' })).toEqual(['field_not_email', { field: 'to' }]);
    expect(codeAndParams(obj({ hook: z.string().url() }), { hook: 'ikke en url' })).toEqual(['field_not_url', { field: 'hook' }]);
    expect(codeAndParams(obj({ id: z.string().uuid() }), { id: '42' })).toEqual(['field_not_uuid', { field: 'id' }]);
    expect(codeAndParams(obj({ at: z.string().datetime() }), { at: 'i går' })).toEqual(['field_not_date', { field: 'at' }]);
    expect(codeAndParams(obj({ at: z.date() }), { at: new Date('x') })).toEqual(['field_not_date', { field: 'at' }]);
  });

  test('not one of the options: an enum, a discriminator, a literal', () => {
    expect(codeAndParams(obj({ oldCopy: z.enum(['leave', 'move']) }), { oldCopy: 'delete' })).toEqual(['field_invalid_enum', { field: 'oldCopy', options: 'leave, move' }]);
    expect(codeAndParams(destinationCreateSchema, { kind: 'fax', displayName: 'x' }))
      .toEqual(['field_invalid_enum', { field: 'kind', options: 'shared_mailbox, user_mailbox, teams_channel' }]);
    expect(codeAndParams(obj({ v: z.literal(2) }), { v: 1 })).toEqual(['field_invalid_enum', { field: 'v', options: '2' }]);
  });

  test('the wrong type: what was expected', () => {
    expect(codeAndParams(retentionSettingsSchema, { retentionDays: '90' })).toEqual(['field_invalid_type', { field: 'retentionDays', expected: 'number' }]);
    expect(codeAndParams(retentionSettingsSchema, { retentionDays: 90.5 })).toEqual(['field_invalid_type', { field: 'retentionDays', expected: 'integer' }]);
    expect(codeAndParams(obj({ n: z.number().finite() }), { n: Infinity })).toEqual(['field_invalid_type', { field: 'n', expected: 'number' }]);
    expect(codeAndParams(obj({ on: z.boolean() }), { on: null })).toEqual(['field_invalid_type', { field: 'on', expected: 'boolean' }]);
  });

  test('an unknown key: one problem per key, at the object that has it', () => {
    const ps = problemsOf(retentionSettingsSchema, { retentionDays: 90, colour: 'blå', size: 2 });
    expect(ps).toEqual([
      { code: 'field_unrecognized_key', params: { key: 'colour' }, message: 'request: unrecognized key \'colour\'' },
      { code: 'field_unrecognized_key', params: { key: 'size' }, message: 'request: unrecognized key \'size\'' },
    ]);
    expect(one(obj({ inner: obj({}) }), { inner: { x: 1 } })).toMatchObject({ code: 'field_unrecognized_key', params: { field: 'inner', key: 'x' } });
  });

  test('a refinement that names its rule (params.code): field_<code> with its other params, its English kept as the message', () => {
    expect(one(deliverySettingsSchema, { subjectTemplate: 'Post' })).toEqual({
      code: 'field_template_without_label', params: { field: 'subjectTemplate' },
      message: 'subjectTemplate: the subject template must contain {label}',
    });
    const windowed = obj({ days: z.number() }).superRefine((v, ctx) => {
      if (v.days > 30) ctx.addIssue({ code: 'custom', path: ['days'], message: 'a window is at most 30 days long', params: { code: 'window_too_long', max: 30, unit: 'days', nested: { x: 1 }, flag: true, field: 'other' } });
    });
    expect(one(windowed, { days: 40 })).toEqual({ code: 'field_window_too_long', params: { field: 'days', max: 30, unit: 'days' }, message: 'days: a window is at most 30 days long' });
    expect(codeAndParams(obj({ a: z.string().optional() }).refine((v) => v.a !== undefined, { message: 'nothing to change', params: { code: 'nothing_to_change' } }), {}))
      .toEqual(['field_nothing_to_change', {}]);
  });

  test('a refinement whose params.code is not a plain code: field_invalid_value with its words, as without one', () => {
    for (const code of ['Window', 'x', 'window-too-long', 'a'.repeat(42), 7, '', 'field_\u0000', '__proto__']) {
      const s = obj({ n: z.number().refine((n) => n > 0, { message: 'must be positive', params: { code } }) });
      expect([code, codeAndParams(s, { n: 0 })]).toEqual([code, ['field_invalid_value', { field: 'n', detail: 'must be positive' }]]);
    }
  });

  test('a refinement, a pattern or anything else zod cannot name: field_invalid_value with its words as the detail', () => {
    expect(codeAndParams(obj({ n: z.number().refine((n) => n > 0, 'must be positive') }), { n: 0 })).toEqual(['field_invalid_value', { field: 'n', detail: 'must be positive' }]);
    expect(codeAndParams(obj({ cvr: z.string().regex(/^\d{8}$/, 'must be 8 digits') }), { cvr: '1' })).toEqual(['field_invalid_value', { field: 'cvr', detail: 'must be 8 digits' }]);
    expect(codeAndParams(obj({ v: z.union([z.number(), z.boolean()]) }), { v: 'x' })).toEqual(['field_invalid_value', { field: 'v', detail: 'Invalid input' }]);
  });

  test('a control character anywhere in the request (the input guard): field_control_character at its path', () => {
    let thrown: unknown;
    inputGuard({ path: '/admin/destinations', query: {}, body: { categories: ['ok', 'N\u0000L'] } } as never, {} as never, (e?: unknown) => { thrown = e; });
    expect(thrown).toBeInstanceOf(ZodError);
    expect(zodProblems(thrown as ZodError)).toEqual([{
      code: 'field_control_character', params: { field: 'categories.1' },
      message: 'categories.1: must not contain control characters (such as NUL); remove them and try again',
    }]);
  });

  test('the field is the whole path; the request as a whole has none; every issue, in order, at most MAX_PROBLEMS', () => {
    const ps = problemsOf(deliverySettingsSchema, { categories: ['Digital Post', ''], notifyAddress: 'x', rerouteOldCopy: 'x' });
    expect(ps.map((p) => [p.code, p.params?.field])).toEqual([['field_missing', 'categories.1'], ['field_not_email', 'notifyAddress'], ['field_invalid_enum', 'rerouteOldCopy']]);
    expect(one(z.string().uuid('must be a destination id (UUID)'), 'x')).toEqual({ code: 'field_not_uuid', params: {}, message: 'request: must be a destination id (UUID)' });
    expect(problemsOf(z.array(z.number()), Array.from({ length: 200 }, () => 'x'))).toHaveLength(MAX_PROBLEMS);
  });
});

describe('the error handler answers every zod refusal with its problems', () => {
  test('400 invalid_request: the first issue as the message API clients read, each issue as a problem', async () => {
    const app = express();
    app.use(express.json());
    app.put('/settings', (req, _res, next) => { try { retentionSettingsSchema.parse(req.body); } catch (e) { next(e); } });
    app.use(errorHandler(createLogger(() => undefined)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/settings`, {
        method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ retentionDays: 5, quarantineKeepDays: 'lang' }),
      });
      expect(r.status).toBe(400);
      const body = apiErrorSchema.parse(await r.json());
      const first = retentionSettingsSchema.safeParse({ retentionDays: 5, quarantineKeepDays: 'lang' }).error!.issues[0];
      expect(body.error).toEqual({
        code: 'invalid_request', message: issueMessage(first),
        problems: [
          { code: 'field_too_small', params: { field: 'retentionDays', min: 7 }, message: 'retentionDays: retention is at least 7 days' },
          { code: 'field_invalid_type', params: { field: 'quarantineKeepDays', expected: 'number' }, message: 'quarantineKeepDays: the quarantine period must be a number of days' },
        ],
      });
      expect(body.error.message).toBe('retentionDays: retention is at least 7 days');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
