/**
 * The client of the Secrets panel: the vault bridge of the user's own server
 * (`/galilean/secrets`: your secrets; `/galilean/hub-secrets`: the hub's own, for admins),
 * which forwards to the hub with the server's vault token. Values go in, never out: there
 * is no call here that reads one.
 */
import { requestAPI, SERVER_EXTENSION } from '../request';
import { ISecretInfo, listSecrets } from '../vault';

export type { ISecretInfo };

/** A secret's name as the vault accepts it (like an environment variable). */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The saved secrets and, for the hub's, the names it keeps (its services' keys). */
export interface ISecretListing {
  secrets: ISecretInfo[];
  names?: string[];
}

export class SecretsClient {
  /** `secrets`: the user's own; `hub-secrets`: the hub's (admins only: 403 otherwise). */
  constructor(readonly collection: 'secrets' | 'hub-secrets' = 'secrets') {}

  async listing(): Promise<ISecretListing> {
    if (this.collection === 'secrets') {
      return { secrets: await listSecrets() };
    }
    return requestAPI<ISecretListing>(this.collection, {}, SERVER_EXTENSION);
  }

  save(name: string, value: string): Promise<ISecretInfo> {
    return requestAPI<ISecretInfo>(
      `${this.collection}/${encodeURIComponent(name)}`,
      { method: 'PUT', body: JSON.stringify({ value }) },
      SERVER_EXTENSION
    );
  }

  async remove(name: string): Promise<void> {
    await requestAPI<null>(
      `${this.collection}/${encodeURIComponent(name)}`,
      { method: 'DELETE' },
      SERVER_EXTENSION
    );
  }
}
