/**
 * The publish panel: the flow as an HTTP endpoint of the flows service. The user names
 * it (checked as the service checks it), makes it public or not, and ticks the flow
 * parameters callers may set (the parameters' `shared` flag, an edit of the document).
 * Publishing saves the document as a version (when it changed) and serves that version,
 * or always the latest one; the panel then shows the URL, a curl example with a `<token>`
 * placeholder and the endpoint's recent calls (read again when the panel opens, or on
 * Refresh). Unpublish (confirmed) stops serving it.
 */
import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { FlowDocument } from './document';
import { IFlow } from './model';
import { fieldErrors, IEndpoint } from './service_client';
import {
  callRows,
  curlExample,
  otherErrors,
  endpointBody,
  endpointNameProblem,
  endpointUrl,
  publishedVersion,
  sharedDefaults,
  suggestedName,
  unpublishQuestion,
  VersionChoice,
  versionChoice,
  withShared
} from './service_views';
import { IPanelProps } from './versions';

/** The document's flow, kept current. */
export function useFlow(doc: FlowDocument): IFlow | null {
  const [flow, setFlow] = React.useState(doc.flow);
  React.useEffect(() => {
    const changed = () => setFlow(doc.flow);
    doc.changed.connect(changed);
    return () => {
      doc.changed.disconnect(changed);
    };
  }, [doc]);
  return flow;
}

function FieldError({ text }: { text?: string }): JSX.Element | null {
  return text ? (
    <div className="jp-GalileanFlow-fieldError" role="alert">
      {text}
    </div>
  ) : null;
}

function Settable(props: { doc: FlowDocument; flow: IFlow }): JSX.Element {
  const { doc, flow } = props;
  if (flow.parameters.length === 0) {
    return <p className="jp-GalileanFlow-hint">The flow has no parameters.</p>;
  }
  const toggle = (name: string, on: boolean) => {
    const now = new Set(flow.parameters.filter(p => p.shared).map(p => p.name));
    if (on) {
      now.add(name);
    } else {
      now.delete(name);
    }
    doc.write(withShared(flow, now));
  };
  return (
    <fieldset>
      <legend>Parameters callers may set</legend>
      {flow.parameters.map(p => (
        <label key={p.name} className="jp-GalileanFlow-publishParam">
          <input
            type="checkbox"
            checked={p.shared === true}
            aria-label={`Callers may set ${p.name}`}
            onChange={e => toggle(p.name, e.currentTarget.checked)}
          />{' '}
          {p.name} <small>(default {JSON.stringify(p.default)})</small>
        </label>
      ))}
    </fieldset>
  );
}

function WhichVersion(props: {
  choice: VersionChoice;
  onChange: (choice: VersionChoice) => void;
}): JSX.Element {
  const { choice, onChange } = props;
  const option = (value: VersionChoice, text: string) => (
    <label className="jp-GalileanFlow-publishParam">
      <input
        type="radio"
        name="jp-GalileanFlow-publishVersion"
        value={value}
        checked={choice === value}
        onChange={() => onChange(value)}
      />{' '}
      {text}
    </label>
  );
  return (
    <fieldset>
      <legend>Serve</legend>
      {option('saved', 'the version saved now')}
      {option('latest', 'always the latest version')}
    </fieldset>
  );
}

/** The endpoint's last calls: when, who, the status and how long it took. */
function RecentCalls(props: {
  endpoint: IEndpoint;
  onRefresh: () => void;
}): JSX.Element {
  const rows = callRows(props.endpoint.recent_calls);
  return (
    <section aria-label="Recent calls" className="jp-GalileanFlow-publishCalls">
      <strong>Recent calls</strong>{' '}
      <button type="button" className="jp-mod-styled" onClick={props.onRefresh}>
        Refresh
      </button>
      {rows.length === 0 ? (
        <p className="jp-GalileanFlow-hint">No calls yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>Who</th>
              <th>Status</th>
              <th>Took</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(r => (
              <tr key={r.key} className={r.failed ? 'jp-mod-error' : ''}>
                <td>{r.when}</td>
                <td>{r.who}</td>
                <td>{r.status}</td>
                <td>{r.ms}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Published(props: {
  endpoint: IEndpoint;
  serviceUrl: string;
  flow: IFlow;
  onRefresh: () => void;
  onUnpublish: () => void;
}): JSX.Element {
  const { endpoint, serviceUrl, flow } = props;
  const url = endpointUrl(serviceUrl, endpoint.name, window.location.origin);
  const curl = curlExample(url, endpoint.public, sharedDefaults(flow));
  return (
    <section className="jp-GalileanFlow-publishDone" aria-label="Endpoint">
      <p>
        Serving{' '}
        {endpoint.version === null
          ? 'the latest version'
          : `version ${endpoint.version}`}
        {endpoint.public ? ' to anyone' : ' to callers with a token'} at
      </p>
      <code className="jp-GalileanFlow-publishUrl">{url}</code>
      <pre aria-label="curl example">{curl}</pre>
      <button
        type="button"
        className="jp-mod-styled"
        onClick={() => Clipboard.copyToSystem(curl)}
      >
        Copy curl
      </button>
      <button
        type="button"
        className="jp-mod-styled jp-mod-warn"
        onClick={props.onUnpublish}
      >
        Unpublish
      </button>
      {!endpoint.public && (
        <p className="jp-GalileanFlow-hint">
          Replace &lt;token&gt; with a hub API token that has the
          custom:flows:execute scope (the hub's Token page makes one).
        </p>
      )}
      <RecentCalls endpoint={endpoint} onRefresh={props.onRefresh} />
    </section>
  );
}

export function PublishPanel(props: IPanelProps): JSX.Element {
  const { service, doc, path } = props;
  const flow = useFlow(doc);
  const [name, setName] = React.useState(suggestedName(path()));
  const [isPublic, setPublic] = React.useState(false);
  const [choice, setChoice] = React.useState<VersionChoice>('saved');
  const [note, setNote] = React.useState('');
  const [endpoint, setEndpoint] = React.useState<IEndpoint | null>(null);
  const [serviceUrl, setServiceUrl] = React.useState('/services/flows/');
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [busy, setBusy] = React.useState(false);

  // Read when the panel opens (it mounts then) and on Refresh: the calls made since.
  const load = React.useCallback(
    (form: boolean) =>
      service.state(path()).then(
        s => {
          setServiceUrl(s.service_url);
          setEndpoint(s.endpoint);
          if (s.endpoint && form) {
            setName(s.endpoint.name);
            setPublic(s.endpoint.public);
            setChoice(versionChoice(s.endpoint));
          }
        },
        e => setErrors(fieldErrors(e))
      ),
    [service, path]
  );
  React.useEffect(() => {
    void load(true);
  }, [load]);

  const unpublish = async () => {
    if (endpoint === null) {
      return;
    }
    const answer = await showDialog({
      title: 'Unpublish',
      body: unpublishQuestion(endpoint.name),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: 'Unpublish' })
      ]
    });
    if (!answer.button.accept) {
      return;
    }
    setErrors({});
    try {
      await service.unpublish(path());
      setEndpoint(null);
      setNote(`Unpublished: ${endpoint.name} no longer answers.`);
    } catch (e) {
      setErrors(fieldErrors(e));
    }
  };

  const problem = endpointNameProblem(name.trim());
  const publish = async () => {
    setBusy(true);
    setErrors({});
    setNote('');
    try {
      const saved = await service.save(
        path(),
        flow,
        `Published as ${name.trim()}`
      );
      const version = publishedVersion(choice, saved.version);
      const body = endpointBody(name, isPublic, version);
      setEndpoint(await service.publish(path(), body));
    } catch (e) {
      setErrors(fieldErrors(e));
    } finally {
      setBusy(false);
    }
  };

  if (flow === null) {
    return <p className="jp-GalileanFlow-hint">The file is not a flow.</p>;
  }
  return (
    <form
      className="jp-GalileanFlow-publish"
      onSubmit={e => {
        e.preventDefault();
        void publish();
      }}
    >
      <label>
        Endpoint name
        <input
          className="jp-mod-styled"
          value={name}
          aria-invalid={problem !== null || errors.name !== undefined}
          onChange={e => setName(e.currentTarget.value)}
        />
      </label>
      <FieldError text={problem ?? errors.name} />
      <label>
        <input
          type="checkbox"
          checked={isPublic}
          onChange={e => setPublic(e.currentTarget.checked)}
        />{' '}
        Public (anyone may call it, without a token)
      </label>
      <WhichVersion choice={choice} onChange={setChoice} />
      <Settable doc={doc} flow={flow} />
      <FieldError text={otherErrors(errors, ['name'])} />
      <button
        type="submit"
        className="jp-mod-styled jp-mod-accept"
        disabled={busy || problem !== null}
      >
        {endpoint ? 'Publish again' : 'Publish'}
      </button>
      {note && (
        <p className="jp-GalileanFlow-note" role="status">
          {note}
        </p>
      )}
      {endpoint && (
        <Published
          endpoint={endpoint}
          serviceUrl={serviceUrl}
          flow={flow}
          onRefresh={() => void load(false)}
          onUnpublish={() => void unpublish()}
        />
      )}
    </form>
  );
}
