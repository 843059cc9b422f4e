// A refused save placed on its form, one way for every admin form: each problem the server names a
// field for (`params.field`, the path in the request: a zod refusal's field_* of backend
// api/zod-problems.ts, a recipient's check, a mailbox's certificate) at the form's field, in the
// reader's language; the rest for the form's bar, naming the field by the form's label; the
// server's English technical detail (`params.reason`, Graph's answer) apart.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Problem } from '../../../../shared/src/contracts';
import { ApiError } from '../../api/client';
import { apiErrorText, problemText, type Translate } from '../../codes';
import { describeError } from '../ErrorBar';

/** A form, as its refusals are placed on it. `F`: its fields. */
export interface ProblemForm<F extends string> {
  /** The field a problem's `params.field` is shown at; undefined when the form does not show it now. */
  fieldOf(path: string): F | undefined;
  /** The field's label in the reader's language, naming it in the bar (else the request's own name for it). */
  label?(path: string): string | undefined;
  /** The form's own sentence for a problem at one of its fields (the one its own check says); else the code's. */
  say?(p: Problem, field: F): string | undefined;
  /** A refusal without problems that is about one field all the same (the operator's refusal of a domain): its path, and the form's sentence. */
  byCode?(e: ApiError): { path: string; text?: string } | undefined;
}

export interface PlacedProblems<F extends string> {
  /** Sentences by the field they are about. */
  fields: Partial<Record<F, string>>;
  /** Sentences for no field shown. */
  rest: string[];
  /** The server's English technical detail, unique. */
  details: string[];
}

/** Where the server's refusal goes on `form`; null for an error that is not the server's answer (the caller describes it). Pure. */
export function placeProblems<F extends string>(error: unknown, form: ProblemForm<F>, t: Translate): PlacedProblems<F> | null {
  if (!(error instanceof ApiError) || !error.fromServer) return null;
  const placed: PlacedProblems<F> = { fields: {}, rest: [], details: [] };
  const at = (f: F, text: string) => { placed.fields[f] = placed.fields[f] ? `${placed.fields[f]} ${text}` : text; };
  const problems = error.details.problems ?? [];
  if (problems.length === 0) {
    const about = form.byCode?.(error);
    const f = about ? form.fieldOf(about.path) : undefined;
    if (f) at(f, about?.text ?? apiErrorText(error, t));
    else placed.rest.push(apiErrorText(error, t));
    return placed;
  }
  for (const p of problems) {
    const path = typeof p.params?.field === 'string' ? p.params.field : undefined;
    const f = path !== undefined ? form.fieldOf(path) : undefined;
    if (f) at(f, form.say?.(p, f) ?? problemText(p, t, { atField: true }));
    else placed.rest.push(problemText(p, t, { label: path !== undefined ? form.label?.(path) : undefined }));
    const reason = p.params?.reason;
    if (typeof reason === 'string' && reason && !placed.details.includes(reason)) placed.details.push(reason);
  }
  return placed;
}

/**
 * The server's refusal of a form's save, kept and placed (`placeProblems`, at render: it follows a
 * change of language). A field changed since no longer shows the server's sentence.
 */
export function useServerProblems<F extends string>(form: ProblemForm<F>) {
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const [changed, setChanged] = useState<ReadonlySet<F>>(new Set());
  const placed = error != null ? placeProblems(error, form, t as unknown as Translate) : null;
  const marked = placed ? Object.keys(placed.fields).length : 0;
  return {
    error,
    placed,
    /** How many fields the refusal marks. */
    marked,
    /** The server's sentence at `f`, unless the field changed since. */
    at: (f: F): string | undefined => (changed.has(f) ? undefined : placed?.fields[f]),
    refused: (e: unknown) => { setError(e); setChanged(new Set()); },
    clear: () => { setError(null); setChanged(new Set()); },
    edited: (f: F) => setChanged((cur) => (cur.has(f) ? cur : new Set([...cur, f]))),
    /**
     * The bar's text: what no field says, after `fixFields` when fields are marked; null when there is
     * nothing to say beyond the marked fields and no `fixFields` is given.
     */
    bar: (fixFields?: string): string | null => {
      if (error == null) return null;
      if (!placed) return describeError(error, t);
      const lines = marked > 0 && fixFields ? [fixFields, ...placed.rest] : placed.rest;
      return lines.length ? lines.join(' ') : null;
    },
  };
}
