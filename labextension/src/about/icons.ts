import { LabIcon } from '@jupyterlab/ui-components';

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16">
  <circle class="jp-icon3" cx="12" cy="12" r="9" fill="none" stroke="#616161" stroke-width="2"/>
  <circle class="jp-icon-brand0" cx="12" cy="12" r="3" fill="#2a7ab0"/>
  <circle class="jp-icon-brand0" cx="19" cy="6" r="2" fill="#2a7ab0"/>
</svg>`;

/** Galilean's mark: a planet and its moon. */
export const galileanIcon = new LabIcon({ name: 'galilean:logo', svgstr: svg });
