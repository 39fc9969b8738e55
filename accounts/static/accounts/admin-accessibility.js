// The admin's autocomplete boxes (Select2) name their combobox only by the value chosen, so an
// empty one has no accessible name (axe: aria-input-field-name; issue 13). Name each by its
// field's label as well. Loaded by templates/admin/base_site.html.
(function () {
  "use strict";
  function nameComboboxes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var box = select.parentElement && select.parentElement.querySelector(".select2-selection");
      if (!label || !box) {
        return;
      }
      // aria-label, not aria-labelledby: Select2 rewrites aria-labelledby when it updates.
      var name = label.textContent.replace(/:\s*$/, "").trim();
      [box, box.querySelector(".select2-selection__rendered")].forEach(function (el) {
        if (el && !el.getAttribute("aria-label")) {
          el.setAttribute("aria-label", name);
        }
      });
    });
  }
  // Select2 builds (and may rebuild) its boxes after the page loads, and inline rows are added
  // later: name whatever appears.
  function start() {
    nameComboboxes(document);
    new MutationObserver(function () {
      nameComboboxes(document);
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
