// @jupyter/web-components (ES modules jest does not transform; jest.config.js maps it
// here): every export is a registration function that registers nothing.
module.exports = new Proxy(
  {},
  {
    get: (_, key) =>
      key === '__esModule' ? true : () => ({ register: () => undefined })
  }
);
