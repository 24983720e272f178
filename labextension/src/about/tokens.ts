export enum CommandIDs {
  openAbout = 'galilean:open-about',
  openWorkspaces = 'galilean:open-workspaces',
  /** Run by the About panel's SQL entry. */
  newSqlNotebook = 'galilean:new-sql-notebook',
  /** Run by the About panel's AI chat entry. */
  openAiChat = 'galilean:open-ai-chat'
}
