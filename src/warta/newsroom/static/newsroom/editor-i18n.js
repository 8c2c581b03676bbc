// The rich-text editor's toolbar in the interface language. django-prose-editor passes its own
// dialogs through window.gettext, but its toolbar buttons carry fixed English titles ("bold",
// "heading 2"); this translates their title and aria-label (and the names in its drop-down
// menus) with the JavaScript catalogue (/jsi18n/, newsroom's djangojs.po) as the toolbar is built.
(function () {
  "use strict";
  if (typeof window.gettext !== "function") return;
  var HEADING = /^heading (\d)$/i;  // "heading 2" (button), "Heading 2" (menu)
  var ATTRIBUTES = ["title", "aria-label"];

  function translate(text) {
    var heading = HEADING.exec(text);
    if (heading) {
      return window.interpolate(window.gettext("heading %(level)s"), { level: heading[1] }, true);
    }
    return window.gettext(text);
  }

  function translateElement(element) {
    ATTRIBUTES.forEach(function (name) {
      var text = element.getAttribute(name);
      if (!text || element.dataset["i18n" + name.replace("-", "")] === text) return;
      var translated = translate(text);
      element.setAttribute(name, translated);
      element.dataset["i18n" + name.replace("-", "")] = translated;
    });
  }

  function translateMenu(root) {
    root.querySelectorAll(".prose-menubar [title], .prose-menubar [aria-label]").forEach(
      translateElement
    );
    // Drop-down entries ("Paragraph", "heading 2") are plain text, not icon ligatures.
    root.querySelectorAll(".prose-menubar__dropdown p, .prose-menubar__dropdown h1, " +
      ".prose-menubar__dropdown h2, .prose-menubar__dropdown h3, " +
      ".prose-menubar__dropdown h4, .prose-menubar__dropdown h5, " +
      ".prose-menubar__dropdown h6, .prose-menubar__dropdown blockquote, " +
      ".prose-menubar__dropdown code, .prose-menubar__dropdown li").forEach(function (element) {
      if (element.children.length || element.dataset.i18nText === element.textContent) return;
      element.textContent = translate(element.textContent);
      element.dataset.i18nText = element.textContent;
    });
  }

  function start() {
    translateMenu(document);
    // The editor builds (and rebuilds) its toolbar after this script runs.
    new MutationObserver(function (records) {
      var touched = records.some(function (record) {
        var target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
        return target && target.closest && target.closest(".prose-editor");
      });
      if (touched) translateMenu(document);
    }).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ATTRIBUTES
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
