/**
 * Runs `refresh` every `ms` while the page is visible, and at once when it becomes
 * visible again (a hidden tab asks the server nothing).
 */
export function pollWhileVisible(refresh: () => void, ms: number): void {
  window.setInterval(() => {
    if (document.visibilityState === 'visible') {
      refresh();
    }
  }, ms);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      refresh();
    }
  });
}
