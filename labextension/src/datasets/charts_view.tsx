/**
 * A Vega-Lite chart drawn by JupyterLab's own renderer (@jupyterlab/vega5-extension),
 * found through the app's rendermime registry: no charting code of ours.
 */
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { ChartSpec, IChart, vegaLiteMime } from './charts';
import { Alert } from './fieldset';

export function VegaChart(props: {
  rendermime: IRenderMimeRegistry;
  chart: IChart;
}): JSX.Element {
  const host = React.useRef<HTMLDivElement>(null);
  const [error, setError] = React.useState('');
  const { rendermime, chart } = props;
  const key = JSON.stringify(chart.spec);
  React.useEffect(() => {
    const mime = vegaLiteMime(rendermime.mimeTypes);
    if (!mime || !host.current) {
      setError('This JupyterLab has no Vega-Lite renderer to draw charts.');
      return;
    }
    const renderer = rendermime.createRenderer(mime);
    const data = { [mime]: chart.spec as ChartSpec as ReadonlyJSONObject };
    Widget.attach(renderer, host.current);
    renderer.renderModel(new MimeModel({ data })).then(
      () => setError(''),
      e => setError(`${chart.title}: ${String(e)}`)
    );
    return () => renderer.dispose();
  }, [rendermime, key]);
  return (
    <figure
      className="jp-GalileanExplorer-chart"
      aria-label={`Chart ${chart.title}`}
    >
      <figcaption>{chart.title}</figcaption>
      <div ref={host} />
      <Alert text={error} />
    </figure>
  );
}
