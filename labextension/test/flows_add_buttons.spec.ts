import { nameAddButtons } from '../src/flows/a11y';

function list(title: string): string {
  return (
    '<div class="jp-ArrayField">' +
    '<div class="jp-FormGroup-compactTitle">' +
    `<div class="jp-FormGroup-fieldLabel">${title}</div></div>` +
    '<div class="item"></div>' +
    '<button class="jp-ArrayOperationsButton" title="Add item"></button>' +
    '</div>'
  );
}

describe("a node form's list buttons", () => {
  it('are named after their list, so two lists can be told apart', () => {
    const root = document.createElement('div');
    root.innerHTML = list('Group by') + list('Aggregations');
    nameAddButtons(root);
    const names = Array.from(root.querySelectorAll('button')).map(b =>
      b.getAttribute('aria-label')
    );
    expect(names).toEqual(['Add to Group by', 'Add to Aggregations']);
  });

  it('leave a button without a list title alone', () => {
    const root = document.createElement('div');
    root.innerHTML =
      '<div><button class="jp-ArrayOperationsButton" title="Add item"></button></div>';
    nameAddButtons(root);
    expect(root.querySelector('button')!.hasAttribute('aria-label')).toBe(
      false
    );
  });
});
