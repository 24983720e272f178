/**
 * The flow designer's plugins: the client of the server extension's flow endpoints
 * (`IFlowsDesigner`), and the `.flow` document (the "flow" file type, the designer as
 * its default widget factory, and New → Flow in the launcher and command palette).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { LabIcon } from '@jupyterlab/ui-components';

import { LAUNCHER_CATEGORY } from '../tokens';
import { FlowsDesignerClient } from './client';
import { emptyFlow, serializeFlow } from './model';
import {
  CommandIDs,
  EXAMPLE_FLOWS,
  FLOW_FACTORY,
  FLOW_FILE_TYPE,
  IFlowsDesigner
} from './tokens';
import { FlowWidgetFactory } from './widget';

export const flowIcon = new LabIcon({
  name: 'galilean:flow',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">' +
    '<g class="jp-icon3" fill="#616161">' +
    '<rect x="2" y="4" width="7" height="5" rx="1"/>' +
    '<rect x="15" y="4" width="7" height="5" rx="1"/>' +
    '<rect x="8.5" y="15" width="7" height="5" rx="1"/>' +
    '<path d="M9 6h6v1H9zM5 9h1v3h6.5v3h1v-3H19V9h-1v3H6V9z"/>' +
    '</g></svg>'
});

export const flowsDesignerPlugin: JupyterFrontEndPlugin<IFlowsDesigner> = {
  id: '@galilean/labextension:flows-designer-client',
  description: "The client of the server extension's flow endpoints.",
  autoStart: true,
  provides: IFlowsDesigner,
  activate: (): IFlowsDesigner => new FlowsDesignerClient()
};

/** Create `untitled.flow` (an empty flow) in `cwd` and open it in the designer. */
async function createFlow(app: JupyterFrontEnd, cwd: string): Promise<unknown> {
  const contents = app.serviceManager.contents;
  const model = await contents.newUntitled({
    path: cwd,
    type: 'file',
    ext: '.flow'
  });
  await contents.save(model.path, {
    type: 'file',
    format: 'text',
    content: serializeFlow(emptyFlow())
  });
  return app.commands.execute('docmanager:open', {
    path: model.path,
    factory: FLOW_FACTORY
  });
}

function registerDocument(app: JupyterFrontEnd, designer: IFlowsDesigner) {
  app.docRegistry.addFileType({
    name: FLOW_FILE_TYPE,
    displayName: 'Flow',
    extensions: ['.flow'],
    mimeTypes: ['application/json'],
    fileFormat: 'text',
    contentType: 'file',
    icon: flowIcon
  });
  const factory = new FlowWidgetFactory(
    {
      name: FLOW_FACTORY,
      label: 'Flow Designer',
      fileTypes: [FLOW_FILE_TYPE],
      defaultFor: [FLOW_FILE_TYPE],
      modelName: 'text'
    },
    designer,
    () => app.docRegistry.getWidgetFactory('Editor')
  );
  factory.widgetCreated.connect((_sender, widget) => {
    widget.title.icon = flowIcon;
  });
  app.docRegistry.addWidgetFactory(factory);
}

export const flowDocumentPlugin: JupyterFrontEndPlugin<void> = {
  id: '@galilean/labextension:flows-document',
  description: 'The .flow file opens in the pipeline designer; New → Flow.',
  autoStart: true,
  requires: [IFlowsDesigner],
  optional: [ILauncher, ICommandPalette, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    designer: IFlowsDesigner,
    launcher: ILauncher | null,
    palette: ICommandPalette | null,
    browser: IDefaultFileBrowser | null
  ) => {
    registerDocument(app, designer);
    app.commands.addCommand(CommandIDs.create, {
      label: args => (args.isPalette ? 'New Flow' : 'Flow'),
      caption: 'Create a new flow and open it in the pipeline designer',
      icon: args => (args.isPalette ? undefined : flowIcon),
      execute: args =>
        createFlow(app, (args.cwd as string) ?? browser?.model.path ?? '')
    });
    launcher?.add({
      command: CommandIDs.create,
      category: LAUNCHER_CATEGORY,
      rank: 2
    });
    palette?.addItem({
      command: CommandIDs.create,
      category: LAUNCHER_CATEGORY,
      args: { isPalette: true }
    });
    addExamples(app, launcher);
  }
};

/** The shipped example flows, one launcher card each: open it in the designer. */
function addExamples(app: JupyterFrontEnd, launcher: ILauncher | null): void {
  app.commands.addCommand(CommandIDs.openExample, {
    label: args => `Example flow: ${args.label as string}`,
    caption: args =>
      `Open ${args.path as string} (your copy of the example) in the pipeline designer`,
    icon: flowIcon,
    execute: args =>
      app.commands.execute('docmanager:open', {
        path: args.path as string,
        factory: FLOW_FACTORY
      })
  });
  EXAMPLE_FLOWS.forEach((example, index) =>
    launcher?.add({
      command: CommandIDs.openExample,
      args: { ...example },
      category: LAUNCHER_CATEGORY,
      rank: 3 + index
    })
  );
}
