// One check at the API's edge, before any route: no string of the request (the path's segments, the
// query, the JSON body, keys included) may hold a control character (shared/src/input-edges.ts).
// The routes' zod schemas refuse them field by field too (text(), with the field's own message);
// this covers every route, also those whose bodies other modules validate (rule conditions,
// provider settings and credentials), so a NUL never reaches PostgreSQL as a 500.
// Answered like any zod refusal: 400 invalid_request "<path>: <message>" (api/errors.ts), its problem
// field_control_character (marked here: a custom issue has no code of its own, api/zod-problems.ts).
import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import { CONTROL_CHARACTER_MESSAGE, controlCharacterPath, hasControlCharacter } from '../../../shared/src/input-edges';

function refuse(path: (string | number)[], message = CONTROL_CHARACTER_MESSAGE): never {
  throw new ZodError([{ code: 'custom', path, message, params: { controlCharacter: true } }]);
}

export function inputGuard(req: Request, _res: Response, next: NextFunction) {
  try {
    // The path as the routes will see their parameters (each segment decoded).
    for (const seg of req.path.split('/')) {
      let decoded: string;
      try { decoded = decodeURIComponent(seg); } catch { continue; } // malformed: the route's own check refuses it
      if (hasControlCharacter(decoded)) refuse(['path'], 'the address must not contain control characters (such as NUL); check the link or id');
    }
    const inQuery = controlCharacterPath(req.query);
    if (inQuery) refuse(inQuery);
    const inBody = controlCharacterPath(req.body);
    if (inBody) refuse(inBody);
  } catch (e) {
    return next(e);
  }
  next();
}
