/**
 * The client of the Secrets panel: the vault bridge of the user's own server
 * (`/galilean/secrets`), which forwards to the hub's vault with the server's hub token.
 * Values go in, never out: there is no call here that reads one.
 */
import { requestAPI, SERVER_EXTENSION } from '../request';
import { ISecretInfo, listSecrets } from '../vault';

export type { ISecretInfo };

/** A secret's name as the vault accepts it (like an environment variable). */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export class SecretsClient {
  names(): Promise<ISecretInfo[]> {
    return listSecrets();
  }

  save(name: string, value: string): Promise<ISecretInfo> {
    return requestAPI<ISecretInfo>(
      `secrets/${encodeURIComponent(name)}`,
      { method: 'PUT', body: JSON.stringify({ value }) },
      SERVER_EXTENSION
    );
  }

  async remove(name: string): Promise<void> {
    await requestAPI<null>(
      `secrets/${encodeURIComponent(name)}`,
      { method: 'DELETE' },
      SERVER_EXTENSION
    );
  }
}
