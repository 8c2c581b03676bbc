/* The channel pages' small enhancements (the pages work without them):
   - a live character counter under each channel text (textarea[data-limit][data-counter]);
   - a "copy" button for the prepared caption (button.ch-copy[data-copy]). */
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }

  function length(text) {
    // Counts characters as the user sees them (code points), like the server's default.
    return Array.from(text.replace(/\r\n/g, "\n")).length;
  }

  function bindCounter(area) {
    var limit = parseInt(area.getAttribute("data-limit"), 10);
    var out = document.getElementById(area.getAttribute("data-counter"));
    if (!limit || !out) { return; }
    function update() {
      var count = length(area.value);
      var text = format(out.getAttribute("data-template"), { count: count, limit: limit });
      if (count > limit) {
        text += " — " + format(out.getAttribute("data-over"), { over: count - limit });
      }
      out.textContent = text;
      out.classList.toggle("ch-over", count > limit);
      area.setAttribute("aria-invalid", count > limit ? "true" : "false");
    }
    area.addEventListener("input", update);
    update();
  }

  function bindCopy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        button.textContent = button.getAttribute("data-done");
        setTimeout(function () { button.textContent = label; }, 2000);
      }, function () { source.select(); });
    });
  }

  document.querySelectorAll("textarea[data-limit][data-counter]").forEach(bindCounter);
  document.querySelectorAll("button.ch-copy[data-copy]").forEach(bindCopy);
})();
