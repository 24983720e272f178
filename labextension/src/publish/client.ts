/**
 * The client of the Publish dialog: this server's `/galilean/publish` (publish.py), which
 * renders the notebook with nbconvert and hands the page to the hub.
 */
import { requestAPI, SERVER_EXTENSION } from '../request';

export interface IPublishedView {
  id: string;
  path: string;
  title: string;
  code: 'shown' | 'hidden';
  link: boolean;
  users: string[];
  groups: string[];
  published_at: number;
  render_seconds: number;
  bytes: number;
  /** The view's address (under the hub, behind its login). */
  url: string;
}

export interface IPublishRequest {
  path: string;
  code: 'shown' | 'hidden';
  users: string[];
  groups: string[];
  link: boolean;
}

function query(path: string): string {
  return `publish?path=${encodeURIComponent(path)}`;
}

export class PublishClient {
  async current(path: string): Promise<IPublishedView | null> {
    const answer = await requestAPI<{ view: IPublishedView | null }>(
      query(path),
      {},
      SERVER_EXTENSION
    );
    return answer.view;
  }

  publish(request: IPublishRequest): Promise<IPublishedView> {
    return requestAPI<IPublishedView>(
      'publish',
      { method: 'POST', body: JSON.stringify(request) },
      SERVER_EXTENSION
    );
  }

  async withdraw(path: string): Promise<void> {
    await requestAPI<null>(query(path), { method: 'DELETE' }, SERVER_EXTENSION);
  }
}

/** "ana, bo ,, cy" → ["ana", "bo", "cy"]. */
export function namesOf(text: string): string[] {
  return text
    .split(',')
    .map(name => name.trim())
    .filter(name => name.length > 0);
}
