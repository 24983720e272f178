/** What the designer adds for screen readers to controls made by other libraries. */

/**
 * JupyterLab's array template titles every list's add button "Add item": name each for
 * screen readers after its list ("Add to Group by"), so two lists can be told apart.
 */
export function nameAddButtons(root: HTMLElement | null): void {
  const buttons = root?.querySelectorAll<HTMLButtonElement>(
    'button.jp-ArrayOperationsButton[title="Add item"]'
  );
  buttons?.forEach(button => {
    const list = button.parentElement;
    const title = list?.querySelector(
      ':scope > .jp-FormGroup-compactTitle > .jp-FormGroup-fieldLabel'
    );
    const text = title?.textContent?.trim();
    if (text) {
      button.setAttribute('aria-label', `Add to ${text}`);
    }
  });
}
