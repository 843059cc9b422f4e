// A stored letter as routing sees it: its facts plus its documents' text (opened only here).
import type { AppContext } from '../context';
import { documentTextOf } from './document-text';
import type { RoutingFacts, RoutingInput } from './types';

export async function routingInputOf(ctx: AppContext, msg: { id: string; routingFacts: Record<string, unknown> }): Promise<RoutingInput> {
  return { ...(msg.routingFacts as unknown as RoutingFacts), documentText: await documentTextOf(ctx, msg.id) };
}
