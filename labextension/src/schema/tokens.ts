export enum CommandIDs {
  openSchemaBrowser = 'galilean:open-schema-browser'
}
