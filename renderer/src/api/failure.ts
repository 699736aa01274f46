import { ApiFailure } from '#common/contract/api-failure.js';

export { ApiFailure };

export function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof ApiFailure) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'code' in error && typeof error.code === 'string' ? error.code : 'client_error', message: error.message };
  return { code: 'client_error', message: String(error) };
}
