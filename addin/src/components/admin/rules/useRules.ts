// Loading for the rules page: the rules in priority order, the organisation's CVR numbers (for the
// recipient-CVR test and for names in descriptions), and a typed-loose translate for describe.ts.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RuleView } from '../../../../../shared/src/contracts';
import { isAbortError, type OrgCvr } from '../../../api/client';
import { useApi } from '../../../api/context';
import type { Translate } from './describe';
import { byPriority } from './model';

export interface RulesState {
  rules: RuleView[];
  loaded: boolean;
  loading: boolean;
  error: unknown;
}

export function useRules() {
  const api = useApi();
  const [state, setState] = useState<RulesState>({ rules: [], loaded: false, loading: true, error: null });
  const current = useRef<AbortController | null>(null);

  const reload = useCallback(async () => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const rules = await api.listRules(controller.signal);
      if (!controller.signal.aborted) setState({ rules: byPriority(rules), loaded: true, loading: false, error: null });
    } catch (e) {
      if (isAbortError(e) || controller.signal.aborted) return;
      setState((s) => ({ ...s, loading: false, error: e }));
    }
  }, [api]);

  useEffect(() => {
    void reload();
    return () => current.current?.abort();
  }, [reload]);

  /** Puts rules the API answered with into the list (new ones are added), keeping priority order. */
  const upsert = useCallback((...changed: RuleView[]) => {
    setState((s) => {
      const ids = new Set(changed.map((r) => r.id));
      return { ...s, rules: byPriority([...s.rules.filter((r) => !ids.has(r.id)), ...changed]) };
    });
  }, []);
  const remove = useCallback((id: string) => setState((s) => ({ ...s, rules: s.rules.filter((r) => r.id !== id) })), []);

  return { state, reload, upsert, remove };
}

/** The organisation's CVR numbers; a failure leaves the list empty (the CVR test then shows plain numbers). */
export function useOrgCvrs(): OrgCvr[] {
  const api = useApi();
  const [cvrs, setCvrs] = useState<OrgCvr[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    api.listOrgCvrs(controller.signal).then(setCvrs, () => {});
    return () => controller.abort();
  }, [api]);
  return cvrs;
}

/** t() for keys built at run time (describe.ts, kinds and operators by name). */
export function useTranslate(): Translate {
  const { t } = useTranslation();
  return useMemo<Translate>(() => (key, options) => String(t(key as never, options as never)), [t]);
}
