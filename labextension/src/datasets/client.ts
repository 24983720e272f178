/**
 * The client of the datasets bridge of the user's own server
 * (`/galilean/datasets/service/…`): the browser has no login to the service, the server
 * forwards with its hub token. Every datasets URL of the labextension is built here.
 */
import { URLExt } from '@jupyterlab/coreutils';

import { Backend, requestAPI, SERVER_EXTENSION } from '../request';
import { ExportReply } from './export_model';
import { IJob } from './jobs';
import { IShareRequest } from './share_model';
import {
  DatasetDiff,
  IDataset,
  IDatasets,
  IDatasetWithHead,
  INewDataset,
  IExported,
  IExportRequest,
  IGcReport,
  ILineage,
  IRetentionReport,
  IRetentionRequest,
  ISampleRequest,
  ISnapshot
} from './tokens';
import { Edit } from './explorer_model';

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body)
});

/** For the routes that take only their own query parameters (items, stats): the
 * server connection's `no-store` appends a bare cache buster (`?1712…`) they refuse;
 * `no-cache` asks the server every time without one. */
const REVALIDATE: RequestInit = { cache: 'no-cache' };

export class DatasetsClient implements IDatasets {
  constructor(private backend: Backend = SERVER_EXTENSION) {}

  private call<T>(
    endPoint: string,
    init: RequestInit = {},
    query: Record<string, string> = {}
  ): Promise<T> {
    const url = `datasets/service/${endPoint}${URLExt.objectToQueryString(query)}`;
    return requestAPI<T>(url, init, this.backend);
  }

  list(): Promise<IDataset[]> {
    return this.call('datasets');
  }

  create(body: INewDataset): Promise<IDataset> {
    return this.call('datasets', post(body));
  }

  get(id: number): Promise<IDatasetWithHead> {
    return this.call(`datasets/${id}`);
  }

  snapshots(id: number): Promise<ISnapshot[]> {
    return this.call(`datasets/${id}/snapshots`);
  }

  take(
    id: number,
    message: string,
    origin: Record<string, string> = {}
  ): Promise<ISnapshot> {
    return this.call(`datasets/${id}/snapshots`, post({ message, origin }));
  }

  diff(id: number, number: number, against: number): Promise<DatasetDiff> {
    return this.call(
      `datasets/${id}/snapshots/${number}/diff`,
      {},
      {
        against: String(against)
      }
    );
  }

  restore(id: number, number: number): Promise<ISnapshot> {
    return this.call(`datasets/${id}/snapshots/${number}/restore`, post({}));
  }

  tag(id: number, number: number, tag: string): Promise<ISnapshot> {
    return this.call(`datasets/${id}/snapshots/${number}/tags`, post({ tag }));
  }

  sample(id: number, body: ISampleRequest): Promise<IDatasetWithHead> {
    return this.call(`datasets/${id}/sample`, post(body));
  }

  export(id: number, body: IExportRequest): Promise<IExported> {
    return this.call(`datasets/${id}/export`, post(body));
  }

  startExport(id: number, body: IExportRequest): Promise<IJob<ExportReply>> {
    return this.call(
      `datasets/${id}/export`,
      post({ ...body, background: true })
    );
  }

  job<T = unknown>(jobId: string): Promise<IJob<T>> {
    return this.call(`jobs/${encodeURIComponent(jobId)}`);
  }

  share(id: number, body: IShareRequest): Promise<IDataset> {
    return this.call(`datasets/${id}`, {
      method: 'PATCH',
      body: JSON.stringify(body)
    });
  }

  lineage(id: number): Promise<ILineage> {
    return this.call(`datasets/${id}/lineage`);
  }

  retain(id: number, body: IRetentionRequest): Promise<IRetentionReport> {
    return this.call(`datasets/${id}/retention`, post(body));
  }

  gc(id: number): Promise<IGcReport> {
    return this.call(`datasets/${id}/gc`, post({}));
  }

  /** A page of a dataset's items (rows or images); `params` from itemsParams. */
  items<T>(id: number, params: Record<string, string>): Promise<T> {
    return this.call(`datasets/${id}/items`, REVALIDATE, params);
  }

  /** Statistics at a snapshot (`snapshot`, and `table` for tables). */
  stats<T>(id: number, params: Record<string, string>): Promise<T> {
    return this.call(`datasets/${id}/stats`, REVALIDATE, params);
  }

  /** Labelled-image edits as a new snapshot (the old head stays one). */
  edit(id: number, edits: Edit[]): Promise<ISnapshot> {
    return this.call(`datasets/${id}/edits`, post({ edits }));
  }
}
