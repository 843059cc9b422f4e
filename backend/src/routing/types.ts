// The routing contract: what a letter offers rules (facts), what a rule is, and what routing
// decides. Pure data; the engine (route.ts), validation (validate.ts), templates (templates.ts) and
// the assistant (assistant/) all speak it.
import type { Condition } from './conditions';

/**
 * Everything rules can match on, extracted once at ingest (routing/facts.ts) and stored with the
 * letter as JSON — except the documents' text, which is sensitive and stored encrypted, and is
 * handed to routing separately (`documentText`).
 */
export interface RoutingFacts {
  provider: string; // ngdp | eboks | mitdk
  messageType?: string; // DIGITALPOST | NEMSMS
  senderId: string;
  senderIdType?: string;
  senderName: string;
  recipientCvr: string;
  label: string;
  notification?: string;
  kle: string[];
  caseIds: string[];
  /** Case systems (ContentData/CaseID/CaseSystem), parallel to nothing: a set. */
  caseSystems?: string[];
  /** FORM task keys (ContentData/FORMData/TaskKey). */
  forms?: string[];
  /** CVR numbers named in ContentData/CVRData. */
  cvrData?: string[];
  cprPresent: boolean;
  attentionPerson?: string;
  attentionPersonId?: string;
  productionUnit?: string;
  attentionEmail?: string;
  contentResponsible?: string;
  contentResponsibleId?: string;
  documentNames: string[];
  /** MIME types of the main and additional documents. */
  documentTypes?: string[];
  replyRequired: boolean;
  actions?: { label: string; actionCode: string; url?: string; startDateTime?: string; endDateTime?: string }[];
  /** When the letter was created (ISO), for templates such as {year}. */
  createdAt?: string;
}

/** Facts plus the text of the letter's PDF documents (opened only for routing). */
export interface RoutingInput extends RoutingFacts {
  documentText?: string;
}

export type RuleAction =
  | { kind: 'destinations'; destinationIds: string[]; /** e.g. "Digital Post/{sender}/{year}", overrides mailbox destinations' folder */ folderTemplate?: string }
  | { kind: 'triage' };

export interface Rule {
  id: string;
  name: string;
  /** Lower runs first. */
  priority: number;
  enabled: boolean;
  conditions: Condition;
  action: RuleAction;
  /** Matching does not stop here: later rules may add destinations too. */
  continue: boolean;
  version?: number;
}

/** One destination the decision chose, with the folder path a template produced (if any). */
export interface ChosenDestination { destinationId: string; ruleId: string; folderPath?: string }

/** A condition of a rule that held for a letter, and what of the letter met it (CPR masked): the task pane says it in words. */
export interface HeldCondition { condition: Condition; found?: string }
/** A rule that matched: `why` in English sentences (logs, API clients), `held` as data. */
export interface RuleMatch { ruleId: string; ruleName: string; why: string[]; held?: HeldCondition[] }
/** Why a letter went to triage, as a code (the rule by name). */
export type TriageCause = { code: 'no_rule_matched' } | { code: 'rule_sends_to_triage' | 'rule_names_no_destination'; rule: string };

export type RouteDecision =
  | {
    kind: 'destinations';
    destinations: ChosenDestination[];
    /** Every rule that matched, in order, with the tests that held. */
    matched: RuleMatch[];
  }
  | { kind: 'triage'; why: string[]; cause?: TriageCause; matched: RuleMatch[] };
