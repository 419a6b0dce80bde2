/**
 * Leaving the page, in one place (the browser boundary: tests and the harness
 * watch it here, since jsdom cannot navigate).
 */
export const navigation = {
  assign(url) {
    window.location.assign(url);
  },
  currentUrl() {
    return window.location.href;
  },
};
