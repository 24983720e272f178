/**
 * The schedule panel: a cron expression read aloud with its next five times as the
 * user types (the service's schedule-preview, debounced), the missed-run policy, pause
 * or resume, and save (the document saved as a version when it changed, then PUT
 * schedule), or remove the schedule. Errors show next to the field the service names.
 */
import * as React from 'react';

import {
  fieldErrors,
  ISchedule,
  ISchedulePreview,
  MissedPolicy
} from './service_client';
import { otherErrors, scheduleBody, whenText } from './service_views';
import { IPanelProps } from './versions';

/** How long typing must pause before the expression is read (ms). */
export const PREVIEW_DELAY = 400;

/** The preview of `cron` once it has not changed for `delay` ms. */
function usePreview(
  read: (cron: string) => Promise<ISchedulePreview>,
  cron: string,
  delay = PREVIEW_DELAY
): { preview: ISchedulePreview | null; error: string } {
  const [preview, setPreview] = React.useState<ISchedulePreview | null>(null);
  const [error, setError] = React.useState('');
  React.useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      if (cron.trim() === '') {
        setPreview(null);
        setError('');
        return;
      }
      read(cron.trim()).then(
        p => current && (setPreview(p), setError('')),
        e =>
          current &&
          (setPreview(null),
          setError(fieldErrors(e).cron ?? otherErrors(fieldErrors(e), [])))
      );
    }, delay);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [read, cron, delay]);
  return { preview, error };
}

function Reading(props: {
  preview: ISchedulePreview | null;
}): JSX.Element | null {
  const { preview } = props;
  if (preview === null) {
    return null;
  }
  return (
    <div className="jp-GalileanFlow-scheduleReading" role="status">
      <strong>{preview.text}</strong>
      <ol aria-label="Next times">
        {preview.next.map(t => (
          <li key={t}>
            <time dateTime={t}>{t.replace('T', ' ')}</time>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function SchedulePanel(props: IPanelProps): JSX.Element {
  const { service, doc, path } = props;
  const [cron, setCron] = React.useState('0 6 * * *');
  const [missed, setMissed] = React.useState<MissedPolicy>('once');
  const [enabled, setEnabled] = React.useState(true);
  const [saved, setSaved] = React.useState<ISchedule | null>(null);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [busy, setBusy] = React.useState(false);
  const [note, setNote] = React.useState('');
  const read = React.useCallback(
    (c: string) => service.schedulePreview(c),
    [service]
  );
  const { preview, error } = usePreview(read, cron);

  React.useEffect(() => {
    service.state(path()).then(
      s => {
        if (s.schedule) {
          setSaved(s.schedule);
          setCron(s.schedule.cron);
          setMissed(s.schedule.missed);
          setEnabled(s.schedule.enabled);
        }
      },
      e => setErrors(fieldErrors(e))
    );
  }, [service, path]);

  const save = async () => {
    setBusy(true);
    setErrors({});
    setNote('');
    try {
      await service.save(path(), doc.flow, 'Scheduled');
      const body = scheduleBody(cron, missed, enabled);
      setSaved(await service.schedule(path(), body));
    } catch (e) {
      setErrors(fieldErrors(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    setErrors({});
    try {
      await service.unschedule(path());
      setSaved(null);
      setNote('Schedule removed: the flow no longer runs on its own.');
    } catch (e) {
      setErrors(fieldErrors(e));
    } finally {
      setBusy(false);
    }
  };

  const cronError = errors.cron ?? error;
  return (
    <form
      className="jp-GalileanFlow-schedule"
      onSubmit={e => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        Cron expression (UTC)
        <input
          className="jp-mod-styled"
          value={cron}
          aria-invalid={cronError !== ''}
          placeholder="minute hour day month weekday"
          onChange={e => setCron(e.currentTarget.value)}
        />
      </label>
      {cronError && (
        <div className="jp-GalileanFlow-fieldError" role="alert">
          {cronError}
        </div>
      )}
      <Reading preview={cronError ? null : preview} />
      <label>
        When runs were missed (the service was down)
        <select
          className="jp-mod-styled"
          value={missed}
          onChange={e => setMissed(e.currentTarget.value as MissedPolicy)}
        >
          <option value="once">run once</option>
          <option value="skip">skip them</option>
        </select>
      </label>
      {errors.missed && (
        <div className="jp-GalileanFlow-fieldError">{errors.missed}</div>
      )}
      <label>
        <input
          type="checkbox"
          checked={!enabled}
          onChange={e => setEnabled(!e.currentTarget.checked)}
        />{' '}
        Paused
      </label>
      {otherErrors(errors, ['cron', 'missed']) && (
        <div className="jp-GalileanFlow-fieldError" role="alert">
          {otherErrors(errors, ['cron', 'missed'])}
        </div>
      )}
      <button
        type="submit"
        className="jp-mod-styled jp-mod-accept"
        disabled={busy}
      >
        Save schedule
      </button>
      {saved && (
        <button
          type="button"
          className="jp-mod-styled jp-mod-warn"
          disabled={busy}
          onClick={() => void remove()}
        >
          Remove schedule
        </button>
      )}
      {note && (
        <p className="jp-GalileanFlow-note" role="status">
          {note}
        </p>
      )}
      {saved && (
        <p className="jp-GalileanFlow-note" role="status">
          {saved.enabled ? 'Scheduled' : 'Paused'}: <code>{saved.cron}</code>
          {saved.enabled && saved.next_run
            ? `, next run ${whenText(saved.next_run)}`
            : ''}
        </p>
      )}
    </form>
  );
}
