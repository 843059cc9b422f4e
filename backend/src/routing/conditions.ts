// Rule conditions: a small tree of combinators and field tests, validated with zod when a rule is
// saved or loaded. Issue #5 widens the field tests; the evaluation stays a pure function.
import { z } from 'zod';

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { always: true }
  | { recipientCvr: string }
  | { senderId: string }
  | { labelContains: string };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() => z.union([
  z.object({ all: z.array(conditionSchema).min(1) }).strict(),
  z.object({ any: z.array(conditionSchema).min(1) }).strict(),
  z.object({ not: conditionSchema }).strict(),
  z.object({ always: z.literal(true) }).strict(),
  z.object({ recipientCvr: z.string().regex(/^\d{8}$/, 'recipientCvr must be 8 digits') }).strict(),
  z.object({ senderId: z.string().min(1) }).strict(),
  z.object({ labelContains: z.string().min(1).max(200) }).strict(),
]));
