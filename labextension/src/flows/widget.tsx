/**
 * The `.flow` document widget: a DocumentWidget whose content renders the designer
 * over the context's text model once the context is ready, and its widget factory
 * (the default for the flow file type). The toolbar's "Parameters" edits the flow's
 * parameters (parameters.tsx); "Save version", "Versions", "Publish" and "Schedule"
 * reach the flows service through the bridge; all but "Save version" open their panel at the right of the designer, over the node parameters, inside the
 * document: it belongs to this flow, closes with it, and leaves the canvas its width
 * (a split main-area widget would halve it; a modal dialog would hide it).
 */
import {
  InputDialog,
  Notification,
  ReactWidget,
  ToolbarButton
} from '@jupyterlab/apputils';
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget,
  IDocumentWidget
} from '@jupyterlab/docregistry';
import {
  historyIcon,
  inspectorIcon,
  LabIcon,
  linkIcon,
  listIcon,
  tagIcon
} from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { errorText } from '../request';
import { FlowDocument } from './document';
import { FlowEditor } from './editor';
import { ParametersPanel } from './parameters';
import { PublishPanel } from './publish';
import { SchedulePanel } from './schedule';
import { FlowServiceClient, IFlowService } from './service_client';
import { IFlowsDesigner } from './tokens';
import { IPanelProps, VersionsPanel } from './versions';

/** The panels the toolbar opens beside the designer. */
export type FlowPanel = 'parameters' | 'versions' | 'publish' | 'schedule';

const PANELS: Record<
  FlowPanel,
  {
    title: string;
    icon: LabIcon;
    view: (props: IPanelProps) => JSX.Element;
  }
> = {
  parameters: {
    title: 'Parameters',
    icon: inspectorIcon,
    view: ParametersPanel
  },
  versions: { title: 'Versions', icon: listIcon, view: VersionsPanel },
  publish: { title: 'Publish', icon: linkIcon, view: PublishPanel },
  schedule: { title: 'Schedule', icon: historyIcon, view: SchedulePanel }
};

/** The designer as a Lumino widget, over one document context. */
export class FlowDesignerWidget extends ReactWidget {
  private doc: FlowDocument | null = null;
  private path: () => string = () => '';
  private _panel: FlowPanel | null = null;
  private _saved = 0;
  private _panelChanged = new Signal<this, FlowPanel | null>(this);

  constructor(
    context: DocumentRegistry.CodeContext,
    private designer: IFlowsDesigner,
    readonly service: IFlowService = new FlowServiceClient()
  ) {
    super();
    this.addClass('jp-GalileanFlow');
    void context.ready.then(() => {
      if (!this.isDisposed) {
        this.doc = new FlowDocument(context.model);
        this.path = () => context.path;
        this.update();
      }
    });
  }

  dispose(): void {
    this.doc?.dispose();
    super.dispose();
  }

  /** The panel shown beside the designer, or null. */
  get panel(): FlowPanel | null {
    return this._panel;
  }

  /** Emitted with the panel shown (null: none) when it changes. */
  get panelChanged(): ISignal<this, FlowPanel | null> {
    return this._panelChanged;
  }

  /** Show `panel` (or hide it when it is the one shown). */
  togglePanel(panel: FlowPanel): void {
    this._panel = this._panel === panel ? null : panel;
    this._panelChanged.emit(this._panel);
    this.update();
  }

  /** Ask for a message and save the flow as a version on the flows service. */
  async saveVersion(): Promise<void> {
    const doc = this.doc;
    if (doc === null || doc.flow === null) {
      Notification.warning('The file is not a flow: there is nothing to save.');
      return;
    }
    const answer = await InputDialog.getText({
      title: 'Save version',
      label: 'What changed (optional)',
      okLabel: 'Save version'
    });
    if (!answer.button.accept) {
      return;
    }
    try {
      const saved = await this.service.save(
        this.path(),
        doc.flow,
        answer.value ?? ''
      );
      const text = saved.new_version
        ? `Saved as version ${saved.version}`
        : `Unchanged since version ${saved.version}`;
      Notification.success(text, { autoClose: 4000 });
      this._saved += 1; // the open panel reads the versions again
      this.update();
    } catch (error) {
      Notification.error(`The version was not saved: ${errorText(error)}`);
    }
  }

  protected render(): JSX.Element {
    if (this.doc === null) {
      return <div className="jp-GalileanFlow-hint">Opening the flow…</div>;
    }
    const panel = this._panel === null ? null : PANELS[this._panel];
    const props = {
      service: this.service,
      doc: this.doc,
      path: this.path,
      designer: this.designer,
      saved: this._saved
    };
    return (
      <div className="jp-GalileanFlow-withPanel">
        <FlowEditor doc={this.doc} designer={this.designer} path={this.path} />
        {panel && this._panel && (
          <aside
            className="jp-GalileanFlow-servicePanel"
            aria-label={panel.title}
          >
            <header>
              <h3>{panel.title}</h3>
              <button
                className="jp-mod-styled"
                aria-label={`Close ${panel.title}`}
                onClick={() => this.togglePanel(this._panel as FlowPanel)}
              >
                ×
              </button>
            </header>
            <panel.view key={this._panel} {...props} />
          </aside>
        )}
      </div>
    );
  }
}

/** The toolbar items of a flow document: save version, and the three panels. */
export function serviceButtons(content: FlowDesignerWidget): {
  name: string;
  widget: ToolbarButton;
}[] {
  const items = [
    {
      name: 'save-version',
      widget: new ToolbarButton({
        icon: tagIcon,
        label: 'Save version',
        tooltip: 'Save the flow as a new version on the flows service',
        onClick: () => void content.saveVersion()
      })
    }
  ];
  for (const [name, panel] of Object.entries(PANELS)) {
    items.push({
      name,
      widget: new ToolbarButton({
        icon: panel.icon,
        label: panel.title,
        tooltip: `Show or hide the ${panel.title} panel`,
        onClick: () => content.togglePanel(name as FlowPanel)
      })
    });
  }
  for (const item of items.slice(1)) {
    content.panelChanged.connect((_, shown) => {
      item.widget.pressed = shown === item.name;
    });
  }
  return items;
}

export type FlowDocumentWidget = IDocumentWidget<
  FlowDesignerWidget,
  DocumentRegistry.ICodeModel
>;

export class FlowWidgetFactory extends ABCWidgetFactory<
  FlowDocumentWidget,
  DocumentRegistry.ICodeModel
> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions<FlowDocumentWidget>,
    private designer: IFlowsDesigner,
    private textEditorFactory: () => DocumentRegistry.WidgetFactory | undefined
  ) {
    super(options);
  }

  /**
   * The text editor's content provider: with jupyter-collaboration installed its
   * `yfile` plugin sets "rtc" there, and a document opened with the same provider gets
   * the shared YFile model, so two people in one flow see each other's edits. Read
   * when a document opens, so the order the plugins activate in does not matter.
   */
  get contentProviderId(): string | undefined {
    return this.textEditorFactory()?.contentProviderId;
  }

  set contentProviderId(_value: string | undefined) {
    // Follows the text editor's (see the getter).
  }

  protected createNewWidget(
    context: DocumentRegistry.CodeContext
  ): FlowDocumentWidget {
    const content = new FlowDesignerWidget(context, this.designer);
    const widget = new DocumentWidget({ content, context });
    for (const item of serviceButtons(content)) {
      widget.toolbar.addItem(item.name, item.widget);
    }
    return widget;
  }
}
