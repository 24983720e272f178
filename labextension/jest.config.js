// The JupyterLab extension template's jest setup (@jupyterlab/testutils): ts-jest on
// test/**/*.spec.ts against tsconfig.test.json, in JupyterLab's jsdom environment.
const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyterlab/',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  modulePathIgnorePatterns: ['<rootDir>/galilean_labextension/'],
  moduleNameMapper: {
    ...baseConfig.moduleNameMapper,
    '^@jupyter/react-components$': '<rootDir>/test/stubs/react_components.js',
    '^@jupyter/web-components$': '<rootDir>/test/stubs/web_components.js'
  },
  reporters: ['default'],
  testRegex: 'test/.*\\.spec\\.ts$',
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
