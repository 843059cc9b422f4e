// Switchable Graph behaviours that are not faults: where Graph's real behaviour is unverified, the
// simulator can play either side so that the client's fallback is exercised. Set at construction
// (GraphSimulatorOptions), at runtime with `api.setBehaviour` or `POST <prefix>/sim/behaviour`;
// `reset` returns to the construction-time values.
import { z } from 'zod';

export const graphBehaviourSchema = z.object({
  /**
   * Refuse attachments (upload sessions and attachment POSTs) on messages that are not drafts:
   * 400 ErrorInvalidOperation. Whether Exchange allows them on a received message is unverified.
   */
  refuseAttachmentSessionsOnNonDraft: z.boolean(),
}).strict();
export type GraphBehaviour = z.infer<typeof graphBehaviourSchema>;

export const DEFAULT_GRAPH_BEHAVIOUR: GraphBehaviour = { refuseAttachmentSessionsOnNonDraft: false };
