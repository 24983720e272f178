/**
 * What every feature may know of the user's secrets: their names and times (never a value),
 * from the vault bridge of the user's own server (`/galilean/secrets`). The Secrets panel
 * adds, replaces and deletes (secrets/client.ts); the connection form offers the names.
 */
import { requestAPI, SERVER_EXTENSION } from './request';

/** What the vault shows of a secret: never its value. */
export interface ISecretInfo {
  name: string;
  created: number;
  updated: number;
}

/** The user's secrets (names and times). */
export async function listSecrets(): Promise<ISecretInfo[]> {
  const reply = await requestAPI<{ secrets: ISecretInfo[] }>(
    'secrets',
    {},
    SERVER_EXTENSION
  );
  return reply.secrets;
}
