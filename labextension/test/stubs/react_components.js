// The web components behind JupyterLab's buttons ship as ES modules that this jest setup
// does not transform (jest.config.js maps them here): a form's buttons are plain buttons.
const React = require('react');

const Button = props => React.createElement('button', props);

module.exports = { Button };
