/**
 * The export dialog: format (the driver's: csv / parquet / xlsx for tables, yolo / coco /
 * voc for labelled images), the table (tables), the snapshot (the head when empty), the
 * path in the user's folder, overwrite. The export runs as a job of the service, followed
 * every 400 ms while the dialog is open: a progress bar (rows of a table, files of
 * labelled images: done of total, percent); then what was written (rows, size, seconds).
 * A failed job's 409 (the file exists) offers to overwrite it; other errors show at the
 * field they name. Closing the dialog stops following (the export goes on).
 */
import * as React from 'react';

import { GalileanRequestError } from '../request';
import {
  exportBody,
  exportExists,
  exportFormats,
  IExportDraft,
  otherErrors
} from './actions';
import { ExportReply, exportedSummary } from './export_model';
import { Alert, Field } from './fieldset';
import {
  browserWait,
  followJob,
  IJob,
  jobFraction,
  jobOutcome,
  jobProgressText
} from './jobs';
import { errorsByField } from './model';
import { IDataset, IDatasets } from './tokens';

export interface IExportFormProps {
  client: IDatasets;
  dataset: IDataset;
  table: string;
  /** The poll's timer (tests: one that returns at once). */
  wait?(ms: number): Promise<void>;
  /** After a file was written: the file browser reads its folder again. */
  onWritten(done: ExportReply): void;
  onCancel(): void;
}

const SHOWN = ['table', 'path', 'format', 'snapshot', 'overwrite'];

export function ExportForm(props: IExportFormProps): JSX.Element {
  const { dataset } = props;
  const formats = exportFormats(dataset.driver);
  const [draft, setDraft] = React.useState<IExportDraft>({
    table: props.table,
    path: `${dataset.name}.${formats[0]}`,
    format: formats[0],
    snapshot: '',
    overwrite: false
  });
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [exists, setExists] = React.useState(false);
  const [busy, setBusy] = React.useState(false);
  const [done, setDone] = React.useState<ExportReply | null>(null);
  const [job, setJob] = React.useState<IJob | null>(null);
  const closed = React.useRef(false);
  React.useEffect(() => {
    closed.current = false;
    return () => {
      closed.current = true;
    };
  }, []);
  const set = (change: Partial<IExportDraft>) =>
    setDraft(d => ({ ...d, ...change }));
  const setFormat = (format: string) =>
    set({ format, path: draft.path.replace(/\.[a-z]+$/, `.${format}`) });

  const run = async (overwrite: boolean) => {
    const checked = exportBody({ ...draft, overwrite }, dataset.driver);
    setExists(false);
    setDone(null);
    if (checked.errors) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    setJob(null);
    try {
      const started = await props.client.startExport(dataset.id, checked.body);
      const last = await followJob<ExportReply>(started, {
        get: id => props.client.job<ExportReply>(id),
        wait: props.wait ?? browserWait,
        onProgress: setJob,
        stopped: () => closed.current
      });
      if (last === null) {
        return;
      }
      const written = jobOutcome(last);
      setDone(written);
      props.onWritten(written);
    } catch (e) {
      if (closed.current) {
        return;
      }
      const found = errorsByField(e);
      setErrors(found);
      setExists(exportExists((e as GalileanRequestError).status, found));
    } finally {
      if (!closed.current) {
        setBusy(false);
      }
    }
  };
  const at = (field: string) => errors[field] ?? '';
  return (
    <form
      className="jp-GalileanDatasets-form"
      aria-label="Export"
      aria-busy={busy}
      onSubmit={e => {
        e.preventDefault();
        void run(draft.overwrite);
      }}
    >
      <h3>Export</h3>
      <Field
        form="export"
        field="format"
        label="Format"
        choices={formats}
        value={draft.format}
        error={at('format')}
        onChange={setFormat}
      />
      {dataset.driver === 'tables' && (
        <Field
          form="export"
          field="table"
          label="Table"
          value={draft.table}
          error={at('table')}
          onChange={value => set({ table: value })}
        />
      )}
      <Field
        form="export"
        field="snapshot"
        label="Snapshot"
        hint="empty: the head"
        value={draft.snapshot}
        error={at('snapshot')}
        onChange={value => set({ snapshot: value })}
      />
      <Field
        form="export"
        field="path"
        label="Export path"
        hint="in your folder"
        value={draft.path}
        error={at('path')}
        onChange={value => set({ path: value })}
      />
      <label className="jp-GalileanDatasets-check">
        <input
          type="checkbox"
          checked={draft.overwrite}
          onChange={e => set({ overwrite: e.currentTarget.checked })}
        />
        Overwrite an existing file
      </label>
      <Alert text={otherErrors(errors, SHOWN)} />
      {exists && (
        <button
          type="button"
          className="jp-mod-styled jp-mod-warn"
          onClick={() => void run(true)}
        >
          Overwrite it
        </button>
      )}
      {job && (busy || job.state === 'done') && (
        <ExportProgress job={job} driver={dataset.driver} />
      )}
      {done && (
        <p className="jp-GalileanDatasets-note" role="status">
          Exported {exportedSummary(done)}
        </p>
      )}
      <div className="jp-GalileanDatasets-buttons">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={busy}
        >
          {busy ? 'Exporting…' : 'Export'}
        </button>
        <button
          type="button"
          className="jp-mod-styled"
          onClick={props.onCancel}
        >
          Close
        </button>
      </div>
    </form>
  );
}

/** The job's progress as a bar: done of total, percent, seconds. */
function ExportProgress(props: {
  job: IJob;
  driver: IDataset['driver'];
}): JSX.Element {
  const fraction = jobFraction(props.job);
  const percent = fraction === null ? undefined : Math.floor(fraction * 100);
  const unit = props.driver === 'tables' ? 'rows' : 'files';
  return (
    <div className="jp-GalileanDatasets-progress">
      <div
        className="jp-GalileanDatasets-progressBar"
        role="progressbar"
        aria-label="Export progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={jobProgressText(props.job, unit)}
      >
        <div
          className="jp-GalileanDatasets-progressFill"
          style={{ width: `${percent ?? 0}%` }}
        />
      </div>
      <span className="jp-GalileanDatasets-note">
        {jobProgressText(props.job, unit)}
      </span>
    </div>
  );
}
