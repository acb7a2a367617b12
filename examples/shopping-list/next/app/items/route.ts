import { addItemFromBody } from '../../../rest.js';
import { shopping } from '../../shopping.js';

export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json(shopping.store.list());
}

export async function POST(request: Request): Promise<Response> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    body = undefined;
  }
  const result = await addItemFromBody(shopping.store, body);
  return Response.json(result.body, { status: result.status });
}
