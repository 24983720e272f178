/**
 * The `.flow` document widget: a DocumentWidget whose content renders the designer
 * over the context's text model once the context is ready, and its widget factory
 * (the default for the flow file type).
 */
import { ReactWidget } from '@jupyterlab/apputils';
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget,
  IDocumentWidget
} from '@jupyterlab/docregistry';
import * as React from 'react';

import { FlowDocument } from './document';
import { FlowEditor } from './editor';
import { IFlowsDesigner } from './tokens';

/** The designer as a Lumino widget, over one document context. */
export class FlowDesignerWidget extends ReactWidget {
  private doc: FlowDocument | null = null;
  private path: () => string = () => '';

  constructor(
    context: DocumentRegistry.CodeContext,
    private designer: IFlowsDesigner
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

  protected render(): JSX.Element {
    if (this.doc === null) {
      return <div className="jp-GalileanFlow-hint">Opening the flow…</div>;
    }
    return (
      <FlowEditor doc={this.doc} designer={this.designer} path={this.path} />
    );
  }
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
    private designer: IFlowsDesigner
  ) {
    super(options);
  }

  protected createNewWidget(
    context: DocumentRegistry.CodeContext
  ): FlowDocumentWidget {
    const content = new FlowDesignerWidget(context, this.designer);
    return new DocumentWidget({ content, context });
  }
}
