/**
 * The client of the datasets bridge of the user's own server
 * (`/galilean/datasets/service/…`): the browser has no login to the service, the server
 * forwards with its hub token. Every datasets URL of the labextension is built here.
 */
import { URLExt } from '@jupyterlab/coreutils';

import { Backend, requestAPI, SERVER_EXTENSION } from '../request';
import {
  DatasetDiff,
  IDataset,
  IDatasets,
  IDatasetWithHead,
  INewDataset,
  ISnapshot
} from './tokens';

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body)
});

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
}
