/**
 * Who owns the server JupyterLab runs on, from the hub's page options: features that only
 * the owner gets (the Share button, publishing) ask here.
 */

/**
 * Whether the signed-in user owns this server (guests of a shared one do not): the
 * hub's page options name both (`hubUser`: who is signed in; `hubServerUser`: whose).
 */
export function isOwner(option: (name: string) => string): boolean {
  const owner = option('hubServerUser');
  return !!owner && option('hubUser') === owner;
}
