/**
 * The client of the server extension's flow endpoints: every /galilean/flows URL is
 * built here. The kind catalogue is read once and shared by every open designer.
 */
import {
  Backend,
  GalileanRequestError,
  requestAPI,
  SERVER_EXTENSION
} from '../request';
import {
  IFlowsDesigner,
  IKindInfo,
  ILineage,
  IPreview,
  IPreviewRequest,
  IValidation
} from './tokens';

/** `init` for a JSON POST. */
function post(body: unknown): RequestInit {
  return { method: 'POST', body: JSON.stringify(body) };
}

export class FlowsDesignerClient implements IFlowsDesigner {
  private catalogue: Promise<IKindInfo[]> | null = null;

  constructor(private backend: Backend = SERVER_EXTENSION) {}

  private call<T>(endPoint: string, init: RequestInit = {}): Promise<T> {
    return requestAPI<T>(`flows/${endPoint}`, init, this.backend);
  }

  kinds(refresh = false): Promise<IKindInfo[]> {
    if (refresh || this.catalogue === null) {
      const read = this.call<{ kinds: IKindInfo[] }>('kinds').then(
        a => a.kinds
      );
      read.catch(() => (this.catalogue = null));
      this.catalogue = read;
    }
    return this.catalogue;
  }

  validate(path: string, content: unknown): Promise<IValidation> {
    return this.call<IValidation>('validate', post({ path, content }));
  }

  preview(request: IPreviewRequest): Promise<IPreview> {
    return this.call<IPreview>('preview', post({ limit: 100, ...request }));
  }

  async code(
    path: string,
    content: unknown,
    node?: string,
    language: 'sql' | 'polars' = 'sql'
  ): Promise<string> {
    const body = {
      path,
      content,
      language,
      ...(node === undefined ? {} : { node })
    };
    const answer = await this.call<{ sql?: string; code?: string }>(
      'code',
      post(body)
    );
    return (language === 'sql' ? answer.sql : answer.code) ?? '';
  }

  lineage(
    path: string,
    content: unknown,
    node: string,
    column: string
  ): Promise<ILineage> {
    const body = { path, content, node, column };
    return this.call<ILineage>('lineage', post(body));
  }
}

/** The node a failed preview or validation names as at fault, if any. */
export function errorNode(error: unknown): string | null {
  if (!(error instanceof GalileanRequestError) || error.body === null) {
    return null;
  }
  const named = error.body.errors.find(e => typeof e.node === 'string');
  return named ? (named.node as string) : null;
}
